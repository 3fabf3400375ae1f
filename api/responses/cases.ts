// What the case endpoints answer: the case (GET /v1/cases/:id, POST /v1/cases, actions), its summary
// in lists, the actions allowed now, and the timeline. The case is domain/case.ts caseView (the
// workflow's query answers with it; a closed case's read model keeps the same snapshot).
import { z } from 'zod';
import {
  BEST_INTERESTS_DETERMINATIONS,
  SOURCE_TYPES,
  actionSchemas,
  type ActionType,
  actorSchema,
  closureReasonSchema,
  exploitationTypeSchema,
  locationSchema,
  personSchema,
  prioritySchema,
  riskFlagSchema,
  screeningSchema,
  stageSchema,
  taskResultSchemas,
} from '../../domain/schemas.js';
import { caseApprovalSchema } from './approvals.js';
import { calendarDate, page, possibleDuplicatesSchema, timestamp, uuid } from './common.js';
import { caseTaskSchema } from './tasks.js';

export const actionTypeSchema = z.enum(Object.keys(actionSchemas) as [ActionType, ...ActionType[]]);

const nextDeadlineSchema = z
  .strictObject({
    kind: z.string().describe('task:<type>, approval:closure, stage:<kind> or follow_up_due'),
    at: timestamp,
    paused: z.boolean().optional().describe('on hold: the deadline waits, with remainingMs left'),
    remainingMs: z.number().min(0).optional(),
  })
  .nullable();

const exitRestrictionSchema = z.strictObject({
  decision: z.enum(['restricted', 'not_restricted']),
  status: z.enum(['active', 'lifted', 'none']),
  basis: z.string().nullable(),
  from: calendarDate.nullable(),
  until: calendarDate.nullable(),
  noticeServedAt: calendarDate.nullable(),
  decidedAt: timestamp,
  liftedAt: timestamp.nullable(),
  liftAt: timestamp.nullable().describe('when the lift will be recorded'),
});

const tripArrival = {
  departedAt: timestamp.optional(),
  arrivedAt: timestamp.optional(),
  port: z.string().optional(),
  receivedBy: z.string().optional(),
};

// Invented people and places only.
const CASE_EXAMPLE = {
  id: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f',
  reference: 'HW-2026-000123',
  status: 'open',
  stage: 'consular_contact',
  onHold: false,
  holdReason: null,
  priority: 'high',
  version: 7,
  office: 'manila',
  assignee: 'cw-ana',
  consulateId: 'ph-consulate-bkk',
  operationId: null,
  source: { type: 'family_report', reference: 'FR-2026-0042' },
  person: {
    fullName: 'Amihan Dela Cruz',
    dateOfBirth: '1998-02-14',
    sex: 'female',
    nationality: 'PH',
    documents: [{ type: 'passport', number: 'P0000001X', issuingCountry: 'PH' }],
    languages: ['tl', 'en'],
  },
  location: { country: 'MM', region: 'Kayin', site: 'Compound 7', confirmed: true },
  riskFlags: ['abused'],
  screening: 'victim',
  exploitationTypes: ['forced_criminality', 'forced_labour'],
  consent: { consularNotification: 'granted', dataSharing: 'granted', policeReferral: 'unknown' },
  exitRestriction: null,
  extraction: { partner: 'Partner police unit', reference: 'REQ-881', extractedAt: '2026-11-20T03:00:00Z', handedOverTo: 'Border reception desk', attempts: 1 },
  travelDocument: null,
  returnTrip: null,
  employment: { assessment: null, referrals: [], placement: null },
  openTasks: [
    {
      id: '0b9c2f4e-6a51-4d3e-9f0a-2c7d1e8b5a60',
      caseId: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f',
      caseReference: 'HW-2026-000123',
      agencyId: 'ph-consulate-bkk',
      audience: 'agency',
      type: 'issue_travel_document',
      status: 'claimed',
      priority: 'high',
      dueAt: '2026-11-25T03:00:00.000Z',
      escalationLevel: 0,
      claimedBy: 'consul-chen',
      input: {
        fullName: 'Amihan Dela Cruz',
        dateOfBirth: '1998-02-14',
        sex: 'female',
        nationality: 'PH',
        documents: [{ type: 'passport', number: 'P0000001X', issuingCountry: 'PH' }],
      },
      result: null,
      reason: null,
      createdAt: '2026-11-20T03:00:00.000Z',
      completedAt: null,
    },
  ],
  pendingApprovals: [],
  nextDeadline: { kind: 'task:issue_travel_document', at: '2026-11-25T03:00:00.000Z' },
  allowedActions: ['add_note', 'assign', 'set_priority', 'hold', 'record_consent', 'record_screening', 'decline_assistance', 'request_closure'],
  closure: null,
  bestInterests: null,
  medical: null,
  possibleDuplicates: [],
  previousCaseId: null,
  reopenedAs: null,
  justice: { reflectionPeriodEndsAt: '2026-12-20T03:00:00.000Z', policeReferrals: [] },
  createdAt: '2026-11-02T08:00:00.000Z',
  updatedAt: '2026-11-20T03:00:00.000Z',
  stageEnteredAt: '2026-11-20T03:00:00.000Z',
};

