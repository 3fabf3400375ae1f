// The one way the API asks a case to take a step: a Workflow Update with a deadline, joined to its
// first attempt by the Idempotency-Key, and an honest 503 when no answer comes. Honest means: a
// refusal before anything was accepted says nothing was applied; a timeout says it may still be.
import { WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { caseWorkflowId } from '../../domain/ids.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';

const RETRY_AFTER_SECONDS = 5;

/** Runs a Temporal call with the configured deadline: no answer by then means the server or the workers are not there. */
export function withTemporalDeadline<T>(deps: Pick<ApiDeps, 'temporal' | 'config'>, fn: () => Promise<T>): Promise<T> {
  return deps.temporal.connection.withDeadline(Date.now() + deps.config.temporalCallTimeoutMs, fn);
}

// gRPC codes: 1 CANCELLED, 4 DEADLINE_EXCEEDED, 8 RESOURCE_EXHAUSTED, 9 FAILED_PRECONDITION, 14 UNAVAILABLE.
const NOT_APPLIED = new Set([8, 9]);
const MAYBE_APPLIED = new Set([1, 4, 14]);

export async function updateCase<Ret, Arg>(
  deps: Pick<ApiDeps, 'temporal' | 'config'>,
  caseId: string,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  updateId?: string,
): Promise<Ret> {
  const handle = deps.temporal.workflow.getHandle(caseWorkflowId(caseId));
  try {
    return await withTemporalDeadline(deps, () => handle.executeUpdate(update, { args: [arg], ...(updateId ? { updateId } : {}) }));
  } catch (err) {
    throw noAnswer(err, updateId !== undefined) ?? err;
  }
}

/** The 503 for an update that got no answer, or undefined when the error is an answer (a refusal, a failure). */
function noAnswer(err: unknown, keyed: boolean): ApiError | undefined {
  const code = isGrpcServiceError(err) ? err.code : undefined;
  if (code !== undefined && NOT_APPLIED.has(code)) {
    // e.g. "Workflow Task in failed state": the case cannot take steps this moment; this one was refused whole.
    return new ApiError(
      'unavailable',
      'the case cannot take steps right now; this step was not applied, retry later',
      { applied: false, retry: keyed ? 'same_idempotency_key' : 'safe' },
      RETRY_AFTER_SECONDS,
    );
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (code !== undefined && MAYBE_APPLIED.has(code))) {
    return new ApiError(
      'unavailable',
      keyed
        ? 'no answer from the case in time; the step may still complete. Retry with the same Idempotency-Key to get its outcome without applying it twice'
        : 'no answer from the case in time; the step may still complete. Check the case before retrying, or send an Idempotency-Key to retry safely',
      { applied: 'unknown', retry: keyed ? 'same_idempotency_key' : 'check_case_first' },
      RETRY_AFTER_SECONDS,
    );
  }
  return undefined;
}
