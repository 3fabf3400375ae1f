// Supervisor reviews: what a supervisor is asked to decide (a rejected or overdue task, a refused
// consent, a stage that has waited too long), and what their decision does. Every decision leads
// somewhere, never nowhere:
// - "proceed": the supervisor takes responsibility for moving on without it. The task it is about
//   is waived (the stage modules read that through `waived`); a consent that stops the stage's agency
//   work waives that work, and the stage moves on (consular contact to the return, the exit check to
//   employment assistance);
// - "reissue": the task is sent again now (optionally to another consulate); refused while consent
//   still stops what it would send;
// - "wait": the case asks again after the waiting period (policy.reviewWaitDays): the task is sent
//   again, or, while consent still stops it, the supervisor gets the consent review again. A task that
//   is still open is simply left with its agency.
// Reviews of a stage that has waited too long (locating, extraction, departure) are for the record:
// the caseworker's next action moves the case on. What each decision does is written into the
// review's input (`decisions`), for the supervisor who reads it.
import type { TaskType } from '../shapes.js';
import { DomainError } from '../errors.js';
import { REVIEW_WAIT_DAYS, daysMs } from '../policy.js';
import { type CaseState, type CaseTask, type Change, type Ctx, type Features, type ReviewTopic, type ReviewWait, openTasks } from './state.js';
import { addMs } from './clock.js';
import { addTask, closeTask, emit } from './steps.js';
import { CONSULAR_TASKS, consularInput, sendConsularTasks, sendMissingConsularTasks, waiveConsularContact } from './stages/consular-contact.js';
import { sendExitRestrictionReview, waiveExitRestrictionCheck } from './stages/exit-restriction-check.js';

type Decision = 'proceed' | 'reissue' | 'wait';
type ConsentTopic = Extract<ReviewTopic, 'data_sharing_withdrawn' | 'consular_notification_refused'>;

const isOpen = (t: CaseTask) => t.status === 'open' || t.status === 'claimed';
const isConsentTopic = (topic: ReviewTopic | undefined): topic is ConsentTopic => topic === 'data_sharing_withdrawn' || topic === 'consular_notification_refused';
const agencyTaskType = (type: TaskType | undefined) => type !== undefined && (CONSULAR_TASKS.has(type) || type === 'exit_restriction_review');
const waitDays = (state: CaseState) => state.policy.reviewWaitDays ?? REVIEW_WAIT_DAYS;

export function openReview(state: CaseState, change: Change, ctx: Ctx, topic: ReviewTopic, taskId?: string): void {
  const about = taskId ? state.tasks.find((t) => t.id === taskId) : undefined;
  addTask(state, change, ctx, 'supervisor_review', {
    audience: 'supervisor',
    agencyId: null,
    input: {
      topic,
      stage: state.stage,
      ...(about ? { taskId: about.id, taskType: about.type, agencyId: about.agencyId, reason: about.reason } : {}),
      decisions: decisionGuide(state, topic, about),
    },
    review: { topic, ...(taskId ? { taskId } : {}) },
  });
}

/** What each decision will do, in the supervisor's words, as the review is opened. */
function decisionGuide(state: CaseState, topic: ReviewTopic, about: CaseTask | undefined): Record<Decision, string> {
  const later = `in ${waitDays(state)} days`;
  if (isConsentTopic(topic)) {
    const what = topic === 'data_sharing_withdrawn' ? 'data sharing is withdrawn' : 'consular notification is refused';
    const proceed =
      state.stage === 'consular_contact'
        ? 'the consular steps still missing are waived and the case moves on to its return'
        : state.stage === 'exit_restriction_check' && topic === 'data_sharing_withdrawn'
          ? 'the case moves on to employment assistance without an exit-restriction decision (one that comes later is still recorded)'
          : 'nothing more is asked of the agencies';
    return {
      proceed,
      reissue: `not possible while ${what}`,
      wait: `you are asked again ${later}, unless consent is given again first (that sends the agency's tasks at once)`,
    };
  }
  if (about && agencyTaskType(about.type)) {
    const exit = about.type === 'exit_restriction_review';
    return {
      proceed:
        exit && state.stage === 'exit_restriction_check'
          ? 'the case moves on to employment assistance without an exit-restriction decision (one that comes later is still recorded)'
          : exit
            ? 'nothing more is asked of the authority'
            : `${about.type} is waived: the stage no longer waits for it`,
      reissue: `${about.type} is sent again now${exit ? '' : ' (to consulateId, if you give one)'}`,
      wait: isOpen(about) ? `${about.type} stays with its agency` : `${about.type} is sent again ${later}`,
    };
  }
  const record = "for the record: the caseworker's next action moves the case on";
  return { proceed: record, reissue: record, wait: record };
}

