// Consent (domain/case/consent.ts): withdrawal stops agency work at once and asks a supervisor;
// granting again resumes what the stage needs; agencies read under the consent in force.
import { describe, expect, it } from 'vitest';
import { agencyRedaction, openTasks } from '../../../domain/case.js';
import { world } from './world.js';

describe('consent', () => {
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

  it('when consular notification is refused during consular contact, then the consular tasks stop and a supervisor is asked', () => {
    const w = world();
    w.extract();
    const change = w.act({ type: 'record_consent', consularNotification: 'refused' });
    expect(change.tasks.filter((t) => t.status === 'cancelled').map((t) => t.reason)).toEqual(['consular notification refused', 'consular notification refused']);
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['consular_notification_refused']);
  });

  it('when consent is given again during the exit check, then the authority gets its review back', () => {
    const w = world();
    w.toExitCheck();
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    expect(w.openTask('exit_restriction_review')).toBeUndefined();
    w.act({ type: 'record_consent', dataSharing: 'granted' });
    expect(w.openTask('exit_restriction_review')).toBeDefined();
  });

  it('when consent is recorded unchanged, then no consent_changed event is recorded', () => {
    const w = world();
    w.act({ type: 'record_consent', consularNotification: 'granted' });
    const change = w.act({ type: 'record_consent', consularNotification: 'granted' });
    expect(change.events.map((e) => e.type)).toEqual(['record_consent']);
  });

  it('when an agency reads a task, then only agency tasks are redacted, consular ones under a consular refusal', () => {
    const granted = { consularNotification: 'granted', dataSharing: 'granted' } as const;
    expect(agencyRedaction({ ...granted, dataSharing: 'withdrawn' }, { audience: 'agency', type: 'exit_restriction_review' })).toBe('data_sharing_withdrawn');
    expect(agencyRedaction({ ...granted, consularNotification: 'refused' }, { audience: 'agency', type: 'verify_nationality' })).toBe('consular_notification_refused');
    expect(agencyRedaction({ ...granted, consularNotification: 'refused' }, { audience: 'agency', type: 'exit_restriction_review' })).toBeNull();
    expect(agencyRedaction({ ...granted, dataSharing: 'withdrawn' }, { audience: 'supervisor', type: 'supervisor_review' })).toBeNull();
  });
});

describe('consent given again (issue #9)', () => {
  it('when data sharing is granted again, then the open withdrawal review is closed as moot and the tasks go out again', () => {
    const w = world();
    w.extract();
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    const review = w.openTask('supervisor_review')!;
    const change = w.act({ type: 'record_consent', dataSharing: 'granted' });
    expect(w.state.tasks.find((t) => t.id === review.id)).toMatchObject({ status: 'cancelled', reason: 'consent given again' });
    expect(change.events.find((e) => e.type === 'consent_changed')!.data).toMatchObject({ cancelledTaskIds: [], mootReviewIds: [review.id] });
    expect(openTasks(w.state).map((t) => t.type)).toEqual(['verify_nationality', 'issue_travel_document']);
  });

  it('when consular notification is granted again while data sharing stays withdrawn, then the supervisor is asked about what still stops the tasks', () => {
    const w = world();
    w.extract();
    w.act({ type: 'record_consent', consularNotification: 'refused' });
    // Nothing left to stop: the refusal already stopped the consular tasks, and its review stays open.
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['consular_notification_refused']);
    w.act({ type: 'record_consent', consularNotification: 'granted' });
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['data_sharing_withdrawn']);
    expect(openTasks(w.state).filter((t) => t.audience === 'agency')).toEqual([]);
  });
});

describe('consent given again: what the model found (issue #9)', () => {
  it('when data sharing comes back in the exit check while consular notification is refused, then the authority gets its review again', () => {
    const w = world();
    w.toExitCheck();
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    w.act({ type: 'record_consent', dataSharing: 'granted', consularNotification: 'refused' });
    expect(openTasks(w.state).map((t) => t.type)).toEqual(['exit_restriction_review']);
  });

  it('when consent comes back after a nationality not verified, then the consulate is asked to verify again', () => {
    const w = world();
    w.extract();
    w.complete('verify_nationality', { verified: false });
    w.complete('supervisor_review', { decision: 'wait' }, { sub: 'sup', role: 'supervisor' });
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    w.act({ type: 'record_consent', dataSharing: 'granted' });
    expect(openTasks(w.state).map((t) => t.type)).toContain('verify_nationality');
  });

  it('when consent comes back while a supervisor still decides about an earlier task, then that task is left to the decision', () => {
    const w = world();
    w.extract();
    w.complete('verify_nationality', { verified: false });
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    w.act({ type: 'record_consent', dataSharing: 'granted' });
    expect(openTasks(w.state).map((t) => t.review?.topic ?? t.type)).toEqual(['nationality_not_verified', 'issue_travel_document']);
  });
});
