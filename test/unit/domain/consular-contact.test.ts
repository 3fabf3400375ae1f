// Stage "consular_contact" (domain/case/stages/consular-contact.ts): the tasks sent on entry, what
// their results do, and the exit once each is done or waived.
import { describe, expect, it } from 'vitest';
import { openTasks, validateTaskCompletion } from '../../../domain/case.js';
import { DAY, T0, rejection, supervisor, world } from './world.js';

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
