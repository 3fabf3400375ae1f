// The error contract of docs/api.md as schemas: `{ error: { code, message, details?, requestId } }`, with
// the `details` each code carries. api/errors.ts produces these bodies; the OpenAPI document lists,
// per endpoint and status, the codes it can answer, each with an example.
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../domain/errors.js';
import { STAGES } from '../../domain/schemas.js';
import { STATUS } from '../errors.js';
import { actionTypeSchema } from './cases.js';

const fieldIssue = z.strictObject({ path: z.string().describe('e.g. persons[17].person.nationality, or (root), (path), (headers)'), message: z.string() });

const DETAILS: Record<ErrorCode, z.ZodType | undefined> = {
  validation_failed: z.array(fieldIssue).describe('one entry per field'),
  unauthenticated: undefined,
  forbidden: z.strictObject({ reason: z.literal('four_eyes') }).optional().describe('four_eyes: you requested this approval'),
  not_found: undefined,
  invalid_transition: z
    .strictObject({
      stage: z.enum(STAGES),
      allowed: z.array(actionTypeSchema),
      exitRestriction: z.strictObject({ until: z.string().nullable().optional() }).optional(),
    })
    .describe('the stage and the actions allowed in it now'),
  duplicate_person: z
    .union([z.strictObject({ caseId: z.uuid() }), z.strictObject({ inScope: z.literal(false) })])
    .describe("the open case's id when it is in your scope; otherwise only that it is not (the message names the office to contact)"),
  conflict: z.looseObject({}).optional().describe('what stands in the way, e.g. `{ claimedBy }` or `{ status }`'),
  version_mismatch: z.strictObject({ version: z.int() }).describe("the case's current version"),
  payload_too_large: undefined,
  idempotency_key_reused: undefined,
  rate_limited: z.looseObject({}).optional().describe('e.g. `{ reason: "running_operations_limit", office, limit, running }`'),
  unavailable: z
    .strictObject({
      applied: z.union([z.literal(false), z.literal('unknown')]).optional().describe('false: refused whole; unknown: it may still complete'),
      retry: z.enum(['same_idempotency_key', 'safe', 'check_case_first']).optional(),
    })
    .optional(),
  internal: undefined,
};

const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());

/** One schema per code, named in the document (e.g. `InvalidTransitionError`). */
export const errorSchemas = {} as Record<ErrorCode, z.ZodType>;
for (const code of ERROR_CODES) {
  const details = DETAILS[code];
  const inner = z.strictObject({
    code: z.literal(code),
    message: z.string().describe('for people; never internal details'),
    ...(details ? { details } : {}),
    requestId: z.string().describe('also in the X-Request-Id header'),
  });
  errorSchemas[code] = z.strictObject({ error: inner }).meta({ id: `${pascal(code)}Error` });
}

/** The body of an error with this status: one of the codes that share it. */
export function errorBodyFor(codes: readonly ErrorCode[]): z.ZodType {
  const [first, ...rest] = codes.map((c) => errorSchemas[c]);
  return rest.length === 0 ? first! : z.union([first!, ...rest]);
}

export const statusOf = (code: ErrorCode) => STATUS[code];

const example = (code: ErrorCode, message: string, details?: unknown) => ({
  error: { code, message, ...(details !== undefined ? { details } : {}), requestId: '3f9a7c1e-0b2d-4e6f-8a9b-1c2d3e4f5a6b' },
});

/** An example of each code (invented data), shown under every status that can carry it. */
export const ERROR_EXAMPLES: Record<ErrorCode, unknown> = {
  validation_failed: example('validation_failed', 'the request is invalid', [
    { path: 'person.nationality', message: 'expected an ISO 3166-1 alpha-2 country code such as "PH"' },
  ]),
  unauthenticated: example('unauthenticated', 'a bearer token is required'),
  forbidden: example('forbidden', 'this needs the role caseworker or supervisor'),
  not_found: example('not_found', 'no such case'),
  invalid_transition: example('invalid_transition', 'book_return is not allowed now: the case is in stage consular_contact', {
    stage: 'consular_contact',
    allowed: ['add_note', 'assign', 'set_priority', 'hold', 'record_consent', 'record_screening', 'decline_assistance', 'request_closure'],
  }),
  duplicate_person: example('duplicate_person', 'an open case already has this identity document', { caseId: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f' }),
  conflict: example('conflict', 'another person holds this task', { claimedBy: 'consul-chen' }),
  version_mismatch: example('version_mismatch', 'the case is at version 8, not 7', { version: 8 }),
  payload_too_large: example('payload_too_large', 'the request body is too large'),
  idempotency_key_reused: example('idempotency_key_reused', 'this Idempotency-Key was used with a different request'),
  rate_limited: example('rate_limited', 'too many requests; slow down'),
  unavailable: example('unavailable', 'Temporal is unavailable; retry later with the same Idempotency-Key', { retry: 'same_idempotency_key' }),
  internal: example('internal', 'an internal error occurred'),
};
