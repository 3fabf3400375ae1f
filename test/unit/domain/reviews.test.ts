// Supervisor reviews (domain/case/reviews.ts): rejected tasks, reissue, proceed and wait.
import { describe, expect, it } from 'vitest';
import { CURRENT_FEATURES, nextDeadline, openTasks, rejectTask, validateTaskRejection } from '../../../domain/case.js';
import { DAY, eventTypes, officer, rejection, supervisor, world } from './world.js';

describe('supervisor reviews', () => {
  it('when a consulate rejects a task, then a supervisor reviews it and can reissue it to another consulate', () => {
    const w = world();
    w.extract();
    const verify = w.openTask('verify_nationality')!;
    rejectTask(w.state, validateTaskRejection(w.state, verify.id), 'not our national', w.ctx(officer));
    const review = w.openTask('supervisor_review')!;
    expect(review.review).toEqual({ topic: 'task_rejected', taskId: verify.id });
    expect(review.input).toMatchObject({ topic: 'task_rejected', taskType: 'verify_nationality', reason: 'not our national' });
    const change = w.complete('supervisor_review', { decision: 'reissue', consulateId: 'ph-kul' }, supervisor);
    expect(change.events.map((e) => e.type)).toContain('consulate_changed');
    const reissued = w.openTask('verify_nationality')!;
    expect(reissued.id).not.toBe(verify.id);
    expect(reissued.agencyId).toBe('ph-kul');
    expect(w.state.consulateId).toBe('ph-kul');
  });

  it('when a review is decided "wait", then nothing else changes', () => {
    const w = world();
    w.extract();
    const verify = w.openTask('verify_nationality')!;
    rejectTask(w.state, verify, 'later', w.ctx(officer));
    const before = openTasks(w.state).map((t) => t.id).filter((id) => id !== w.openTask('supervisor_review')!.id);
    w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    expect(openTasks(w.state).map((t) => t.id)).toEqual(before);
    expect(w.state.stage).toBe('consular_contact');
  });

  it('when someone rejects a review or a closed task, then it is refused', () => {
    const w = world();
    w.extract();
    rejectTask(w.state, w.openTask('verify_nationality')!, 'no', w.ctx(officer));
    expect(rejection(() => validateTaskRejection(w.state, w.openTask('supervisor_review')!.id)).code).toBe('conflict');
    expect(rejection(() => validateTaskRejection(w.state, w.state.tasks[0]!.id)).message).toBe('the task is already rejected');
    expect(rejection(() => validateTaskRejection(w.state, 'missing')).code).toBe('not_found');
  });
});

