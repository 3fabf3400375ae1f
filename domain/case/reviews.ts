// Supervisor reviews: what a supervisor is asked to decide (a rejected or overdue task, a refused
// consent, a stage that has waited too long), and what their decision does. "proceed" waives the
// task it is about (the stage modules read that through `waived`); "reissue" sends it again.
import type { TaskType } from '../schemas.js';
import { DomainError } from '../errors.js';
import type { CaseState, CaseTask, Change, Ctx, ReviewTopic } from './state.js';
import { addTask, closeTask, emit } from './steps.js';
import { CONSULAR_TASKS, consularInput, sendConsularTasks } from './stages/consular-contact.js';
import { sendExitRestrictionReview } from './stages/exit-restriction-check.js';

export function openReview(state: CaseState, change: Change, ctx: Ctx, topic: ReviewTopic, taskId?: string): void {
  const about = taskId ? state.tasks.find((t) => t.id === taskId) : undefined;
  addTask(state, change, ctx, 'supervisor_review', {
    audience: 'supervisor',
    agencyId: null,
    input: { topic, stage: state.stage, ...(about ? { taskId: about.id, taskType: about.type, agencyId: about.agencyId, reason: about.reason } : {}) },
    review: { topic, ...(taskId ? { taskId } : {}) },
  });
}

/** Checks a decision against what the review is about; throws validation_failed. */
export function checkReviewDecision(review: CaseTask, result: Record<string, unknown>): void {
  if (review.review?.topic === 'consular_notification_refused' && result.decision === 'reissue') {
    throw new DomainError('validation_failed', 'consular notification was refused: decide proceed or wait', [
      { path: 'result.decision', message: 'reissue is not possible while consular notification is refused' },
    ]);
  }
}

/** A task the supervisor waived ("proceed") counts as done for the stage's requirements. */
export function waived(state: CaseState, type: TaskType): boolean {
  return state.tasks.some(
    (r) =>
      r.type === 'supervisor_review' &&
      r.status === 'completed' &&
      r.result?.decision === 'proceed' &&
      r.review?.taskId !== undefined &&
      state.tasks.find((t) => t.id === r.review!.taskId)?.type === type,
  );
}

/** What a completed supervisor review does; only "reissue" acts at once, "proceed" is read later. */
export function resolveReview(state: CaseState, review: CaseTask, result: Record<string, unknown>, change: Change, ctx: Ctx): void {
  const about = review.review?.taskId ? state.tasks.find((t) => t.id === review.review!.taskId) : undefined;
  if (result.decision !== 'reissue') return;
  // Reissuing an overdue task replaces it; the old one is withdrawn from the agency's inbox.
  if (about && (about.status === 'open' || about.status === 'claimed')) closeTask(about, change, 'cancelled', ctx, 'reissued by a supervisor');
  if (typeof result.consulateId === 'string' && result.consulateId !== state.consulateId) {
    emit(state, change, ctx, 'consulate_changed', { from: state.consulateId, to: result.consulateId });
    state.consulateId = result.consulateId;
  }
  if (about && CONSULAR_TASKS.has(about.type)) {
    addTask(state, change, ctx, about.type, { audience: 'agency', agencyId: state.consulateId, input: consularInput(state, about.type) });
  } else if (about && about.type === 'exit_restriction_review') {
    sendExitRestrictionReview(state, change, ctx);
  } else if (state.stage === 'consular_contact') {
    sendConsularTasks(state, change, ctx);
  }
}