export const caseViewSchema = z
  .strictObject({
    id: uuid,
    reference: z.string(),
    status: z.enum(['open', 'closed']),
    stage: stageSchema,
    onHold: z.boolean(),
    holdReason: z.string().nullable(),
    priority: prioritySchema,
    version: z.int().min(1).describe('send it back in If-Match to act only on what you saw'),
    office: z.string(),
    assignee: z.string().nullable(),
    consulateId: z.string(),
    operationId: uuid.nullable().describe('the mass rescue operation that opened the case'),
    source: z.strictObject({ type: z.enum(SOURCE_TYPES), reference: z.string().optional() }),
    person: personSchema,
    location: locationSchema.nullable().describe('the latest known location'),
    riskFlags: z.array(riskFlagSchema),
    screening: screeningSchema,
    exploitationTypes: z.array(exploitationTypeSchema).describe('the forms of exploitation found at screening'),
    consent: z.strictObject({
      consularNotification: z.enum(['unknown', 'granted', 'refused']),
      dataSharing: z.enum(['unknown', 'granted', 'withdrawn']),
      policeReferral: z.enum(['unknown', 'granted', 'refused']).describe('consent to a police referral during the recovery and reflection period'),
    }),
    exitRestriction: exitRestrictionSchema.nullable(),
    extraction: z
      .strictObject({
        partner: z.string().optional(),
        reference: z.string().optional(),
        extractedAt: timestamp.optional(),
        handedOverTo: z.string().optional(),
        attempts: z.int().min(0),
      })
      .nullable(),
    travelDocument: taskResultSchemas.issue_travel_document.nullable(),
    returnTrip: actionSchemas.book_return.omit({ type: true }).extend(tripArrival).nullable(),
    employment: z.strictObject({
      assessment: actionSchemas.record_assessment.omit({ type: true }).nullable(),
      referrals: z.array(actionSchemas.record_referral.omit({ type: true }).extend({ at: timestamp })),
      placement: actionSchemas.record_placement.omit({ type: true }).nullable(),
    }),
    openTasks: z.array(caseTaskSchema),
    pendingApprovals: z.array(caseApprovalSchema),
    nextDeadline: nextDeadlineSchema,
    allowedActions: z.array(actionTypeSchema).describe('what POST /v1/cases/{id}/actions accepts now'),
    closure: z.strictObject({ reason: closureReasonSchema, comment: z.string().nullable(), approvedBy: z.string(), closedAt: timestamp }).nullable(),
    bestInterests: z
      .strictObject({
        determination: z.enum(BEST_INTERESTS_DETERMINATIONS),
        decidedBy: z.string(),
        notes: z.string().nullable(),
        recordedAt: timestamp,
        recordedBy: actorSchema,
      })
      .nullable()
      .describe("a minor's latest best-interests determination"),
    medical: z
      .strictObject({
        fitToTravel: z.boolean(),
        notes: z.string().nullable(),
        recordedAt: timestamp,
        source: z.enum(['arrange_medical_check', 'record_medical']),
      })
      .nullable()
      .describe("the latest record of the person's fitness to travel: unfit blocks book_return"),
    possibleDuplicates: possibleDuplicatesSchema.optional(),
    previousCaseId: uuid.nullable().describe('the closed case this one reopened (the same person trafficked again)'),
    reopenedAs: uuid.nullable().describe('once reopened: the new case of the same person'),
    justice: z
      .strictObject({
        reflectionPeriodEndsAt: timestamp.nullable().describe('end of the recovery and reflection period (null before extraction)'),
        policeReferrals: z.array(
          z.strictObject({
            agency: z.string(),
            reference: z.string(),
            nonPunishment: z.boolean(),
            referredAt: timestamp,
            basis: z.enum(['consent', 'reflection_period_ended']),
          }),
        ),
      })
      .describe('police referrals and the recovery and reflection period that gates them'),
    createdAt: timestamp,
    updatedAt: timestamp,
    stageEnteredAt: timestamp,
    anonymised: z
      .strictObject({ at: timestamp, basis: z.enum(['retention', 'erasure']) })
      .optional()
      .describe('present once the person was anonymised: personal fields replaced'),
  })
  .meta({ id: 'Case', example: CASE_EXAMPLE });

