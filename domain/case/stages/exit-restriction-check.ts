// Stage "exit_restriction_check": back home, the immigration authority decides whether the person
// may leave the country again, and until when. Entering the stage sends it the review; its decision
// moves the case on to employment assistance. A restriction outlives the stage (and the case): while
// it lasts, no placement abroad; it is lifted on its date (liftExitRestriction, sent by its timer).
//
// What a supervisor's decision does here (reviews.ts carries it out; the review's input says it too):
// - the authority rejected its review, or is overdue with it: "proceed" moves the case on to
//   employment assistance without a decision (exitRestriction stays null, and the timeline records
//   `exit_restriction_check_waived`); a review still open stays with the authority, and its decision
//   is recorded whenever it comes. "reissue" sends the review again now; "wait" sends it again after
//   the waiting period (a review still open is simply left to run);
// - data sharing withdrawn: "proceed" moves on the same way; "reissue" is refused while consent is
//   withdrawn; "wait" asks the supervisor again after the waiting period, unless consent came back
//   (which sends the review again at once).
import type { StageRules } from '../rules.js';
import { type CaseState, type CaseTask, type Change, type Ctx, type ExitRestriction, SYSTEM } from '../state.js';
import type { CaseView } from '../views.js';
import { addMs } from '../clock.js';
import { addTask, emit, emptyChange, enterStage } from '../steps.js';

export function sendExitRestrictionReview(state: CaseState, change: Change, ctx: Ctx): void {
  const p = state.person;
  addTask(state, change, ctx, 'exit_restriction_review', {
    audience: 'agency',
    agencyId: state.immigrationAgencyId,
    input: {
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth ?? null,
      nationality: p.nationality,
      documents: p.documents,
      screening: state.screening,
      abroadIn: state.location?.country ?? null,
      arrivedAt: state.returnTrip?.arrivedAt ?? null,
    },
  });
}

/**
 * A supervisor proceeds without the authority's decision: the case moves on to employment assistance
 * with no restriction recorded. Nothing is decided for the person: a decision that comes later (a
 * review still open, or sent again) is recorded as any other.
 */
export function waiveExitRestrictionCheck(state: CaseState, review: CaseTask, change: Change, ctx: Ctx): void {
  const pending = state.tasks.filter((t) => t.type === 'exit_restriction_review' && (t.status === 'open' || t.status === 'claimed')).map((t) => t.id);
  emit(state, change, ctx, 'exit_restriction_check_waived', {
    reviewTaskId: review.id,
    topic: review.review?.topic ?? null,
    decision: null,
    pendingReviewTaskIds: pending,
  });
  enterStage(state, change, ctx, 'employment_assistance');
}

export function exitRestrictionActive(state: CaseState, now: string): boolean {
  const r = state.exitRestriction;
  return r !== null && r.status === 'active' && r.until !== null && r.until > now.slice(0, 10);
}

/**
 * The one rule of a restriction's end: only an active restriction is lifted, at `at`. Returns what
 * the timeline records of it, or null when there was nothing to lift.
 */
function lift(r: ExitRestriction | null, at: string): { until: string | null; basis: string | null } | null {
  if (!r || r.status !== 'active') return null;
  r.status = 'lifted';
  r.liftedAt = at;
  return { until: r.until, basis: r.basis };
}

/** The exit restriction's end has come (possibly years later): placements abroad are allowed again. */
export function liftExitRestriction(state: CaseState, ctx: Ctx): Change {
  const change = emptyChange();
  const expired = lift(state.exitRestriction, ctx.now);
  if (expired) emit(state, change, ctx, 'exit_restriction_expired', expired);
  return change;
}

/**
 * The same end for a case that has closed: its workflow is gone, so the read model's view takes the
 * step (the next version, the lift, its timeline entry by the system). Null when there is nothing to
 * lift, so recording it twice changes nothing.
 */
export function liftExitRestrictionAfterClosure(
  view: CaseView,
  at: string,
): { view: CaseView; event: { type: 'exit_restriction_expired'; actor: typeof SYSTEM; data: { until: string | null; basis: string | null } } } | null {
  const exitRestriction = view.exitRestriction ? { ...view.exitRestriction } : null;
  const expired = lift(exitRestriction, at);
  if (!expired) return null;
  return {
    view: { ...view, exitRestriction, version: view.version + 1, updatedAt: at },
    event: { type: 'exit_restriction_expired', actor: SYSTEM, data: expired },
  };
}

export const exitRestrictionCheck: StageRules = {
  stage: 'exit_restriction_check',
  actions: {},
  onEnter: sendExitRestrictionReview,
  taskOutcomes: {
    exit_restriction_review: (state, _task, result, change, ctx) => {
      const restricted = result.decision === 'restricted';
      state.exitRestriction = {
        decision: restricted ? 'restricted' : 'not_restricted',
        status: restricted ? 'active' : 'none',
        basis: (result.basis as string | undefined) ?? null,
        from: (result.from as string | undefined) ?? null,
        until: (result.until as string | undefined) ?? null,
        noticeServedAt: (result.noticeServedAt as string | undefined) ?? null,
        decidedAt: ctx.now,
        liftedAt: null,
        liftAt: null,
      };
      const r = state.exitRestriction;
      if (restricted && r.until !== null) {
        if (r.until <= ctx.now.slice(0, 10)) {
          // Already over when decided: lifted at once, with no entry of its own (the decision has one).
          lift(r, ctx.now);
        } else {
          // Under a time scale below 1 (tests, demos) the lift comes sooner, in proportion.
          const untilMs = Date.parse(`${r.until}T00:00:00.000Z`) - Date.parse(ctx.now);
          r.liftAt = addMs(ctx.now, Math.max(0, Math.round(untilMs * state.policy.timeScale)));
        }
      }
      // The exit: the decision is what this stage waits for, whatever it is.
      if (state.stage === 'exit_restriction_check') enterStage(state, change, ctx, 'employment_assistance');
    },
  },
};
