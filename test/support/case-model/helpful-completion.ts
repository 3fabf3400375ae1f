// The helpful completion: people doing their job (agencies completing their tasks positively,
// supervisors deciding reviews, caseworkers recording the next stage's actions, time passing), which
// must take any reachable case to closed through its normal path, and at every step find each open
// task and pending approval something its people can act on.
//
// The person's consent is theirs: the completion never changes it, so no path may depend on the
// person changing their mind. Closure requests made along the way are rejected by the completion, so
// the case must still close the normal way (employment assistance, its follow-ups, the closure the
// case itself asks for), not through request_closure or decline_assistance.
import {
  SYSTEM,
  allowedActions,
  missingReturnSafeguards,
  openTasks,
  validateDecision,
  validateTaskCompletion,
  validateTaskRejection,
} from '../../../domain/case.js';
import { DomainError } from '../../../domain/errors.js';
import { type CaseModel, type Move, ModelViolation, SUPERVISOR, describe, summary } from './model.js';

/** What an agency doing its job answers. */
export const POSITIVE_RESULTS: Record<string, Record<string, unknown>> = {
  verify_nationality: { verified: true },
  issue_travel_document: { documentType: 'emergency_travel_document', number: 'ETD-55120', validUntil: '2027-06-30' },
  arrange_shelter: { shelterName: 'Mae Sot shelter', from: '2026-11-02' },
  arrange_medical_check: { fitToTravel: true },
  exit_restriction_review: { decision: 'not_restricted' },
};

// ---- What must always hold ----

/** Every open task and every pending approval can be acted on by the people they belong to. */
export function checkActionable(model: CaseModel): void {
  const s = model.state;
  const allowed = allowedActions(s);
  const refused = (fn: () => unknown) => {
    try {
      fn();
      return null;
    } catch (err) {
      if (err instanceof DomainError) return `${err.code}: ${err.message}`;
      throw err;
    }
  };
  for (const t of openTasks(s)) {
    if (t.type === 'follow_up') {
      if (!allowed.includes('record_follow_up') && !(s.onHold && allowed.includes('resume'))) {
        throw new ModelViolation(`follow-up ${t.id} is open but record_follow_up is not allowed: ${summary(model)}`);
      }
      continue;
    }
    if (t.type === 'supervisor_review') {
      for (const decision of ['proceed', 'wait']) {
        const why = refused(() => validateTaskCompletion(s, t.id, { decision }, model.features));
        if (why) throw new ModelViolation(`review ${t.review?.topic} cannot be decided ${decision}: ${why}`);
      }
      continue;
    }
    const done = refused(() => validateTaskCompletion(s, t.id, POSITIVE_RESULTS[t.type], model.features));
    const rejected = refused(() => validateTaskRejection(s, t.id));
    if (done || rejected) throw new ModelViolation(`agency task ${t.type} cannot be acted on: ${done ?? rejected}`);
  }
  for (const a of s.approvals.filter((x) => x.status === 'pending')) {
    const decider = a.requestedBy.sub === SUPERVISOR.sub ? { ...SUPERVISOR, sub: 'sup-cy' } : SUPERVISOR;
    const why = refused(() => validateDecision(s, a.id, decider));
    if (why) throw new ModelViolation(`approval ${a.id} cannot be decided: ${why}`);
  }
}

// ---- The helpful completion ----

