// Stage "exit_restriction_check" (domain/case/stages/exit-restriction-check.ts): the authority's
// decision, the restriction it may set, and its lifting.
import { describe, expect, it } from 'vitest';
import { CURRENT_FEATURES, caseView, liftExitRestriction, liftExitRestrictionAfterClosure, nextWakeAt, openTasks, rejectTask, validateTaskRejection } from '../../../domain/case.js';
import { DAY, T0, eventTypes, officer, supervisor, world } from './world.js';

const restricted = { decision: 'restricted', basis: 'art. 12', from: '2026-11-05', until: '2029-11-05' };

describe('stage exit_restriction_check', () => {
  it('when the authority finds no restriction, then the case enters employment assistance with none recorded', () => {
    const w = world();
    w.toEmployment();
    expect(w.state.stage).toBe('employment_assistance');
    expect(w.state.exitRestriction).toMatchObject({ decision: 'not_restricted', status: 'none', liftAt: null });
  });

  it('when the authority restricts exit until a later date, then the restriction is active with its lift time', () => {
    const w = world();
    w.toEmployment(restricted);
    expect(w.state.stage).toBe('employment_assistance');
    expect(w.state.exitRestriction).toMatchObject({ status: 'active', until: '2029-11-05', liftAt: '2029-11-05T00:00:00.000Z', decidedAt: new Date(T0).toISOString() });
    // The case's own clock does not wait for it: its timer is a workflow of its own.
    expect(nextWakeAt(w.state)).not.toBe(Date.parse('2029-11-05T00:00:00.000Z'));
  });

  it('when the restriction has already ended, then it is recorded as lifted at once', () => {
    const w = world();
    w.toEmployment({ ...restricted, from: '2025-01-01', until: '2026-01-01' });
    expect(w.state.exitRestriction).toMatchObject({ status: 'lifted', liftedAt: new Date(T0).toISOString(), liftAt: null });
  });

  it('when the restriction is lifted, then it is recorded once', () => {
    const w = world();
    w.toEmployment(restricted);
    expect(eventTypes(liftExitRestriction(w.state, w.ctx()))).toEqual(['exit_restriction_expired']);
    expect(w.state.exitRestriction?.status).toBe('lifted');
    expect(liftExitRestriction(w.state, w.ctx()).events).toEqual([]);
  });

  it('when the restriction ends after the case has closed, then the stored view is lifted by the same rule, as the next version, once', () => {
    const w = world();
    w.toEmployment(restricted);
    // The read model's copy (a snapshot), not the live state.
    const stored = structuredClone(caseView(w.state));
    const at = '2029-11-05T00:00:01.000Z';
    const lifted = liftExitRestrictionAfterClosure(stored, at)!;
    // What the running case would have recorded at the same time.
    const ctx = { ...w.ctx(), now: at };
    const change = liftExitRestriction(w.state, ctx);
    expect(lifted.view.exitRestriction).toEqual(w.state.exitRestriction);
    expect(lifted.event).toEqual({ type: 'exit_restriction_expired', actor: { sub: 'homeward', role: 'system' }, data: change.events[0]!.data });
    expect(lifted.view).toMatchObject({ version: stored.version + 1, updatedAt: at });
    // The stored view itself is not changed, and a lifted restriction is not lifted again.
    expect(stored.exitRestriction?.status).toBe('active');
    expect(liftExitRestrictionAfterClosure(lifted.view, at)).toBeNull();
  });

  it('when a closed case has no active restriction, then there is nothing to lift after closure', () => {
    const w = world();
    w.toEmployment();
    expect(liftExitRestrictionAfterClosure(caseView(w.state), '2029-11-05T00:00:01.000Z')).toBeNull();
  });
});

