// The one way the API asks a case to take a step: a Workflow Update with a deadline, joined to its
// first attempt by the Idempotency-Key (temporal/case-update.ts), and an honest 503 when no answer
// comes. Honest means: a refusal before anything was accepted says nothing was applied; a timeout
// says it may still be.
import type { UpdateDefinition } from '@temporalio/common';
import { executeCaseUpdate, noAnswerOf, withDeadline } from '../../temporal/case-update.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';

const RETRY_AFTER_SECONDS = 5;

/** Runs a Temporal call with the configured deadline: no answer by then means the server or the workers are not there. */
export function withTemporalDeadline<T>(deps: Pick<ApiDeps, 'temporal' | 'config'>, fn: () => Promise<T>): Promise<T> {
  return withDeadline(deps.temporal, deps.config.temporalCallTimeoutMs, fn);
}

export async function updateCase<Ret, Arg>(
  deps: Pick<ApiDeps, 'temporal' | 'config'>,
  caseId: string,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  updateId?: string,
): Promise<Ret> {
  try {
    return await executeCaseUpdate(deps.temporal, deps.config.temporalCallTimeoutMs, caseId, update, arg, updateId);
  } catch (err) {
    throw noAnswer(err, updateId !== undefined) ?? err;
  }
}

/** The 503 for an update that got no answer, or undefined when the error is an answer (a refusal, a failure). */
function noAnswer(err: unknown, keyed: boolean): ApiError | undefined {
  const kind = noAnswerOf(err);
  if (kind === 'not_applied') {
    // e.g. "Workflow Task in failed state": the case cannot take steps this moment; this one was refused whole.
    return new ApiError(
      'unavailable',
      'the case cannot take steps right now; this step was not applied, retry later',
      { applied: false, retry: keyed ? 'same_idempotency_key' : 'safe' },
      RETRY_AFTER_SECONDS,
    );
  }
  if (kind === 'maybe_applied') {
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
