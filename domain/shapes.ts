// The shapes of everything that crosses a boundary (HTTP body, workflow input, update argument),
// each built on first use. The API validates with these schemas (through domain/schemas.ts, which
// builds them all once) and the workflow's update validators run the very same ones, so a request
// the API accepts can never be refused by the workflow for its shape, and vice versa.
//
// Why built on first use: the case workflow imports this module, and every new workflow evaluates
// its modules afresh in its own sandbox. Building every schema up front took about 40 ms of a new
// case's first workflow task (bench/RESULTS.md, intake); a case builds only the few it is sent.
// Workflow code imports from here, never from domain/schemas.ts (eslint.config.js holds that).
import { z } from './zod.js';
import { unstorable } from './text.js';
import { normaliseDocumentNumber } from './person-match.js';

export const STAGES = [
  'locating',
  'extraction',
  'consular_contact',
  'return',
  'exit_restriction_check',
  'employment_assistance',
  'closed',
] as const;
export const stageSchema = once(() => z.enum(STAGES));
export type Stage = z.infer<ReturnType<typeof stageSchema>>;

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export const prioritySchema = once(() => z.enum(PRIORITIES));
export type Priority = z.infer<ReturnType<typeof prioritySchema>>;

export const RISK_FLAGS = ['minor', 'injured', 'detained', 'abused', 'pregnant', 'medical', 'disability'] as const;
export const riskFlagSchema = once(() => z.enum(RISK_FLAGS));
export type RiskFlag = z.infer<ReturnType<typeof riskFlagSchema>>;

export const BEST_INTERESTS_DETERMINATIONS = ['return_in_best_interests', 'return_not_in_best_interests'] as const;
export type BestInterestsDetermination = (typeof BEST_INTERESTS_DETERMINATIONS)[number];

export const SCREENING_OUTCOMES = ['victim', 'suspect', 'both', 'undetermined'] as const;
export const screeningSchema = once(() => z.enum(SCREENING_OUTCOMES));

/**
 * Forms of exploitation found at screening, after the CTDC / HTCDS categories. In the fraud compounds
 * it is mostly forced criminality (made to run the scams), often with forced labour or abuse.
 */
export const EXPLOITATION_TYPES = ['forced_criminality', 'forced_labour', 'sexual_exploitation', 'forced_marriage', 'organ_removal', 'other'] as const;
export type ExploitationType = (typeof EXPLOITATION_TYPES)[number];
export const exploitationTypeSchema = once(() => z.enum(EXPLOITATION_TYPES));

export const CLOSURE_REASONS = [
  'reintegrated',
  'declined_assistance',
  'deceased',
  'duplicate',
  'not_a_national',
  'transferred',
  'lost_contact',
] as const;
export const closureReasonSchema = once(() => z.enum(CLOSURE_REASONS));
export type ClosureReason = z.infer<ReturnType<typeof closureReasonSchema>>;

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
/** A schema built on its first use and kept. */
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/** A record whose entries are built on first read; keys stay enumerable, so Object.keys and iteration still work. */
function lazyRecord<B extends Record<string, () => unknown>>(builders: B): { readonly [K in keyof B]: ReturnType<B[K]> } {
  const out = {} as { [K in keyof B]: ReturnType<B[K]> };
  for (const key of Object.keys(builders)) Object.defineProperty(out, key, { enumerable: true, get: once(builders[key]!) });
  return out;
}

const text = (max: number) => storable(z.string().trim().min(1).max(max));
const countryCode = once(() => z
  .string()
  .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code such as "PH"'));
// Plain regexes rather than z.iso.*: these schemas also run inside the workflow bundle, where
// webpack resolved z.iso.date to z.date (a Date instance check) and refused every string.
const isoDate = once(() => z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(d)) && new Date(d).toISOString().slice(0, 10) === d, 'not a calendar date'));
const isoDateTime = once(() => z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, 'expected an ISO 8601 date-time with offset, e.g. 2026-11-02T10:00:00Z')
  .refine((d) => !Number.isNaN(Date.parse(d)), 'not a valid date-time'));
