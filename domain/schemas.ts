// The shapes of everything that crosses a boundary (HTTP body, workflow input, update argument).
// The API validates with these schemas and the workflow's update validators run the very same ones,
// so a request the API accepts can never be refused by the workflow for its shape, and vice versa.
import { z } from 'zod';
import { unstorable } from './text.js';

export const STAGES = [
  'locating',
  'extraction',
  'consular_contact',
  'return',
  'exit_restriction_check',
  'employment_assistance',
  'closed',
] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export const prioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof prioritySchema>;

export const RISK_FLAGS = ['minor', 'injured', 'detained', 'abused', 'pregnant', 'medical', 'disability'] as const;
export const riskFlagSchema = z.enum(RISK_FLAGS);
export type RiskFlag = z.infer<typeof riskFlagSchema>;

export const SCREENING_OUTCOMES = ['victim', 'suspect', 'both', 'undetermined'] as const;
export const screeningSchema = z.enum(SCREENING_OUTCOMES);

export const CLOSURE_REASONS = [
  'reintegrated',
  'declined_assistance',
  'deceased',
  'duplicate',
  'not_a_national',
  'transferred',
  'lost_contact',
] as const;
export const closureReasonSchema = z.enum(CLOSURE_REASONS);
export type ClosureReason = z.infer<typeof closureReasonSchema>;

/**
 * Refuses what PostgreSQL text/jsonb or JSON cannot hold (NUL, lone surrogates; domain/text.ts). Every
 * free-text field goes through it, so neither the API nor the workflow accepts a string that a later
 * write would refuse.
 */
export function storable<S extends z.ZodString>(schema: S): S {
  return schema.superRefine((value, ctx) => {
    const why = unstorable(value);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });
}
const text = (max: number) => storable(z.string().trim().min(1).max(max));
const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code such as "PH"');
// Plain regexes rather than z.iso.*: these schemas also run inside the workflow bundle, where
// webpack resolved z.iso.date to z.date (a Date instance check) and refused every string.
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(d)) && new Date(d).toISOString().slice(0, 10) === d, 'not a calendar date');
const isoDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, 'expected an ISO 8601 date-time with offset, e.g. 2026-11-02T10:00:00Z')
  .refine((d) => !Number.isNaN(Date.parse(d)), 'not a valid date-time');
// BCP 47 in its common shapes (en, zh-Hans, pt-BR); the registry itself is not needed to catch typos.
const languageTag = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 language tag');

export const identityDocumentSchema = z.strictObject({
  type: z.enum(['passport', 'national_id', 'other']),
  number: text(64),
  issuingCountry: countryCode,
});
export type IdentityDocument = z.infer<typeof identityDocumentSchema>;

export const personSchema = z.strictObject({
  fullName: text(200),
  dateOfBirth: isoDate.optional(),
  sex: z.enum(['female', 'male', 'other', 'unknown']).default('unknown'),
  nationality: countryCode,
  documents: z.array(identityDocumentSchema).max(10).default([]),
  languages: z.array(languageTag).max(10).default([]),
  phone: storable(z.string().trim().min(3).max(40)).optional(),
});
export type Person = z.infer<typeof personSchema>;

export const locationSchema = z.strictObject({
  country: countryCode,
  region: text(200).optional(),
  site: text(200).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  confirmed: z.boolean().optional(),
});
export type Location = z.infer<typeof locationSchema>;

export const SOURCE_TYPES = [
  'family_report',
  'hotline',
  'foreign_police',
  'embassy',
  'ngo',
  'self_report',
  'rescue_operation',
] as const;
export const sourceSchema = z.strictObject({
  type: z.enum(SOURCE_TYPES),
  reference: text(200).optional(),
});

const agencyId = z.string().regex(/^[a-z0-9][a-z0-9_-]{1,63}$/, 'expected an agency id such as "ph-consulate-bkk"');
const officeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected an office id');

/** Body of POST /v1/cases. */
export const openCaseSchema = z.strictObject({
  person: personSchema,
  location: locationSchema.optional(),
  source: sourceSchema.default({ type: 'self_report' }),
  riskFlags: z.array(riskFlagSchema).max(RISK_FLAGS.length).default([]),
  consulateId: agencyId,
  office: officeId.optional(),
});
export type OpenCaseBody = z.infer<typeof openCaseSchema>;

export const actorSchema = z.strictObject({
  sub: storable(z.string().min(1).max(200)),
  role: z.enum(['caseworker', 'agency_officer', 'supervisor', 'admin', 'system']),
});
export type Actor = z.infer<typeof actorSchema>;

