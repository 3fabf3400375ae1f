// What the inboxes answer (GET /v1/tasks, /v1/tasks/:id, claim, unclaim, complete, reject) and how a
// task appears inside a case. A task's `result` has the schema of its type, the same one that
// validates a completion (domain/schemas.ts taskResultSchemas), so the document names each of them.
import { z } from 'zod';
import { type TaskType, prioritySchema, taskResultSchemas, taskStatusSchema, taskTypeSchema } from '../../domain/schemas.js';
import { page, timestamp, uuid } from './common.js';

const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());

const RESULT_NOTES: Record<TaskType, string> = {
  verify_nationality: 'The consulate says whether the person is a national; `verified: false` opens a supervisor review.',
  issue_travel_document: 'The emergency travel document (or passport) the consulate issued.',
  arrange_shelter: 'Where the person stays until the return, from which day.',
  arrange_medical_check: 'Whether the person is fit to travel.',
  exit_restriction_review: 'The immigration authority\'s decision; `basis`, `from` and `until` are required when `restricted`.',
  supervisor_review: 'reissue: send the refused or rejected work again (optionally to another consulate); proceed: move on without it; wait: keep the case where it is.',
  follow_up: 'How the person is doing after the placement; the last follow-up asks a supervisor to close the case. The `record_follow_up` case action records the same.',
};

/** The result schema of each task type, named in the document (e.g. `VerifyNationalityResult`). */
export const taskResults = Object.fromEntries(
  Object.entries(taskResultSchemas).map(([type, schema]) => [type, schema.meta({ id: `${pascal(type)}Result`, description: RESULT_NOTES[type as TaskType] })]),
) as { [T in TaskType]: (typeof taskResultSchemas)[T] };

export const audienceSchema = z.enum(['agency', 'supervisor', 'caseworker']);
export const redactionSchema = z.enum(['consular_notification_refused', 'data_sharing_withdrawn']);

const core = {
  id: uuid,
  caseId: uuid,
  caseReference: z.string(),
  agencyId: z.string().nullable().describe('the agency whose inbox holds it; null for supervisor and caseworker tasks'),
  audience: audienceSchema,
  status: taskStatusSchema,
  priority: prioritySchema,
  dueAt: timestamp,
  escalationLevel: z.int().min(0).max(2).describe('0 on time; 1 at the due time; 2 at twice the time allowed'),
  input: z.record(z.string(), z.unknown()).describe('the need-to-know case fields the task needs; `{}` when redacted'),
  reason: z.string().nullable().describe('why it was rejected or cancelled'),
  createdAt: timestamp,
  completedAt: timestamp.nullable(),
};

const claimedBy = z.string().nullable().describe('who holds it while `claimed`; null while `open`');

/** A task as it appears in a case's `openTasks` (open or claimed, so without a result yet), its claim as the inbox shows it. */
export const caseTaskSchema = z
  .strictObject({ ...core, type: taskTypeSchema, claimedBy, result: z.record(z.string(), z.unknown()).nullable() })
  .meta({ id: 'CaseTask' });

// Invented people and places only.
const TASK_EXAMPLE = {
  id: '0b9c2f4e-6a51-4d3e-9f0a-2c7d1e8b5a60',
  caseId: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f',
  caseReference: 'HW-2026-000123',
  agencyId: 'ph-consulate-bkk',
  audience: 'agency',
  type: 'issue_travel_document',
  status: 'completed',
  priority: 'high',
  dueAt: '2026-11-25T03:00:00.000Z',
  overdue: false,
  escalationLevel: 0,
  claimedBy: 'consul-chen',
  input: {
    fullName: 'Amihan Dela Cruz',
    dateOfBirth: '1998-02-14',
    sex: 'female',
    nationality: 'PH',
    documents: [{ type: 'passport', number: 'P0000001X', issuingCountry: 'PH' }],
  },
  result: { documentType: 'emergency_travel_document', number: 'ETD-55120', validUntil: '2027-01-31' },
  reason: null,
  createdAt: '2026-11-20T03:00:00.000Z',
  completedAt: '2026-11-21T08:30:00.000Z',
  redacted: null,
};

function inboxTask<T extends TaskType>(type: T) {
  return z
    .strictObject({
      ...core,
      type: z.literal(type),
      overdue: z.boolean(),
      claimedBy,
      result: taskResults[type].nullable(),
      redacted: redactionSchema.nullable().describe('why inputs and results are withheld from this agency reader (the consent in force), or null'),
    })
    .meta({ id: `${pascal(type)}Task` });
}

export const taskSchema = z
  .discriminatedUnion('type', [
    inboxTask('verify_nationality'),
    inboxTask('issue_travel_document'),
    inboxTask('arrange_shelter'),
    inboxTask('arrange_medical_check'),
    inboxTask('exit_restriction_review'),
    inboxTask('supervisor_review'),
    inboxTask('follow_up'),
  ])
  .meta({
    id: 'Task',
    description: 'A task in an inbox; its `result` has the schema of its `type`.',
    example: TASK_EXAMPLE,
  });

export const taskPageSchema = page(taskSchema).meta({ id: 'TaskPage', example: { items: [TASK_EXAMPLE], nextCursor: null } });

/** POST /v1/tasks/:id/complete as documented: the result has the schema of the task's type, whichever it is. */
export const completeTaskBodyDocSchema = z.strictObject({
  result: z
    .union(Object.values(taskResults) as unknown as [ResultSchema, ResultSchema, ...ResultSchema[]])
    .describe("the schema of the task's type (one of the task types' results)"),
});
type ResultSchema = (typeof taskResults)[TaskType];