/** What a person doing their job does next, or null when no one can do anything but wait for nothing. */
export function helpfulMove(model: CaseModel): Move | null {
  const s = model.state;
  if (s.status === 'closed') return null;
  const allowed = allowedActions(s);
  const act = (action: Move & { kind: 'action' }) => action;
  if (s.onHold) return act({ kind: 'action', action: { type: 'resume' } });

  // Closure the case asked for itself (its follow-ups are done) is approved; anyone else's is not:
  // the case must close its normal way.
  const pending = s.approvals.filter((a) => a.status === 'pending');
  const own = pending.findIndex((a) => a.requestedBy.sub === SYSTEM.sub);
  if (own >= 0) return { kind: 'decide', approval: own, decision: 'approved' };
  if (pending.length > 0) return { kind: 'decide', approval: 0, decision: 'rejected' };

  const open = openTasks(s);
  const review = open.findIndex((t) => t.type === 'supervisor_review');
  if (review >= 0) {
    // The work done properly when it can be (sent again), else the supervisor takes responsibility.
    let reissuable = true;
    try {
      validateTaskCompletion(s, open[review]!.id, { decision: 'reissue' }, model.features);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      reissuable = false;
    }
    return { kind: 'complete', task: review, result: { decision: reissuable ? 'reissue' : 'proceed' } };
  }
  const agencyTask = open.findIndex((t) => t.audience === 'agency');
  if (agencyTask >= 0) return { kind: 'complete', task: agencyTask, result: POSITIVE_RESULTS[open[agencyTask]!.type]! };
  const followUp = open.find((t) => t.type === 'follow_up');
  if (followUp && allowed.includes('record_follow_up')) return act({ kind: 'action', action: { type: 'record_follow_up', taskId: followUp.id, outcome: 'employed' } });

  switch (s.stage) {
    case 'locating':
      return act({ kind: 'action', action: { type: 'confirm_location', location: { country: 'MM', site: 'KK Park' } } });
    case 'extraction':
      return act({ kind: 'action', action: { type: 'record_extraction', extractedAt: '2026-11-01T03:00:00Z', handedOverTo: 'Tak immigration' } });
    case 'return': {
      const trip = s.returnTrip;
      if (!trip) {
        if (allowed.includes('book_return')) return act({ kind: 'action', action: { type: 'book_return', departureAt: '2026-11-20T06:00:00Z', arrivalPort: 'MNL' } });
        // A child travels only with a guardian on record and a determination that the return is in their best interests.
        const missing = missingReturnSafeguards(s);
        if (missing.includes('guardian')) {
          return act({ kind: 'action', action: { type: 'update_person', guardian: { fullName: 'Rosa Santos', relationship: 'parent' }, reason: 'mother found' } });
        }
        if (missing.includes('best_interests_determination')) {
          return act({ kind: 'action', action: { type: 'record_best_interests', determination: 'return_in_best_interests', decidedBy: 'DSWD social worker' } });
        }
        // Not bookable: the person is unfit; the doctor clears them once they have recovered.
        if (allowed.includes('record_medical')) return act({ kind: 'action', action: { type: 'record_medical', fitToTravel: true, notes: 'recovered' } });
        break;
      }
      if (!trip.departedAt && allowed.includes('record_departure')) return act({ kind: 'action', action: { type: 'record_departure', departedAt: '2026-11-20T06:10:00Z' } });
      return act({ kind: 'action', action: { type: 'record_arrival', arrivedAt: '2026-11-20T10:00:00Z', port: 'MNL', receivedBy: 'IACAT desk' } });
    }
    case 'employment_assistance': {
      const waiting = open.some((t) => t.type === 'follow_up') || s.followUpSchedule.length > 0;
      if (!s.employment.placement || !waiting) {
        return act({ kind: 'action', action: { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false } });
      }
      break;
    }
    default:
      break;
  }
  // Nothing for anyone to do now: wait for the case's own clock, if it has anything coming.
  const next = model.nextEvent();
  if (next === null) return null;
  return { kind: 'advance', ms: Math.max(0, next - model.now) };
}

export const MAX_HELP_STEPS = 150;

/**
 * Completes the case helpfully, checking at each step that every task and approval can be acted on.
 * Throws ModelViolation at a dead end, when the normal path is left, or when it takes too long.
 */
export function helpToClosed(model: CaseModel, opts: { moves?: Move[] } = {}): void {
  const closedBefore = model.closed;
  for (let step = 0; step < MAX_HELP_STEPS; step++) {
    checkActionable(model);
    if (model.closed) {
      if (closedBefore) return;
      // The closure itself: approved transfers earlier in the case's life are not how it closed.
      const approved = model.state.approvals.find((a) => a.status === 'approved' && a.kind === 'closure');
      if (approved?.requestedBy.sub !== SYSTEM.sub || !['reintegrated', 'declined_assistance'].includes(approved.reason)) {
        throw new ModelViolation(`closed, but not through its normal path: ${JSON.stringify(approved)}`);
      }
      return;
    }
    const move = helpfulMove(model);
    if (!move) throw new ModelViolation(`dead end in ${model.state.stage}: nothing anyone does moves the case on: ${summary(model)}`);
    opts.moves?.push(move);
    const outcome = model.apply(move);
    if (!outcome.ok) throw new ModelViolation(`the helpful ${describe(move)} was refused (${outcome.code}: ${outcome.message}): ${summary(model)}`);
  }
  throw new ModelViolation(`not closed after ${MAX_HELP_STEPS} helpful steps: ${summary(model)}`);
}