export const caseSummarySchema = z
  .strictObject({
    id: uuid,
    reference: z.string(),
    status: z.enum(['open', 'closed']),
    stage: stageSchema,
    onHold: z.boolean(),
    priority: prioritySchema,
    version: z.int().min(1),
    office: z.string(),
    assignee: z.string().nullable(),
    consulateId: z.string(),
    operationId: uuid.nullable(),
    person: z.strictObject({ fullName: z.string(), nationality: z.string() }),
    location: z.strictObject({ country: z.string(), confirmed: z.boolean() }).nullable(),
    riskFlags: z.array(riskFlagSchema),
    screening: screeningSchema,
    nextDeadline: nextDeadlineSchema,
    overdue: z.boolean().describe('open, and its next deadline has passed'),
    createdAt: timestamp,
    updatedAt: timestamp,
    stageEnteredAt: timestamp,
  })
  .meta({ id: 'CaseSummary' });

export const casePageSchema = page(caseSummarySchema).meta({
  id: 'CasePage',
  example: {
    items: [
      {
        id: CASE_EXAMPLE.id,
        reference: CASE_EXAMPLE.reference,
        status: 'open',
        stage: 'consular_contact',
        onHold: false,
        priority: 'high',
        version: 7,
        office: 'manila',
        assignee: 'cw-ana',
        consulateId: 'ph-consulate-bkk',
        operationId: null,
        person: { fullName: 'Amihan Dela Cruz', nationality: 'PH' },
        location: { country: 'MM', confirmed: true },
        riskFlags: ['abused'],
        screening: 'victim',
        nextDeadline: { kind: 'task:issue_travel_document', at: '2026-11-25T03:00:00.000Z' },
        overdue: false,
        createdAt: '2026-11-02T08:00:00.000Z',
        updatedAt: '2026-11-20T03:00:00.000Z',
        stageEnteredAt: '2026-11-20T03:00:00.000Z',
      },
    ],
    nextCursor: 'WyIyMDI2LTExLTAyVDA4OjAwOjAwLjAwMFoiLCI1ZjFkN2MyYSJd',
  },
});

export const allowedActionsSchema = z
  .strictObject({ stage: stageSchema, allowed: z.array(actionTypeSchema) })
  .meta({ id: 'AllowedActions', example: { stage: 'locating', allowed: ['add_note', 'assign', 'record_sighting', 'confirm_location'] } });

export const timelineEntrySchema = z
  .strictObject({
    seq: z.int().min(1),
    at: timestamp,
    type: z.string().describe('case_opened, an action type, task_created, task_completed, escalated, …'),
    actor: actorSchema,
    stage: stageSchema.describe('the stage of the case when the entry was written'),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineEntry' });

export const timelinePageSchema = page(timelineEntrySchema).meta({
  id: 'TimelinePage',
  example: {
    items: [
      {
        seq: 1,
        at: '2026-11-02T08:00:00.000Z',
        type: 'case_opened',
        actor: { sub: 'cw-ana', role: 'caseworker' },
        stage: 'locating',
        data: { source: { type: 'family_report', reference: 'FR-2026-0042' }, riskFlags: ['abused'], consulateId: 'ph-consulate-bkk', location: null, operationId: null },
      },
      {
        seq: 2,
        at: '2026-11-03T09:12:00.000Z',
        type: 'confirm_location',
        actor: { sub: 'cw-ana', role: 'caseworker' },
        stage: 'locating',
        data: { location: { country: 'MM', region: 'Kayin', site: 'Compound 7' } },
      },
      { seq: 3, at: '2026-11-03T09:12:00.000Z', type: 'stage_changed', actor: { sub: 'cw-ana', role: 'caseworker' }, stage: 'extraction', data: { from: 'locating', to: 'extraction' } },
    ],
    nextCursor: null,
  },
});
