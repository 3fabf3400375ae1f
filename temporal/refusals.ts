// Telling a Temporal call that failed for good from one that may succeed when retried. The client
// wraps the server's gRPC status in its own errors (ServiceError, with the status as its cause), so
// the code is looked for along the chain of causes.
import { isGrpcServiceError } from '@temporalio/client';

// gRPC codes: 3 INVALID_ARGUMENT (e.g. a search attribute the namespace does not define, a payload
// over the size limit), 11 OUT_OF_RANGE. Everything else (UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED, a namespace not found while it is being set up…) may pass.
const FOR_GOOD = new Set([3, 11]);

/** The gRPC status code of a Temporal client error, if it carries one. */
export function grpcCodeOf(err: unknown): number | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

/** Whether the server refused the request itself: the same request will be refused again. */
export function refusedForGood(err: unknown): boolean {
  const code = grpcCodeOf(err);
  return code !== undefined && FOR_GOOD.has(code);
}
