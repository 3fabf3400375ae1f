// Asking a case to take a step (a Workflow Update), shared by the API and the activities that act on
// many cases (bulk actions): the deadline of every call, the update id that joins a retry to its
// first attempt, and reading what came back. A refusal is the case's answer (an docs/api.md error code);
// no answer is either "not applied" (refused before it was accepted) or "maybe applied" (the call
// ran out of time, or the connection broke, after it may have been accepted).
import { createHash } from 'node:crypto';
import { type Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { ERROR_CODES, type ErrorCode } from '../domain/errors.js';
import { IDEMPOTENT_UPDATE_PREFIX, caseWorkflowId } from '../domain/ids.js';

/** Runs a Temporal call with a deadline: no answer by then means the server or the workers are not there. */
export function withDeadline<T>(temporal: Client, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  return temporal.connection.withDeadline(Date.now() + timeoutMs, fn);
}

/** Sends one update to a case's workflow and waits for its outcome, at most `timeoutMs`. */
export function executeCaseUpdate<Ret, Arg>(
  temporal: Client,
  timeoutMs: number,
  caseId: string,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  updateId?: string,
): Promise<Ret> {
  const handle = temporal.workflow.getHandle(caseWorkflowId(caseId));
  return withDeadline(temporal, timeoutMs, () => handle.executeUpdate(update, { args: [arg], ...(updateId ? { updateId } : {}) }));
}

/**
 * The case's own refusal of an update: the workflow rejects with an docs/api.md error code as the
 * failure type (workflows/case-steps.ts `asApplicationFailure`, `translateReadModelRefusal`). Undefined
 * for anything else.
 */
export function caseRefusal(err: unknown): { code: ErrorCode; message: string; details: unknown } | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type && (ERROR_CODES as readonly string[]).includes(cause.type)) {
    return { code: cause.type as ErrorCode, message: cause.message, details: cause.details?.[0] ?? undefined };
  }
  return undefined;
}

// gRPC codes: 1 CANCELLED, 4 DEADLINE_EXCEEDED, 8 RESOURCE_EXHAUSTED, 9 FAILED_PRECONDITION, 14 UNAVAILABLE.
const NOT_APPLIED = new Set([8, 9]);
const MAYBE_APPLIED = new Set([1, 4, 14]);

/**
 * An update that got no answer. `not_applied`: refused whole before it was accepted (e.g. "Workflow
 * Task in failed state"); `maybe_applied`: it may still complete. Undefined when the error is an
 * answer (a refusal, a failure) or something else.
 */
export function noAnswerOf(err: unknown): 'not_applied' | 'maybe_applied' | undefined {
  if (isUnprocessed(err)) return 'maybe_applied';
  const code = isGrpcServiceError(err) ? err.code : undefined;
  if (code !== undefined && NOT_APPLIED.has(code)) return 'not_applied';
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (code !== undefined && MAYBE_APPLIED.has(code))) return 'maybe_applied';
  return undefined;
}

/**
 * The server's own rejection of an update a worker was sent but did not take up in its workflow task
 * (seen around a server restart). It is not the case's answer: the workflow never saw it this time,
 * yet an earlier attempt with the same update id may have been accepted, so it counts as "maybe
 * applied"; a retry with the same id gets the outcome.
 */
function isUnprocessed(err: unknown): boolean {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'UnprocessedUpdate';
}

/**
 * The update id with which a bulk action acts on one case: the same for every attempt (a retried
 * activity, a restarted worker), so Temporal applies it once. It carries the prefix of
 * Idempotency-Key ids, so the case remembers it across continue-as-new as well.
 */
export function bulkUpdateId(bulkId: string, caseId: string): string {
  return IDEMPOTENT_UPDATE_PREFIX + createHash('sha256').update(`homeward-bulk\u0000${bulkId}\u0000${caseId}`).digest('hex').slice(0, 48);
}
