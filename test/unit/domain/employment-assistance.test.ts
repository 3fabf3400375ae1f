// Stage "employment_assistance" (domain/case/stages/employment-assistance.ts): assessment, referrals,
// placement, follow-ups, and the closure request after the last one.
import { describe, expect, it } from 'vitest';
import { allowedActions, openTasks, validateAction, validateTaskCompletion } from '../../../domain/case.js';
import { DAY, caseworker, eventTypes, rejection, world } from './world.js';

const placement = { type: 'record_placement', employer: 'E', position: 'P', startDate: '2026-12-01', abroad: false };

describe('stage employment_assistance', () => {
  it('when an assessment and referrals are recorded, then the case keeps them', () => {
    const w = world();
    w.toEmployment();
    w.act({ type: 'record_assessment', skills: ['welding'], education: 'secondary', preferredRegion: 'Luzon', needs: [] });
    w.act({ type: 'record_referral', kind: 'training', organisation: 'TESDA', description: 'welding course' });
    expect(w.state.employment.assessment).toMatchObject({ skills: ['welding'] });
    expect(w.state.employment.referrals).toEqual([{ kind: 'training', organisation: 'TESDA', description: 'welding course', at: w.iso() }]);
  });

  it('when an exit restriction is active, then a placement abroad is refused and a placement at home is not', () => {
    const w = world();
    w.toEmployment({ decision: 'restricted', basis: 'art. 12', from: '2026-11-05', until: '2029-11-05' });
    const err = rejection(() => validateAction(w.state, { ...placement, abroad: true }, w.iso()));
    expect(err.code).toBe('invalid_transition');
    expect(err.details).toMatchObject({ exitRestriction: { until: '2029-11-05' } });
    expect(() => validateAction(w.state, placement, w.iso())).not.toThrow();
  });

  it('when a placement is recorded on the legacy path, then its three follow-ups are sent at once', () => {
    const w = world();
    w.toEmployment();
    w.act(placement);
    expect(openTasks(w.state).filter((t) => t.type === 'follow_up').map((t) => t.input.dayOffset)).toEqual([30, 90, 180]);
  });

  it('when follow-ups are on schedule, then each arrives on its day, and a new placement replaces them', () => {
    const w = world({ followUpsOnSchedule: true });
    w.toEmployment();
    w.act(placement);
    expect(openTasks(w.state).some((t) => t.type === 'follow_up')).toBe(false);
    expect(allowedActions(w.state)).not.toContain('record_follow_up');
    w.advance(30 * DAY);
    w.fire();
    expect(openTasks(w.state).filter((t) => t.type === 'follow_up').map((t) => t.input.dayOffset)).toEqual([30]);
    expect(allowedActions(w.state)).toContain('record_follow_up');
    w.act({ ...placement, employer: 'F' });
    expect(openTasks(w.state).some((t) => t.type === 'follow_up')).toBe(false);
    expect(w.state.followUpSchedule.map((f) => f.dayOffset)).toEqual([30, 90, 180]);
  });

  it('when a follow-up id is not an open follow-up, then the action is refused', () => {
    const w = world();
    w.toEmployment();
    w.act(placement);
    const err = rejection(() => validateAction(w.state, { type: 'record_follow_up', taskId: '00000000-0000-4000-8000-000000000000', outcome: 'employed' }, w.iso()));
    expect(err.code).toBe('validation_failed');
  });

  it('when a follow-up is completed from the inbox, then its task ends as the record_follow_up action leaves it, with the inbox entry on the timeline', () => {
    const byAction = world();
    const byInbox = world();
    for (const w of [byAction, byInbox]) {
      w.toEmployment();
      w.act(placement);
    }
    const actionTask = byAction.openTask('follow_up')!;
    const actionChange = byAction.act({ type: 'record_follow_up', taskId: actionTask.id, outcome: 'unemployed', notes: 'looking' });
    const inboxTask = byInbox.openTask('follow_up')!;
    const inboxChange = byInbox.complete('follow_up', { outcome: 'unemployed', notes: 'looking' }, caseworker);
    const ended = (t: typeof actionTask) => ({ status: t.status, result: t.result, completedBy: t.completedBy, rev: t.rev });
    expect(ended(inboxTask)).toEqual(ended(actionTask));
    expect(ended(inboxTask)).toMatchObject({ status: 'completed', result: { outcome: 'unemployed', notes: 'looking' }, completedBy: caseworker.sub });
    expect(eventTypes(actionChange)).toEqual(['record_follow_up']);
    expect(eventTypes(inboxChange)).toEqual(['task_completed']);
    expect(inboxChange.tasks.map((t) => t.id)).toEqual([inboxTask.id]);
  });

  it('when a follow-up result is not a follow-up result, then its completion is refused with the field', () => {
    const w = world();
    w.toEmployment();
    w.act(placement);
    const err = rejection(() => validateTaskCompletion(w.state, w.openTask('follow_up')!.id, { outcome: 'fine', mood: 'good' }));
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual([
      { path: 'result.outcome', message: expect.any(String) },
      { path: 'result.mood', message: 'unknown field' },
    ]);
  });

  for (const how of ['the action', 'the inbox'] as const) {
    it(`when the last follow-up is completed through ${how}, then the case itself asks a supervisor to close it`, () => {
      const w = world();
      w.toEmployment();
      w.act(placement);
      for (const outcome of ['employed', 'employed', 'declined']) {
        expect(w.state.approvals).toEqual([]);
        if (how === 'the action') w.act({ type: 'record_follow_up', taskId: w.openTask('follow_up')!.id, outcome });
        else w.complete('follow_up', { outcome }, caseworker);
      }
      expect(w.state.approvals).toMatchObject([{ status: 'pending', reason: 'declined_assistance', requestedBy: { sub: 'homeward', role: 'system' } }]);
    });
  }
});