describe('stage exit_restriction_check: when the authority does not decide (issue #9)', () => {
  const rejected = () => {
    const w = world();
    w.toExitCheck();
    const review = w.openTask('exit_restriction_review')!;
    rejectTask(w.state, validateTaskRejection(w.state, review.id), 'no record of this person', w.ctx(officer));
    return { w, review };
  };

  it('when the authority rejects its review, then the supervisor review says what each decision does', () => {
    const { w } = rejected();
    expect(w.openTask('supervisor_review')!.input).toMatchObject({
      topic: 'task_rejected',
      taskType: 'exit_restriction_review',
      reason: 'no record of this person',
      decisions: {
        proceed: 'the case moves on to employment assistance without an exit-restriction decision (one that comes later is still recorded)',
        reissue: 'exit_restriction_review is sent again now',
        wait: 'exit_restriction_review is sent again in 7 days',
      },
    });
  });

  it('when the supervisor proceeds after a rejection, then the case moves on with no decision recorded', () => {
    const { w } = rejected();
    const change = w.complete('supervisor_review', { decision: 'proceed' }, supervisor);
    expect(w.state.stage).toBe('employment_assistance');
    expect(w.state.exitRestriction).toBeNull();
    expect(eventTypes(change)).toEqual(['task_completed', 'exit_restriction_check_waived', 'stage_changed']);
    expect(change.events[1]!.data).toMatchObject({ topic: 'task_rejected', decision: null, pendingReviewTaskIds: [] });
  });

  it('when the supervisor proceeds while the review is overdue, then the case moves on and the decision that comes later is recorded', () => {
    const w = world();
    w.toExitCheck();
    const review = w.openTask('exit_restriction_review')!;
    w.advance(10 * DAY);
    w.fire();
    expect(w.openTask('supervisor_review')!.review).toEqual({ topic: 'task_overdue', taskId: review.id });
    const change = w.complete('supervisor_review', { decision: 'proceed' }, supervisor);
    expect(w.state.stage).toBe('employment_assistance');
    expect(change.events[1]!.data).toMatchObject({ pendingReviewTaskIds: [review.id] });
    // The authority decides after all: recorded, and the case stays where it now is.
    w.complete('exit_restriction_review', restricted);
    expect(w.state.exitRestriction).toMatchObject({ decision: 'restricted', status: 'active', until: '2029-11-05' });
    expect(w.state.stage).toBe('employment_assistance');
  });

  it('when the supervisor waits after a rejection, then the review is sent to the authority again once the waiting period is over', () => {
    const { w } = rejected();
    const change = w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    expect(eventTypes(change)).toEqual(['task_completed', 'review_waiting']);
    expect(w.state.reviewWaits).toEqual([expect.objectContaining({ topic: 'task_rejected', taskType: 'exit_restriction_review', stage: 'exit_restriction_check' })]);
    expect(nextWakeAt(w.state)).toBe(w.now() + 7 * DAY);
    w.advance(7 * DAY - 1);
    expect(eventTypes(w.fire())).not.toContain('review_wait_over');
    w.advance(1);
    expect(eventTypes(w.fire())).toEqual(['review_wait_over', 'task_created']);
    expect(w.openTask('exit_restriction_review')).toMatchObject({ agencyId: 'immigration', status: 'open' });
    expect(w.state.reviewWaits).toEqual([]);
    w.complete('exit_restriction_review', { decision: 'not_restricted' });
    expect(w.state.stage).toBe('employment_assistance');
  });

  it('when data sharing is withdrawn during the check and the supervisor proceeds, then the case moves on without a decision', () => {
    const w = world();
    w.toExitCheck();
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    expect(w.openTask('exit_restriction_review')).toBeUndefined();
    expect(w.openTask('supervisor_review')!.input).toMatchObject({ topic: 'data_sharing_withdrawn', decisions: { proceed: expect.stringContaining('employment assistance') } });
    w.complete('supervisor_review', { decision: 'proceed' }, supervisor);
    expect(w.state.stage).toBe('employment_assistance');
    expect(w.state.exitRestriction).toBeNull();
  });

  it('when the patch is off (histories recorded before it), then proceed and wait leave the case in the check, as they did', () => {
    for (const decision of ['proceed', 'wait']) {
      const w = world({ features: { ...CURRENT_FEATURES, reviewDecisionsLeadOn: false } });
      w.toExitCheck();
      rejectTask(w.state, w.openTask('exit_restriction_review')!, 'no record', w.ctx(officer));
      w.complete('supervisor_review', { decision }, supervisor);
      w.advance(30 * DAY);
      w.fire();
      expect(w.state.stage, decision).toBe('exit_restriction_check');
      expect(openTasks(w.state), decision).toEqual([]);
    }
  });
});
