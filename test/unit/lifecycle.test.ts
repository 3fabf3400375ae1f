// The pure lifecycle rules (domain/case.ts), without servers: consent gates, supervisor paths, the
// exit restriction's effect on placements, and how hold/resume moves the case's clock.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CaseState,
  type Ctx,
  agencyRedaction,
  allowedActions,
  applyAction,
  completeTask,
  fireDue,
  initialState,
  nextWakeAt,
  openTasks,
  rejectTask,
  validateAction,
  validateTaskCompletion,
} from '../../domain/case.js';
import { DomainError } from '../../domain/errors.js';
import { policyFor } from '../../domain/policy.js';
import { type Actor, personSchema } from '../../domain/schemas.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const caseworker: Actor = { sub: 'cw', role: 'caseworker' };

function world(opts: { riskFlags?: CaseState['riskFlags'] } = {}) {
  let now = T0;
  const state = initialState({
    caseId: randomUUID(),
    reference: 'HW-2026-000001',
    office: 'manila',
    consulateId: 'ph-bkk',
    immigrationAgencyId: 'immigration',
    person: personSchema.parse({ fullName: 'Unit Person', nationality: 'PH', documents: [{ type: 'passport', number: 'P1', issuingCountry: 'PH' }] }),
    location: { country: 'MM', confirmed: true },
    source: { type: 'hotline' },
    riskFlags: opts.riskFlags ?? [],
    openedBy: caseworker,
    openedAt: new Date(T0).toISOString(),
    policy: policyFor(1),
  });
  const ctx = (actor: Actor = caseworker): Ctx => ({ now: new Date(now).toISOString(), actor, newId: randomUUID });
  const act = (raw: Record<string, unknown>) => applyAction(state, validateAction(state, raw, new Date(now).toISOString()), ctx());
  const complete = (type: string, result: Record<string, unknown>, actor: Actor = { sub: 'officer', role: 'agency_officer' }) => {
    const task = openTasks(state).find((t) => t.type === type)!;
    const v = validateTaskCompletion(state, task.id, result);
    return completeTask(state, v.task, v.result, ctx(actor));
  };
  const advance = (ms: number) => {
    now += ms;
  };
  const extract = () => act({ type: 'record_extraction', extractedAt: '2026-11-01T03:00:00Z', handedOverTo: 'police' });
  return { state, ctx, act, complete, advance, extract, now: () => now };
}