describe('supervisor reviews: every decision leads somewhere (issue #9)', () => {
  it('when a rejected consular task is decided "wait", then it is sent to the consulate again once the waiting period is over, not before', () => {
    const w = world();
    w.extract();
    const verify = w.openTask('verify_nationality')!;
    rejectTask(w.state, verify, 'overloaded this week', w.ctx(officer));
    expect(w.openTask('supervisor_review')!.input).toMatchObject({ decisions: { wait: 'verify_nationality is sent again in 7 days' } });
    w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    w.advance(6 * DAY);
    w.fire();
    expect(w.openTask('verify_nationality')).toBeUndefined();
    w.advance(DAY);
    const change = w.fire();
    expect(change.events.find((e) => e.type === 'review_wait_over')!.data).toMatchObject({ topic: 'task_rejected', taskType: 'verify_nationality', askedAgain: true });
    expect(w.openTask('verify_nationality')).toMatchObject({ agencyId: 'ph-bkk' });
  });

  it('when nationality is not verified and the supervisor waits, then the consulate is asked to verify again later', () => {
    const w = world();
    w.extract();
    w.complete('verify_nationality', { verified: false });
    w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    w.advance(7 * DAY);
    w.fire();
    w.complete('verify_nationality', { verified: true });
    w.complete('issue_travel_document', { documentType: 'passport', number: 'X1', validUntil: '2030-01-01' });
    expect(w.state.stage).toBe('return');
  });

  it('when a task is still with its agency and the supervisor waits, then it is left there and nothing is scheduled', () => {
    const w = world();
    w.extract();
    w.advance(3 * DAY);
    w.fire();
    expect(w.openTask('supervisor_review')!.input).toMatchObject({ topic: 'task_overdue', decisions: { wait: 'verify_nationality stays with its agency' } });
    const change = w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    expect(eventTypes(change)).toEqual(['task_completed']);
    expect(w.state.reviewWaits ?? []).toEqual([]);
  });

  it('when consent is still withdrawn as the wait ends, then the supervisor is asked again, once', () => {
    const w = world();
    w.extract();
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    w.advance(7 * DAY);
    expect(eventTypes(w.fire())).toEqual(['review_wait_over', 'task_created']);
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['data_sharing_withdrawn']);
    expect(openTasks(w.state).filter((t) => t.audience === 'agency')).toEqual([]);
  });

  it('when consent comes back during the wait, then the tasks go out at once and the end of the wait sends nothing twice', () => {
    const w = world();
    w.extract();
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    w.act({ type: 'record_consent', dataSharing: 'granted' });
    const agencyTasks = () => openTasks(w.state).filter((t) => t.audience === 'agency');
    const sent = agencyTasks().map((t) => t.id);
    expect(agencyTasks().map((t) => t.type)).toEqual(['verify_nationality', 'issue_travel_document']);
    w.advance(7 * DAY);
    w.fire();
    expect(agencyTasks().map((t) => t.id)).toEqual(sent);
  });

  it('when the case has moved on before the wait ends, then nothing is asked again', () => {
    const w = world();
    w.extract();
    rejectTask(w.state, w.openTask('issue_travel_document')!, 'no', w.ctx(officer));
    w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    w.complete('verify_nationality', { verified: true });
    w.act({ type: 'record_consent', consularNotification: 'refused' });
    w.complete('supervisor_review', { decision: 'proceed' }, supervisor);
    expect(w.state.stage).toBe('return');
    w.advance(7 * DAY);
    const change = w.fire();
    expect(change.events.find((e) => e.type === 'review_wait_over')!.data).toMatchObject({ askedAgain: false });
    expect(w.openTask('issue_travel_document')).toBeUndefined();
  });

  it('when the case is on hold, then its waits pause with the rest of its clock', () => {
    const w = world();
    w.extract();
    rejectTask(w.state, w.openTask('verify_nationality')!, 'no', w.ctx(officer));
    w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    w.complete('issue_travel_document', { documentType: 'passport', number: 'X1', validUntil: '2030-01-01' });
    const at = Date.parse(w.state.reviewWaits![0]!.at);
    expect(nextDeadline(w.state)).toEqual({ kind: 'review_wait_over', at: new Date(at).toISOString() });
    w.act({ type: 'hold', reason: 'in hospital' });
    w.advance(10 * DAY);
    w.act({ type: 'resume' });
    expect(Date.parse(w.state.reviewWaits![0]!.at)).toBe(at + 10 * DAY);
  });

  it('when a stage has waited too long, then the review says it is for the record', () => {
    const w = world({ confirmed: false });
    w.advance(14 * DAY);
    w.fire();
    expect(w.openTask('supervisor_review')!.input.decisions).toEqual({
      proceed: "for the record: the caseworker's next action moves the case on",
      reissue: "for the record: the caseworker's next action moves the case on",
      wait: "for the record: the caseworker's next action moves the case on",
    });
  });

  it('when the patch is off (histories recorded before it), then "wait" does nothing at all, as it did', () => {
    const w = world({ features: { ...CURRENT_FEATURES, reviewDecisionsLeadOn: false } });
    w.extract();
    rejectTask(w.state, w.openTask('verify_nationality')!, 'no', w.ctx(officer));
    const change = w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    expect(eventTypes(change)).toEqual(['task_completed']);
    expect(w.state.reviewWaits).toBeUndefined();
  });
});

describe('supervisor reviews: waits stay bounded', () => {
  it('when the same thing is waited for twice before the first wait ends, then only the later wait is kept', () => {
    const w = world();
    w.extract();
    for (let i = 0; i < 2; i++) {
      w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
      w.complete('supervisor_review', { decision: 'wait' }, supervisor);
      w.act({ type: 'record_consent', dataSharing: 'granted' });
      w.advance(DAY);
    }
    expect(w.state.reviewWaits).toEqual([expect.objectContaining({ topic: 'data_sharing_withdrawn', at: new Date(w.now() + 6 * DAY).toISOString() })]);
  });
});
