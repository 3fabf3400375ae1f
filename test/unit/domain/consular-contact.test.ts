// Stage "consular_contact" (domain/case/stages/consular-contact.ts): the tasks sent on entry, what
// their results do, and the exit once each is done or waived.
import { describe, expect, it } from 'vitest';
import { CURRENT_FEATURES, openTasks, validateTaskCompletion } from '../../../domain/case.js';
import { DAY, T0, eventTypes, rejection, supervisor, world } from './world.js';

describe('stage consular_contact', () => {
  it('when the case enters it, then the consulate gets nationality and travel-document tasks with only what they need', () => {
    const w = world();
    w.extract();
    const tasks = openTasks(w.state);
    expect(tasks.map((t) => t.type)).toEqual(['verify_nationality', 'issue_travel_document']);
    expect(tasks.every((t) => t.agencyId === 'ph-bkk' && t.audience === 'agency')).toBe(true);
    expect(Object.keys(tasks[0]!.input).sort()).toEqual(['dateOfBirth', 'documents', 'fullName', 'nationality', 'sex']);
  });

  it('when the person is at risk, then shelter is arranged too', () => {
    const w = world({ riskFlags: ['minor'] });
    w.extract();
    expect(openTasks(w.state).map((t) => t.type)).toContain('arrange_shelter');
  });

  it('when nationality and the travel document are done, then the case enters return, its departure due from the document', () => {
    const w = world();
    w.extract();
    w.complete('verify_nationality', { verified: true });
    expect(w.state.stage).toBe('consular_contact');
    w.advance(DAY);
    w.complete('issue_travel_document', { documentType: 'emergency_travel_document', number: 'E1', validUntil: '2027-01-01' });
    expect(w.state.stage).toBe('return');
    expect(w.state.travelDocument).toEqual({ documentType: 'emergency_travel_document', number: 'E1', validUntil: '2027-01-01' });
    expect(w.state.stageDeadline).toEqual({ kind: 'departure_due', at: new Date(T0 + 15 * DAY).toISOString() });
  });

  it('when nationality is not verified, then a supervisor is asked and the case stays; proceeding waives it', () => {
    const w = world();
    w.extract();
    w.complete('verify_nationality', { verified: false });
    w.complete('issue_travel_document', { documentType: 'passport', number: 'X1', validUntil: '2030-01-01' });
    expect(w.state.stage).toBe('consular_contact');
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['nationality_not_verified']);
    w.complete('supervisor_review', { decision: 'proceed' }, supervisor);
    expect(w.state.stage).toBe('return');
  });

  it('when consular notification is refused, then no consular task is sent and a supervisor decides; proceeding moves the case on', () => {
    const w = world();
    w.act({ type: 'record_consent', consularNotification: 'refused' });
    w.extract();
    const tasks = openTasks(w.state);
    expect(tasks.map((t) => t.type)).toEqual(['supervisor_review']);
    expect(tasks[0]!.review?.topic).toBe('consular_notification_refused');
    expect(rejection(() => validateTaskCompletion(w.state, tasks[0]!.id, { decision: 'reissue' })).code).toBe('validation_failed');
    w.complete('supervisor_review', { decision: 'proceed' }, supervisor);
    expect(w.state.stage).toBe('return');
  });

  it('when the stage is done, then reviews still open about it are cancelled', () => {
    const w = world();
    w.extract();
    w.advance(3 * DAY);
    w.fire(); // verify_nationality is overdue: a task_overdue review opens
    const review = openTasks(w.state).find((t) => t.review?.topic === 'task_overdue')!;
    w.complete('verify_nationality', { verified: true });
    w.complete('issue_travel_document', { documentType: 'passport', number: 'X1', validUntil: '2030-01-01' });
    expect(w.state.stage).toBe('return');
    expect(w.state.tasks.find((t) => t.id === review.id)).toMatchObject({ status: 'cancelled', reason: 'stage completed' });
  });
});

describe('stage consular_contact: data sharing withdrawn (issue #9)', () => {
  const withdrawn = () => {
    const w = world({ riskFlags: ['abused'] });
    w.extract();
    w.complete('verify_nationality', { verified: true });
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    return w;
  };

  it('when data sharing is withdrawn, then the supervisor review says what each decision does', () => {
    const w = withdrawn();
    const review = w.openTask('supervisor_review')!;
    expect(review.input).toMatchObject({
      topic: 'data_sharing_withdrawn',
      stage: 'consular_contact',
      decisions: {
        proceed: 'the consular steps still missing are waived and the case moves on to its return',
        reissue: 'not possible while data sharing is withdrawn',
        wait: expect.stringMatching(/^you are asked again in 7 days, unless consent is given again first/),
      },
    });
  });

  it('when the supervisor proceeds, then the consular steps still missing are waived and the case moves on to its return', () => {
    const w = withdrawn();
    const change = w.complete('supervisor_review', { decision: 'proceed' }, supervisor);
    expect(w.state.stage).toBe('return');
    const waived = change.events.find((e) => e.type === 'consular_contact_waived')!;
    expect(waived.data).toMatchObject({ topic: 'data_sharing_withdrawn', waivedTaskTypes: ['issue_travel_document', 'arrange_shelter'] });
    expect(eventTypes(change)).toEqual(['task_completed', 'consular_contact_waived', 'stage_changed']);
    expect(openTasks(w.state)).toEqual([]);
    expect(w.state.travelDocument).toBeNull();
  });

  it('when the supervisor reissues while consent is still withdrawn, then it is refused: nothing can be sent', () => {
    const w = withdrawn();
    const err = rejection(() => validateTaskCompletion(w.state, w.openTask('supervisor_review')!.id, { decision: 'reissue' }, CURRENT_FEATURES));
    expect(err.code).toBe('validation_failed');
    expect(err.message).toBe('data-sharing consent is withdrawn: nothing can be sent to the agency; decide proceed or wait');
    expect(err.details).toEqual([{ path: 'result.decision', message: 'reissue is not possible while data-sharing consent is withdrawn' }]);
  });

  it('when the patch is off (histories recorded before it), then proceed leaves the case where it was and reissue asks again, as they did', () => {
    const w = world({ riskFlags: ['abused'], features: { ...CURRENT_FEATURES, consentReviewsLeadOn: false } });
    w.extract();
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    w.complete('supervisor_review', { decision: 'reissue' }, supervisor);
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['data_sharing_withdrawn']);
    w.complete('supervisor_review', { decision: 'proceed' }, supervisor);
    expect(w.state.stage).toBe('consular_contact');
    expect(openTasks(w.state)).toEqual([]);
  });
});