// BCP 47 in its common shapes (en, zh-Hans, pt-BR); the registry itself is not needed to catch typos.
const languageTag = once(() => z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 language tag'));

// The emergency travel document a consulate issues (issue_travel_document) joins the person's
// documents as one of them, so it matches a later case like any passport (domain/case/person.ts).
export const DOCUMENT_TYPES = ['passport', 'national_id', 'emergency_travel_document', 'other'] as const;
export const identityDocumentSchema = once(() => z.strictObject({
  type: z.enum(DOCUMENT_TYPES),
  number: text(64),
  issuingCountry: countryCode(),
  validUntil: isoDate().optional(),
}));
export type IdentityDocument = z.infer<ReturnType<typeof identityDocumentSchema>>;

export const GUARDIAN_RELATIONSHIPS = ['parent', 'relative', 'legal_guardian', 'appointed_guardian', 'other'] as const;
/** Who acts for a minor (the `minor` risk flag): gives consent, is heard before the return (domain/case/minors.ts). */
export const guardianSchema = once(() => z.strictObject({
  fullName: text(200),
  relationship: z.enum(GUARDIAN_RELATIONSHIPS),
  phone: storable(z.string().trim().min(3).max(40)).optional(),
  address: text(500).optional(),
  /** The authority or court that appointed a guardian who is not a parent or relative. */
  appointedBy: text(200).optional(),
}));

const phone = once(() => storable(z.string().trim().min(3).max(40)));
const MAX_DOCUMENTS = 10;
const MAX_NATIONALITIES = 5;

/** Two documents are one when their issuing country and number are (numbers as officers write them). */
function repeatedDocuments(documents: ReadonlyArray<Pick<IdentityDocument, 'number' | 'issuingCountry'>>, ctx: z.RefinementCtx, path: PropertyKey[]) {
  const seen = new Set<string>();
  documents.forEach((d, i) => {
    const key = `${d.issuingCountry}:${normaliseDocumentNumber(d.number)}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [...path, i, 'number'], message: 'the same document is listed twice' });
    seen.add(key);
  });
}

/** `nationalities` lists further nationalities: not the primary one, none twice. */
export function repeatedNationalities(nationality: string | undefined, nationalities: readonly string[], ctx: z.RefinementCtx, path: PropertyKey[]) {
  const seen = new Set<string>(nationality ? [nationality] : []);
  nationalities.forEach((n, i) => {
    if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [...path, i], message: n === nationality ? 'already the primary nationality' : 'listed twice' });
    seen.add(n);
  });
}

export const personSchema = once(() => z
  .strictObject({
    fullName: text(200),
    /** The name in the person's own script (阮文安, ສົມຊາຍ): matched for possible duplicates on its own. */
    nativeName: text(200).optional(),
    dateOfBirth: isoDate().optional(),
    sex: z.enum(['female', 'male', 'other', 'unknown']).default('unknown'),
    /** The nationality the case works with (the consulate's); further ones in `nationalities`. */
    nationality: countryCode(),
    nationalities: z.array(countryCode()).max(MAX_NATIONALITIES).optional(),
    documents: z.array(identityDocumentSchema()).max(MAX_DOCUMENTS).default([]),
    languages: z.array(languageTag()).max(10).default([]),
    phone: phone().optional(),
    guardian: guardianSchema().optional(),
  })
  .superRefine((p, ctx) => {
    repeatedDocuments(p.documents, ctx, ['documents']);
    repeatedNationalities(p.nationality, p.nationalities ?? [], ctx, ['nationalities']);
  }));
export type Person = z.infer<ReturnType<typeof personSchema>>;

/**
 * The fields `update_person` may change: any subset. Lists replace the whole list; `null` clears an
 * optional field. No defaults here, so a field left out is never reset.
 */
export const personUpdateFields = lazyRecord({
  fullName: () => text(200),
  nativeName: () => text(200).nullable(),
  dateOfBirth: () => isoDate().nullable(),
  sex: () => z.enum(['female', 'male', 'other', 'unknown']),
  nationality: () => countryCode(),
  nationalities: () => z.array(countryCode()).max(MAX_NATIONALITIES),
  documents: () => z.array(identityDocumentSchema()).max(MAX_DOCUMENTS),
  languages: () => z.array(languageTag()).max(10),
  phone: () => phone().nullable(),
  guardian: () => guardianSchema().nullable(),
});
export type PersonField = keyof typeof personUpdateFields;
export const PERSON_FIELDS = Object.keys(personUpdateFields) as PersonField[];

export const locationSchema = once(() => z.strictObject({
  country: countryCode(),
  region: text(200).optional(),
  site: text(200).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  confirmed: z.boolean().optional(),
}));
export type Location = z.infer<ReturnType<typeof locationSchema>>;

export const SOURCE_TYPES = [
  'family_report',
  'hotline',
  'foreign_police',
  'embassy',
  'ngo',
  'self_report',
  'rescue_operation',
] as const;
export const sourceSchema = once(() => z.strictObject({
  type: z.enum(SOURCE_TYPES),
  reference: text(200).optional(),
}));

const agencyId = once(() => z.string().regex(/^[a-z0-9][a-z0-9_-]{1,63}$/, 'expected an agency id such as "ph-consulate-bkk"'));
const officeId = once(() => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected an office id'));

/** Body of POST /v1/cases. */
export const openCaseSchema = once(() => z.strictObject({
  person: personSchema(),
  location: locationSchema().optional(),
  source: sourceSchema().default({ type: 'self_report' }),
  riskFlags: z.array(riskFlagSchema()).max(RISK_FLAGS.length).default([]),
  consulateId: agencyId(),
  office: officeId().optional(),
}));
export type OpenCaseBody = z.infer<ReturnType<typeof openCaseSchema>>;

export const actorSchema = once(() => z.strictObject({
  sub: storable(z.string().min(1).max(200)),
  role: z.enum(['caseworker', 'agency_officer', 'supervisor', 'admin', 'system']),
}));
export type Actor = z.infer<ReturnType<typeof actorSchema>>;

// ---- Case actions (docs/api.md "Act on a case"). Each is a Workflow Update of the same name. ----
export const actionSchemas = lazyRecord({
  add_note: () => z.strictObject({ type: z.literal('add_note'), text: text(10_000) }),
  assign: () => z.strictObject({ type: z.literal('assign'), assignee: text(200).nullable() }),
  set_priority: () => z.strictObject({ type: z.literal('set_priority'), priority: prioritySchema(), reason: text(2_000) }),
  hold: () => z.strictObject({ type: z.literal('hold'), reason: text(2_000) }),
  resume: () => z.strictObject({ type: z.literal('resume') }),
  record_consent: () => z
    .strictObject({
      type: z.literal('record_consent'),
      consularNotification: z.enum(['granted', 'refused']).optional(),
      dataSharing: z.enum(['granted', 'withdrawn']).optional(),
      // Whether the person agrees to their case being referred to the police during the recovery and
      // reflection period (CoE Convention art. 13; domain/case/justice.ts).
      policeReferral: z.enum(['granted', 'refused']).optional(),
      /** Who gave it: for a minor, consent is given by the guardian (domain/case/minors.ts). */
      givenBy: z.enum(['person', 'guardian']).optional(),
    })
    .refine((a) => a.consularNotification !== undefined || a.dataSharing !== undefined || a.policeReferral !== undefined, {
      message: 'give consularNotification, dataSharing, policeReferral or several of them',
      path: ['consularNotification'],
    }),
  record_screening: () =>
    z.strictObject({
      type: z.literal('record_screening'),
      outcome: screeningSchema(),
      basis: text(2_000),
      exploitationTypes: z
        .array(exploitationTypeSchema())
        .max(EXPLOITATION_TYPES.length)
        .optional()
        .describe('the forms of exploitation found; replaces those recorded before, left as they are when absent'),
    }),
  record_sighting: () => z.strictObject({
    type: z.literal('record_sighting'),
    location: locationSchema(),
    observedAt: isoDateTime(),
    source: text(500),
  }),
  confirm_location: () => z.strictObject({ type: z.literal('confirm_location'), location: locationSchema() }),
  request_extraction: () => z.strictObject({ type: z.literal('request_extraction'), partner: text(200), reference: text(200) }),
  record_extraction: () => z.strictObject({
    type: z.literal('record_extraction'),
    extractedAt: isoDateTime(),
    handedOverTo: text(200),
    injured: z.boolean().optional(),
    medicalNeeds: text(2_000).optional(),
  }),
  record_extraction_failed: () => z.strictObject({ type: z.literal('record_extraction_failed'), reason: text(2_000) }),
  book_return: () => z.strictObject({
    type: z.literal('book_return'),
    departureAt: isoDateTime(),
    arrivalPort: text(200),
    carrier: text(200).optional(),
    flightNumber: text(20).optional(),
    manifestId: text(100).optional(),
  }),
  record_departure: () => z.strictObject({ type: z.literal('record_departure'), departedAt: isoDateTime() }),
  record_arrival: () => z.strictObject({
    type: z.literal('record_arrival'),
    arrivedAt: isoDateTime(),
    port: text(200),
    receivedBy: text(200),
  }),
  record_assessment: () => z.strictObject({
    type: z.literal('record_assessment'),
    skills: z.array(text(200)).max(50),
    education: text(200),
    preferredRegion: text(200),
    needs: z.array(text(200)).max(50),
  }),
  record_referral: () => z.strictObject({
    type: z.literal('record_referral'),
    kind: z.enum(['job', 'training']),
    organisation: text(200),
    description: text(2_000),
  }),
  record_placement: () => z.strictObject({
    type: z.literal('record_placement'),
    employer: text(200),
    position: text(200),
    startDate: isoDate(),
    abroad: z.boolean(),
  }),
  record_follow_up: () => z.strictObject({
    type: z.literal('record_follow_up'),
    taskId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a task id (UUID)'),
    outcome: z.enum(['employed', 'unemployed', 'unreachable', 'declined']),
    notes: text(2_000).optional(),
  }),
  decline_assistance: () => z.strictObject({ type: z.literal('decline_assistance'), reason: text(2_000) }),
  request_closure: () => z.strictObject({
    type: z.literal('request_closure'),
    reason: closureReasonSchema(),
    comment: text(2_000).optional(),
  }),
  // Another office takes the case over once a supervisor of that office approves (domain/case/transfer.ts).
  transfer_office: () => z.strictObject({ type: z.literal('transfer_office'), office: officeId(), reason: text(2_000) }),
  // `agency` names the police force (free text: police forces are not agencies with an inbox here).
  // nonPunishment is required (true) when the person is screened a victim (domain/case/justice.ts).
  refer_to_police: () => z.strictObject({
    type: z.literal('refer_to_police'),
    agency: text(200),
    reference: text(200),
    nonPunishment: z.boolean().optional(),
  }),
  // Corrections to the person (domain/case/person.ts): audited field by field.
  update_person: () => z
    .strictObject({
      type: z.literal('update_person'),
      fullName: personUpdateFields.fullName.optional(),
      nativeName: personUpdateFields.nativeName.optional(),
      dateOfBirth: personUpdateFields.dateOfBirth.optional(),
      sex: personUpdateFields.sex.optional(),
      nationality: personUpdateFields.nationality.optional(),
      nationalities: personUpdateFields.nationalities.optional(),
      documents: personUpdateFields.documents.optional(),
      languages: personUpdateFields.languages.optional(),
      phone: personUpdateFields.phone.optional(),
      guardian: personUpdateFields.guardian.optional(),
      reason: text(2_000),
    })
    .superRefine((a, ctx) => {
      if (!PERSON_FIELDS.some((f) => a[f] !== undefined)) {
        ctx.addIssue({ code: 'custom', path: [], message: `give at least one of ${PERSON_FIELDS.join(', ')}` });
      }
      if (a.documents) repeatedDocuments(a.documents, ctx, ['documents']);
      if (a.nationalities) repeatedNationalities(a.nationality, a.nationalities, ctx, ['nationalities']);
    }),
  add_risk_flag: () => z.strictObject({ type: z.literal('add_risk_flag'), flag: riskFlagSchema(), reason: text(2_000) }),
  remove_risk_flag: () => z.strictObject({ type: z.literal('remove_risk_flag'), flag: riskFlagSchema(), reason: text(2_000) }),
  // A minor's best-interests determination (domain/case/minors.ts): the return is booked only after one
  // that finds it in the child's best interests.
  record_best_interests: () => z.strictObject({
    type: z.literal('record_best_interests'),
    determination: z.enum(BEST_INTERESTS_DETERMINATIONS),
    decidedBy: text(200),
    notes: text(2_000).optional(),
  }),
  // API.md "More actions": a later medical check; unfit blocks book_return until a later fit record.
  record_medical: () => z.strictObject({ type: z.literal('record_medical'), fitToTravel: z.boolean(), notes: text(2_000).optional() }),
});

export type ActionType = keyof typeof actionSchemas;
export const ACTION_TYPES = Object.keys(actionSchemas) as ActionType[];
export type Action = { [K in ActionType]: z.infer<(typeof actionSchemas)[K]> }[ActionType];
export type ActionOf<K extends ActionType> = z.infer<(typeof actionSchemas)[K]>;

type ActionSchemaList = [(typeof actionSchemas)[ActionType], ...(typeof actionSchemas)[ActionType][]];
/** Any action, told apart by its type (the API's request body); built on first use like the rest. */
export const actionSchema = once(() => z.discriminatedUnion('type', Object.values(actionSchemas) as ActionSchemaList));

// ---- Agency tasks ----
export const CONSULAR_TASK_TYPES = [
  'verify_nationality',
  'issue_travel_document',
  'arrange_shelter',
  'arrange_medical_check',
] as const;
export const TASK_TYPES = [...CONSULAR_TASK_TYPES, 'exit_restriction_review', 'supervisor_review', 'follow_up'] as const;
export const taskTypeSchema = once(() => z.enum(TASK_TYPES));
export type TaskType = z.infer<ReturnType<typeof taskTypeSchema>>;
export const TASK_STATUSES = ['open', 'claimed', 'completed', 'rejected', 'cancelled'] as const;
export const taskStatusSchema = once(() => z.enum(TASK_STATUSES));
export type TaskStatus = z.infer<ReturnType<typeof taskStatusSchema>>;

export const taskResultSchemas = lazyRecord({
  verify_nationality: () => z.strictObject({ verified: z.boolean(), notes: text(2_000).optional() }),
  issue_travel_document: () => z.strictObject({
    documentType: z.enum(['emergency_travel_document', 'passport']),
    number: text(64),
    validUntil: isoDate(),
  }),
  arrange_shelter: () => z.strictObject({ shelterName: text(200), from: isoDate() }),
  arrange_medical_check: () => z.strictObject({ fitToTravel: z.boolean(), notes: text(2_000).optional() }),
  exit_restriction_review: () => z
    .strictObject({
      decision: z.enum(['restricted', 'not_restricted']),
      basis: text(2_000).optional(),
      from: isoDate().optional(),
      until: isoDate().optional(),
      noticeServedAt: isoDate().optional(),
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
  supervisor_review: () => z.strictObject({
    // reissue: send the rejected/refused work again (optionally to another consulate);
    // proceed: the supervisor takes responsibility for moving on without it; wait: keep the case where it is.
    decision: z.enum(['reissue', 'proceed', 'wait']),
    consulateId: agencyId().optional(),
    notes: text(2_000).optional(),
  }),
  follow_up: () => z.strictObject({
    outcome: z.enum(['employed', 'unemployed', 'unreachable', 'declined']),
    notes: text(2_000).optional(),
  }),
});

export const completeTaskBodySchema = once(() => z.strictObject({ result: z.record(z.string(), z.unknown()) }));
export const rejectTaskBodySchema = once(() => z.strictObject({ reason: text(2_000) }));

// ---- What the case workflow's update validators check of a message besides the action, task or
// approval it names: its free text and who sends it must be storable, whoever the sender (the API
// checks the same first). The actor's sub is not length-checked here: it is the identity provider's.
const messageActorSchema = once(() => z.object({ sub: storable(z.string().min(1)), role: actorSchema().shape.role }));
export const actionMessageSchema = once(() => z.object({ actor: messageActorSchema() }));
export const taskCompletionMessageSchema = once(() => z.object({ actor: messageActorSchema() }));
export const taskRejectionMessageSchema = once(() => z.object({ reason: text(2_000), actor: messageActorSchema() }));
export const approvalDecisionMessageSchema = once(() => z.object({ comment: text(2_000).optional(), actor: messageActorSchema() }));

// ---- Approvals ----
export const approvalDecisionSchema = once(() => z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  comment: text(2_000).optional(),
}));

// ---- Agencies ----
export const AGENCY_KINDS = ['consulate', 'immigration', 'employment_service'] as const;
export const agencyCreateSchema = once(() => z.strictObject({
  id: agencyId(),
  kind: z.enum(AGENCY_KINDS),
  name: text(200),
  country: countryCode().optional(),
  city: text(200).optional(),
}));
export type AgencyCreate = z.infer<ReturnType<typeof agencyCreateSchema>>;

// ---- Mass rescue operations ----
export const MAX_OPERATION_PERSONS = 10_000;
export const operationPersonSchema = once(() => z.strictObject({
  person: personSchema(),
  riskFlags: z.array(riskFlagSchema()).max(RISK_FLAGS.length).default([]),
  location: locationSchema().optional(),
}));
export const operationCreateSchema = once(() => z.strictObject({
  name: text(200),
  country: countryCode(),
  site: text(200).optional(),
  date: isoDate(),
  consulateId: agencyId(),
  office: officeId().optional(),
  persons: z.array(operationPersonSchema()).min(1).max(MAX_OPERATION_PERSONS, `at most ${MAX_OPERATION_PERSONS} persons per operation`),
}));
export type OperationCreate = z.infer<ReturnType<typeof operationCreateSchema>>;

// ---- Reopening a closed case (POST /v1/cases/:id/reopen, supervisor) ----
export const reopenCaseSchema = once(() => z.strictObject({
  /** Why the person needs a case again (trafficked again, new facts): on both timelines, sealed. */
  reason: text(2_000),
}));

// ---- Retention and erasure (admin) ----
export const legalHoldSchema = once(() => z.strictObject({
  hold: z.boolean(),
  /** Why (a court order, a pending claim): kept sealed with the case. */
  reason: text(1000),
}));
export const eraseSchema = once(() => z.strictObject({
  /** The request being honoured (a reference, not the person's data): recorded in the tombstone, sealed. */
  reason: text(1000),
}));

export { agencyId as agencyIdSchema, officeId as officeIdSchema, isoDateTime as isoDateTimeSchema };