function rejection(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('the lifecycle rules', () => {
  it('when an action is not allowed in the stage, then it is refused with the stage and the allowed actions', () => {
    const w = world();
    expect(w.state.stage).toBe('extraction');
    const err = rejection(() => validateAction(w.state, { type: 'book_return', departureAt: '2026-11-02T00:00:00Z', arrivalPort: 'MNL' }, new Date().toISOString()));
    expect(err.code).toBe('invalid_transition');
    expect(err.details).toEqual({ stage: 'extraction', allowed: allowedActions(w.state) });
  });

  it('when a case is on hold, then only the any-stage actions and resume are allowed', () => {
    const w = world();
    w.act({ type: 'hold', reason: 'hospital' });
    expect(allowedActions(w.state)).not.toContain('record_extraction');
    expect(allowedActions(w.state)).toContain('resume');
    expect(allowedActions(w.state)).not.toContain('hold');
  });

  it('when consular notification is refused, then no consular task is sent and a supervisor decides; proceeding moves the case on', () => {
    const w = world();
    w.act({ type: 'record_consent', consularNotification: 'refused' });
    w.extract();
    const tasks = openTasks(w.state);
    expect(tasks.map((t) => t.type)).toEqual(['supervisor_review']);
    expect(tasks[0]!.review?.topic).toBe('consular_notification_refused');
    expect(rejection(() => validateTaskCompletion(w.state, tasks[0]!.id, { decision: 'reissue' })).code).toBe('validation_failed');
    w.complete('supervisor_review', { decision: 'proceed' }, { sub: 'sup', role: 'supervisor' });
    expect(w.state.stage).toBe('return');
  });

  it('when data-sharing consent is withdrawn, then pending agency tasks stop at once and a supervisor is asked', () => {
    const w = world();
    w.extract();
    expect(openTasks(w.state).filter((t) => t.audience === 'agency')).toHaveLength(2);
    const change = w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    expect(openTasks(w.state).filter((t) => t.audience === 'agency')).toEqual([]);
    // Their inputs are kept for the case's office; agencies are kept from them at read time (agencyRedaction).
    const cancelled = change.tasks.filter((t) => t.status === 'cancelled');
    expect(cancelled.every((t) => typeof t.input.fullName === 'string' && agencyRedaction(w.state.consent, t) === 'data_sharing_withdrawn')).toBe(true);
    expect(change.events.find((e) => e.type === 'consent_changed')?.data).toMatchObject({
      dataSharing: { from: 'unknown', to: 'withdrawn' },
      cancelledTaskIds: cancelled.map((t) => t.id),
      redactedTaskIds: cancelled.map((t) => t.id),
    });
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['data_sharing_withdrawn']);
    // Granting it again sends the consulate its tasks anew.
    w.act({ type: 'record_consent', dataSharing: 'granted' });
    expect(openTasks(w.state).filter((t) => t.audience === 'agency').map((t) => t.type).sort()).toEqual(['issue_travel_document', 'verify_nationality']);
  });

  it('when a consulate rejects a task, then a supervisor reviews it and can reissue it', () => {
    const w = world();
    w.extract();
    const verify = openTasks(w.state).find((t) => t.type === 'verify_nationality')!;
    rejectTask(w.state, verify, 'not our national', w.ctx({ sub: 'officer', role: 'agency_officer' }));
    const review = openTasks(w.state).find((t) => t.type === 'supervisor_review')!;
    expect(review.review).toEqual({ topic: 'task_rejected', taskId: verify.id });
    w.complete('supervisor_review', { decision: 'reissue', consulateId: 'ph-kul' }, { sub: 'sup', role: 'supervisor' });
    const reissued = openTasks(w.state).find((t) => t.type === 'verify_nationality')!;
    expect(reissued.id).not.toBe(verify.id);
    expect(reissued.agencyId).toBe('ph-kul');
  });

  it('when an exit restriction is active, then a placement abroad is refused and a placement at home is not', () => {
    const w = world();
    w.extract();
    w.complete('verify_nationality', { verified: true });
    w.complete('issue_travel_document', { documentType: 'passport', number: 'X1', validUntil: '2030-01-01' });
    w.act({ type: 'book_return', departureAt: '2026-11-05T00:00:00Z', arrivalPort: 'MNL' });
    w.act({ type: 'record_arrival', arrivedAt: '2026-11-05T04:00:00Z', port: 'MNL', receivedBy: 'desk' });
    w.complete('exit_restriction_review', { decision: 'restricted', basis: 'art. 12', from: '2026-11-05', until: '2029-11-05' });
    expect(w.state.stage).toBe('employment_assistance');
    const placement = { type: 'record_placement', employer: 'E', position: 'P', startDate: '2026-12-01' };
    expect(rejection(() => validateAction(w.state, { ...placement, abroad: true }, new Date(w.now()).toISOString())).code).toBe('invalid_transition');
    expect(() => validateAction(w.state, { ...placement, abroad: false }, new Date(w.now()).toISOString())).not.toThrow();
  });

  it('when a case is held and resumed, then its clock stops and restarts with the time it had left', () => {
    const w = world({ riskFlags: ['abused'] });
    w.extract();
    const shelter = openTasks(w.state).find((t) => t.type === 'arrange_shelter')!;
    const dueBefore = Date.parse(shelter.dueAt);
    expect(nextWakeAt(w.state)).toBe(T0 + 12 * 3600_000); // reminder at half of one day

    w.advance(6 * 3600_000);
    w.act({ type: 'hold', reason: 'hospital' });
    expect(nextWakeAt(w.state)).toBeNull();
    w.advance(10 * 86_400_000);
    expect(fireDue(w.state, w.ctx()).events).toEqual([]);

    w.act({ type: 'resume' });
    expect(Date.parse(shelter.dueAt) - dueBefore).toBe(10 * 86_400_000);
    expect(nextWakeAt(w.state)).toBe(w.now() + 6 * 3600_000);
    w.advance(6 * 3600_000);
    expect(fireDue(w.state, w.ctx()).events.map((e) => e.type)).toContain('task_reminder');
  });

  it('when a task passes its due time and then twice its time, then it escalates twice and the case priority rises', () => {
    const w = world({ riskFlags: ['abused'] });
    w.extract();
    expect(w.state.priority).toBe('high');
    w.advance(2 * 86_400_000 + 1);
    fireDue(w.state, w.ctx());
    const shelter = w.state.tasks.find((t) => t.type === 'arrange_shelter')!;
    expect(shelter.escalationLevel).toBe(2);
    expect(shelter.status).toBe('open');
    expect(w.state.priority).toBe('critical');
    expect(openTasks(w.state).some((t) => t.review?.topic === 'task_overdue' && t.review.taskId === shelter.id)).toBe(true);
  });
});