// ---- Case actions (API.md's table). Each is a Workflow Update of the same name. ----
export const actionSchemas = {
  add_note: z.strictObject({ type: z.literal('add_note'), text: text(10_000) }),
  assign: z.strictObject({ type: z.literal('assign'), assignee: text(200).nullable() }),
  set_priority: z.strictObject({ type: z.literal('set_priority'), priority: prioritySchema, reason: text(2_000) }),
  hold: z.strictObject({ type: z.literal('hold'), reason: text(2_000) }),
  resume: z.strictObject({ type: z.literal('resume') }),
  record_consent: z
    .strictObject({
      type: z.literal('record_consent'),
      consularNotification: z.enum(['granted', 'refused']).optional(),
      dataSharing: z.enum(['granted', 'withdrawn']).optional(),
    })
    .refine((a) => a.consularNotification !== undefined || a.dataSharing !== undefined, {
      message: 'give consularNotification, dataSharing or both',
      path: ['consularNotification'],
    }),
  record_screening: z.strictObject({ type: z.literal('record_screening'), outcome: screeningSchema, basis: text(2_000) }),
  record_sighting: z.strictObject({
    type: z.literal('record_sighting'),
    location: locationSchema,
    observedAt: isoDateTime,
    source: text(500),
  }),
  confirm_location: z.strictObject({ type: z.literal('confirm_location'), location: locationSchema }),
  request_extraction: z.strictObject({ type: z.literal('request_extraction'), partner: text(200), reference: text(200) }),
  record_extraction: z.strictObject({
    type: z.literal('record_extraction'),
    extractedAt: isoDateTime,
    handedOverTo: text(200),
    injured: z.boolean().optional(),
    medicalNeeds: text(2_000).optional(),
  }),
  record_extraction_failed: z.strictObject({ type: z.literal('record_extraction_failed'), reason: text(2_000) }),
  book_return: z.strictObject({
    type: z.literal('book_return'),
    departureAt: isoDateTime,
    arrivalPort: text(200),
    carrier: text(200).optional(),
    flightNumber: text(20).optional(),
    manifestId: text(100).optional(),
  }),
  record_departure: z.strictObject({ type: z.literal('record_departure'), departedAt: isoDateTime }),
  record_arrival: z.strictObject({
    type: z.literal('record_arrival'),
    arrivedAt: isoDateTime,
    port: text(200),
    receivedBy: text(200),
  }),
  record_assessment: z.strictObject({
    type: z.literal('record_assessment'),
    skills: z.array(text(200)).max(50),
    education: text(200),
    preferredRegion: text(200),
    needs: z.array(text(200)).max(50),
  }),
  record_referral: z.strictObject({
    type: z.literal('record_referral'),
    kind: z.enum(['job', 'training']),
    organisation: text(200),
    description: text(2_000),
  }),
  record_placement: z.strictObject({
    type: z.literal('record_placement'),
    employer: text(200),
    position: text(200),
    startDate: isoDate,
    abroad: z.boolean(),
  }),
  record_follow_up: z.strictObject({
    type: z.literal('record_follow_up'),
    taskId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a task id (UUID)'),
    outcome: z.enum(['employed', 'unemployed', 'unreachable', 'declined']),
    notes: text(2_000).optional(),
  }),
  decline_assistance: z.strictObject({ type: z.literal('decline_assistance'), reason: text(2_000) }),
  request_closure: z.strictObject({
    type: z.literal('request_closure'),
    reason: closureReasonSchema,
    comment: text(2_000).optional(),
  }),
  // API.md "More actions": a later medical check; unfit blocks book_return until a later fit record.
  record_medical: z.strictObject({ type: z.literal('record_medical'), fitToTravel: z.boolean(), notes: text(2_000).optional() }),
} as const;

export type ActionType = keyof typeof actionSchemas;
export const ACTION_TYPES = Object.keys(actionSchemas) as ActionType[];
export type Action = { [K in ActionType]: z.infer<(typeof actionSchemas)[K]> }[ActionType];
export type ActionOf<K extends ActionType> = z.infer<(typeof actionSchemas)[K]>;

export const actionSchema = z.discriminatedUnion(
  'type',
  Object.values(actionSchemas) as unknown as [
    (typeof actionSchemas)[ActionType],
    ...(typeof actionSchemas)[ActionType][],
  ],
);

