// Tasks the case sends to agencies, supervisors and caseworkers, as they come back: completed (what
// the result does is the stage module's `taskOutcomes`, or the review's decision) or rejected (a
// supervisor then decides). After each completion the current stage checks whether its work is done.
// Every task type completes the same way, from its inbox (`completeTask`) or from an action that
// records it (`record_follow_up`): both go through `settleTask`.
import type { z } from 'zod';
import { taskResultSchemas } from '../shapes.js';
import { DomainError, fieldIssues } from '../errors.js';
import type { TaskOutcome } from './rules.js';
import type { CaseState, CaseTask, Change, Ctx, Features } from './state.js';
import { closeTask, emit, emptyChange } from './steps.js';
import { checkReviewDecision, openReview, resolveReview } from './reviews.js';
import { stageRules } from './stages/index.js';

/** A task no longer to be done is refused alike by the case and by the inbox (api/services/tasks.ts). */
export function assertTaskOpen(task: { status: string }): void {
  if (task.status !== 'open' && task.status !== 'claimed') {
    throw new DomainError('conflict', `the task is already ${task.status}`, { status: task.status });
  }
}

function findOpenTask(state: CaseState, taskId: string): CaseTask {
  const task = state.tasks.find((t) => t.id === taskId);
  if (!task) throw new DomainError('not_found', 'no such task');
  assertTaskOpen(task);
  return task;
}

/** Checks a completion; `features` are the patches in force for the step (the validator passes them all). */
export function validateTaskCompletion(
  state: CaseState,
  taskId: string,
  rawResult: unknown,
  features?: Features,
): { task: CaseTask; result: Record<string, unknown> } {
  const task = findOpenTask(state, taskId);
  const parsed = taskResultSchemas[task.type].safeParse(rawResult);
  if (!parsed.success) {
    throw new DomainError('validation_failed', `invalid result for ${task.type}`, fieldIssues(parsed.error.issues, 'result'));
  }
  const result = parsed.data as Record<string, unknown>;
  if (task.type === 'supervisor_review') checkReviewDecision(state, task, result, features);
  return { task, result };
}

/** Checks a workflow message's own fields (its text, its sender) against its schema; throws validation_failed. */
export function validateMessage(schema: z.ZodType, message: unknown, what: string): void {
  const parsed = schema.safeParse(message);
  if (!parsed.success) throw new DomainError('validation_failed', `invalid ${what}`, fieldIssues(parsed.error.issues));
}

export function validateTaskRejection(state: CaseState, taskId: string): CaseTask {
  const task = findOpenTask(state, taskId);
  if (task.audience !== 'agency') {
    throw new DomainError('conflict', 'only agency tasks can be rejected; decide the review instead');
  }
  return task;
}

function outcomeOf(task: CaseTask): TaskOutcome | undefined {
  if (task.type === 'supervisor_review') return resolveReview;
  for (const rules of stageRules()) {
    const outcome = rules.taskOutcomes?.[task.type];
    if (outcome) return outcome;
  }
  return undefined;
}

/**
 * What completing a task does, however it is completed: the result is kept, the task closed, its
 * outcome applied, then the current stage checks whether its work is done. `announce` records
 * `task_completed` on the timeline; an action that completes a task has its own entry already.
 */
export function settleTask(state: CaseState, task: CaseTask, result: Record<string, unknown>, change: Change, ctx: Ctx, opts: { announce: boolean }): void {
  task.result = result;
  closeTask(task, change, 'completed', ctx);
  if (opts.announce) emit(state, change, ctx, 'task_completed', { taskId: task.id, taskType: task.type, result });
  outcomeOf(task)?.(state, task, result, change, ctx);
  stageRules(state.stage).exitWhenDone?.(state, change, ctx);
}

/** A task completed from its inbox (POST /v1/tasks/:id/complete), with a result validated by validateTaskCompletion. */
export function completeTask(state: CaseState, task: CaseTask, result: Record<string, unknown>, ctx: Ctx): Change {
  const change = emptyChange();
  settleTask(state, task, result, change, ctx, { announce: true });
  return change;
}

export function rejectTask(state: CaseState, task: CaseTask, reason: string, ctx: Ctx): Change {
  const change = emptyChange();
  task.reason = reason;
  closeTask(task, change, 'rejected', ctx);
  emit(state, change, ctx, 'task_rejected', { taskId: task.id, taskType: task.type, agencyId: task.agencyId, reason });
  openReview(state, change, ctx, 'task_rejected', task.id);
  return change;
}