/** Which consent stops what reissuing this review would send to an agency, if any. */
function consentStopping(state: CaseState, review: CaseTask): ConsentTopic | null {
  const topic = review.review?.topic;
  const about = review.review?.taskId ? state.tasks.find((t) => t.id === review.review!.taskId) : undefined;
  const sendsToAgency = topic === 'data_sharing_withdrawn' || (about !== undefined && about.audience === 'agency');
  if (!sendsToAgency) return null;
  if (state.consent.dataSharing === 'withdrawn') return 'data_sharing_withdrawn';
  if (about && CONSULAR_TASKS.has(about.type) && state.consent.consularNotification === 'refused') return 'consular_notification_refused';
  return null;
}

/** Checks a decision against what the review is about; throws validation_failed. */
export function checkReviewDecision(state: CaseState, review: CaseTask, result: Record<string, unknown>, features?: Features): void {
  if (review.review?.topic === 'consular_notification_refused' && result.decision === 'reissue') {
    throw new DomainError('validation_failed', 'consular notification was refused: decide proceed or wait', [
      { path: 'result.decision', message: 'reissue is not possible while consular notification is refused' },
    ]);
  }
  if (!features?.consentReviewsLeadOn || result.decision !== 'reissue') return;
  const stopping = consentStopping(state, review);
  if (stopping) {
    const what = stopping === 'data_sharing_withdrawn' ? 'data-sharing consent is withdrawn' : 'consular notification is refused';
    throw new DomainError('validation_failed', `${what}: nothing can be sent to the agency; decide proceed or wait`, [
      { path: 'result.decision', message: `reissue is not possible while ${what}` },
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

/** What a completed supervisor review does. */
export function resolveReview(state: CaseState, review: CaseTask, result: Record<string, unknown>, change: Change, ctx: Ctx): void {
  const about = review.review?.taskId ? state.tasks.find((t) => t.id === review.review!.taskId) : undefined;
  if (result.decision === 'proceed') return proceed(state, review, about, change, ctx);
  if (result.decision === 'wait') return wait(state, review, about, change, ctx);
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

// Before the consent-reviews and review-decisions patches, "proceed" acted only through `waived`
// (read by the consular stage) and the refused-notification rule, and "wait" did nothing at all.
function proceed(state: CaseState, review: CaseTask, about: CaseTask | undefined, change: Change, ctx: Ctx): void {
  const topic = review.review?.topic;
  if (topic === 'data_sharing_withdrawn') {
    if (!ctx.features?.consentReviewsLeadOn) return;
    if (state.stage === 'consular_contact') waiveConsularContact(state, review, change, ctx);
    else if (state.stage === 'exit_restriction_check') waiveExitRestrictionCheck(state, review, change, ctx);
    return;
  }
  if (ctx.features?.reviewDecisionsLeadOn && about?.type === 'exit_restriction_review' && state.stage === 'exit_restriction_check') {
    waiveExitRestrictionCheck(state, review, change, ctx);
  }
}

function wait(state: CaseState, review: CaseTask, about: CaseTask | undefined, change: Change, ctx: Ctx): void {
  const topic = review.review?.topic;
  const asksAgain = isConsentTopic(topic)
    ? ctx.features?.consentReviewsLeadOn === true
    : ctx.features?.reviewDecisionsLeadOn === true && about !== undefined && agencyTaskType(about.type) && !isOpen(about);
  if (!asksAgain || !topic) return;
  const at = addMs(ctx.now, daysMs(state.policy, waitDays(state)));
  // One wait per thing waited for: a later "wait" on the same replaces the earlier (the state stays bounded).
  const same = (w: ReviewWait) => w.topic === topic && w.stage === state.stage && w.taskType === about?.type;
  state.reviewWaits = [...(state.reviewWaits ?? []).filter((w) => !same(w)), { at, reviewId: review.id, topic, stage: state.stage, ...(about ? { taskType: about.type } : {}) }];
  emit(state, change, ctx, 'review_waiting', { reviewTaskId: review.id, topic, taskType: about?.type ?? null, at });
}

/** Waits whose time has come (called by fireDue): what they were about is asked for again. */
export function askAgainDue(state: CaseState, change: Change, ctx: Ctx): void {
  const waits = state.reviewWaits;
  if (!waits || waits.length === 0) return;
  const now = Date.parse(ctx.now);
  const due = waits.filter((w) => Date.parse(w.at) <= now);
  if (due.length === 0) return;
  state.reviewWaits = waits.filter((w) => Date.parse(w.at) > now);
  for (const w of due) {
    // A case that has moved on since no longer needs what the review was about.
    const current = state.stage === w.stage;
    emit(state, change, ctx, 'review_wait_over', { reviewTaskId: w.reviewId, topic: w.topic, taskType: w.taskType ?? null, askedAgain: current });
    if (current) askAgain(state, change, ctx, w.taskType);
  }
}

/**
 * Asks again for a task (or, without one, for what the stage still needs: the consular tasks, the
 * authority's review); while consent stops it, asks the supervisor about that consent instead.
 */
export function askAgain(state: CaseState, change: Change, ctx: Ctx, taskType: TaskType | undefined): void {
  const consular = taskType ? CONSULAR_TASKS.has(taskType) : state.stage === 'consular_contact';
  const exit = taskType ? taskType === 'exit_restriction_review' : state.stage === 'exit_restriction_check';
  if (!consular && !exit) return;
  const stopping: ConsentTopic | null =
    state.consent.dataSharing === 'withdrawn'
      ? 'data_sharing_withdrawn'
      : consular && state.consent.consularNotification === 'refused'
        ? 'consular_notification_refused'
        : null;
  if (stopping) {
    if (!openTasks(state).some((t) => t.review?.topic === stopping)) openReview(state, change, ctx, stopping);
    return;
  }
  if (consular) {
    sendMissingConsularTasks(state, change, ctx, taskType ? [taskType] : undefined);
  } else {
    // Not while the authority has one, nor while a supervisor decides about an earlier one.
    const open = openTasks(state);
    const pending = open.some(
      (t) => t.type === 'exit_restriction_review' || (t.review?.taskId !== undefined && state.tasks.find((x) => x.id === t.review!.taskId)?.type === 'exit_restriction_review'),
    );
    if (!pending && state.exitRestriction === null) sendExitRestrictionReview(state, change, ctx);
  }
}

/** Consent given again: its open reviews are moot (what they held back is sent again at once). */
export function closeMootConsentReviews(state: CaseState, change: Change, ctx: Ctx): CaseTask[] {
  const moot = openTasks(state).filter(
    (t) =>
      t.type === 'supervisor_review' &&
      ((t.review?.topic === 'data_sharing_withdrawn' && state.consent.dataSharing !== 'withdrawn') ||
        (t.review?.topic === 'consular_notification_refused' && state.consent.consularNotification !== 'refused')),
  );
  for (const t of moot) closeTask(t, change, 'cancelled', ctx, 'consent given again');
  return moot;
}
