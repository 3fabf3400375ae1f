// Which errors an operation can answer, grouped by status, each status with its codes' schemas and an
// example of each code. What every route of a kind can answer is derived here from its declaration
// (api/http.ts), so a route lists only the codes particular to it (`errors`).
import type { ZodOpenApiResponsesObject } from 'zod-openapi';
import type { ErrorCode } from '../../domain/errors.js';
import { STATUS } from '../errors.js';
import type { AnyRoute } from '../http.js';
import { ERROR_EXAMPLES, errorBodyFor } from '../responses/errors.js';

const DESCRIPTIONS: Record<ErrorCode, string> = {
  validation_failed: 'validation_failed: a parameter, header or the body fails its schema, or holds text that cannot be stored',
  unauthenticated: 'unauthenticated: no, a malformed, an expired or a wrongly signed token',
  forbidden: 'forbidden: the role or scope does not allow it',
  not_found: "not_found: no such resource, or one outside the caller's scope",
  invalid_transition: "invalid_transition: not allowed in the case's stage now",
  duplicate_person: 'duplicate_person: an open case already has this identity document',
  conflict: 'conflict: e.g. someone else holds the task, or it is already decided',
  version_mismatch: "version_mismatch: If-Match is not the case's current version",
  payload_too_large: 'payload_too_large: the body is over the limit',
  idempotency_key_reused: 'idempotency_key_reused: this Idempotency-Key came with another request',
  rate_limited: 'rate_limited: slow down; see Retry-After',
  unavailable: 'unavailable: PostgreSQL or Temporal did not answer; see Retry-After and details.retry',
  internal: 'internal: an error on our side',
};

/** The codes a route can answer: the ones of its kind, then its own. */
export function errorCodesOf(route: Pick<AnyRoute, 'roles' | 'params' | 'body' | 'idempotency' | 'errors'>): ErrorCode[] {
  // Every request passes the edge's checks of URL and headers, and may meet a fault of ours.
  const codes = new Set<ErrorCode>(['validation_failed', 'internal']);
  if (route.roles) for (const c of ['unauthenticated', 'forbidden', 'rate_limited', 'unavailable'] as const) codes.add(c);
  if (route.params) codes.add('not_found');
  if (route.body) codes.add('payload_too_large');
  if (route.idempotency) codes.add('idempotency_key_reused');
  for (const c of route.errors ?? []) codes.add(c);
  return [...codes];
}

/** The OpenAPI responses of these codes: one per status, with every code's example. */
export function errorResponses(codes: readonly ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(STATUS[code], [...(byStatus.get(STATUS[code]) ?? []), code]);
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, sharing] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`${status}` as `${4 | 5}${string}`] = {
      description: sharing.map((c) => DESCRIPTIONS[c]).join('; '),
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } } : {}),
      content: {
        'application/json': {
          schema: errorBodyFor(sharing),
          examples: Object.fromEntries(sharing.map((c) => [c, { value: ERROR_EXAMPLES[c] }])),
        },
      },
    };
  }
  return responses;
}