// ---- Agency tasks ----
export const CONSULAR_TASK_TYPES = [
  'verify_nationality',
  'issue_travel_document',
  'arrange_shelter',
  'arrange_medical_check',
] as const;
export const TASK_TYPES = [...CONSULAR_TASK_TYPES, 'exit_restriction_review', 'supervisor_review', 'follow_up'] as const;
export const taskTypeSchema = z.enum(TASK_TYPES);
export type TaskType = z.infer<typeof taskTypeSchema>;
export const TASK_STATUSES = ['open', 'claimed', 'completed', 'rejected', 'cancelled'] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const taskResultSchemas = {
  verify_nationality: z.strictObject({ verified: z.boolean(), notes: text(2_000).optional() }),
  issue_travel_document: z.strictObject({
    documentType: z.enum(['emergency_travel_document', 'passport']),
    number: text(64),
    validUntil: isoDate,
  }),
  arrange_shelter: z.strictObject({ shelterName: text(200), from: isoDate }),
  arrange_medical_check: z.strictObject({ fitToTravel: z.boolean(), notes: text(2_000).optional() }),
  exit_restriction_review: z
    .strictObject({
      decision: z.enum(['restricted', 'not_restricted']),
      basis: text(2_000).optional(),
      from: isoDate.optional(),
      until: isoDate.optional(),
      noticeServedAt: isoDate.optional(),
    })
    .superRefine((r, ctx) => {
      if (r.decision !== 'restricted') return;
      for (const field of ['basis', 'from', 'until'] as const) {
        if (r[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'required when restricted' });
      }
      if (r.from && r.until && r.until < r.from) {
        ctx.addIssue({ code: 'custom', path: ['until'], message: 'must not be before from' });
      }
    }),
  supervisor_review: z.strictObject({
    // reissue: send the rejected/refused work again (optionally to another consulate);
    // proceed: the supervisor takes responsibility for moving on without it; wait: keep the case where it is.
    decision: z.enum(['reissue', 'proceed', 'wait']),
    consulateId: agencyId.optional(),
    notes: text(2_000).optional(),
  }),
  follow_up: z.strictObject({
    outcome: z.enum(['employed', 'unemployed', 'unreachable', 'declined']),
    notes: text(2_000).optional(),
  }),
} as const;

export const completeTaskBodySchema = z.strictObject({ result: z.record(z.string(), z.unknown()) });
export const rejectTaskBodySchema = z.strictObject({ reason: text(2_000) });

// ---- What the case workflow's update validators check of a message besides the action, task or
// approval it names: its free text and who sends it must be storable, whoever the sender (the API
// checks the same first). The actor's sub is not length-checked here: it is the identity provider's.
const messageActorSchema = z.object({ sub: storable(z.string().min(1)), role: actorSchema.shape.role });
export const actionMessageSchema = z.object({ actor: messageActorSchema });
export const taskCompletionMessageSchema = z.object({ actor: messageActorSchema });
export const taskRejectionMessageSchema = z.object({ reason: text(2_000), actor: messageActorSchema });
export const approvalDecisionMessageSchema = z.object({ comment: text(2_000).optional(), actor: messageActorSchema });

// ---- Approvals ----
export const approvalDecisionSchema = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  comment: text(2_000).optional(),
});

// ---- Agencies ----
export const AGENCY_KINDS = ['consulate', 'immigration', 'employment_service'] as const;
export const agencyCreateSchema = z.strictObject({
  id: agencyId,
  kind: z.enum(AGENCY_KINDS),
  name: text(200),
  country: countryCode.optional(),
  city: text(200).optional(),
});
export type AgencyCreate = z.infer<typeof agencyCreateSchema>;

// ---- Mass rescue operations ----
export const MAX_OPERATION_PERSONS = 10_000;
export const operationPersonSchema = z.strictObject({
  person: personSchema,
  riskFlags: z.array(riskFlagSchema).max(RISK_FLAGS.length).default([]),
  location: locationSchema.optional(),
});
export const operationCreateSchema = z.strictObject({
  name: text(200),
  country: countryCode,
  site: text(200).optional(),
  date: isoDate,
  consulateId: agencyId,
  office: officeId.optional(),
  persons: z.array(operationPersonSchema).min(1).max(MAX_OPERATION_PERSONS, `at most ${MAX_OPERATION_PERSONS} persons per operation`),
});
export type OperationCreate = z.infer<typeof operationCreateSchema>;

// ---- Retention and erasure (admin) ----
export const legalHoldSchema = z.strictObject({
  hold: z.boolean(),
  /** Why (a court order, a pending claim): kept sealed with the case. */
  reason: text(1000),
});
export const eraseSchema = z.strictObject({
  /** The request being honoured (a reference, not the person's data): recorded in the tombstone, sealed. */
  reason: text(1000),
});

export { agencyId as agencyIdSchema, officeId as officeIdSchema, isoDateTime as isoDateTimeSchema };
