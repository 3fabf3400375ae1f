// What the workflow keeps of a case is bounded whatever users append (issue #7): the read model keeps
// everything, the workflow state only what its rules read.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CaseState, type CaseTask, STATE_LIMITS, initialState, trimState } from '../../../domain/case.js';
import { policyFor } from '../../../domain/policy.js';
import { personSchema } from '../../../domain/schemas.js';

function bareState(): CaseState {
  return initialState({
    caseId: randomUUID(),
    reference: 'HW-2026-000001',
    office: 'manila',
    consulateId: 'ph-bkk',
    immigrationAgencyId: 'immigration',
    person: personSchema.parse({ fullName: 'Unit Person', nationality: 'PH', documents: [] }),
    location: { country: 'MM', confirmed: true },
    source: { type: 'hotline' },
    riskFlags: [],
    openedBy: { sub: 'cw', role: 'caseworker' },
    openedAt: '2026-11-01T00:00:00.000Z',
    policy: policyFor(1),
  });
}

function task(type: CaseTask['type'], status: CaseTask['status'], extra: Partial<CaseTask> = {}): CaseTask {
  return { ...({} as CaseTask), id: randomUUID(), type, status, audience: 'agency', agencyId: 'ph-bkk', dueAt: '2026-11-02T00:00:00.000Z', ...extra };
}

describe('trimming the workflow state', () => {
  it('when a user appends hundreds of sightings, referrals and operations, then only the latest are kept, newest last', () => {
    const state = bareState();
    for (let i = 0; i < 300; i++) {
      state.sightings.push({ location: { country: 'MM', confirmed: false }, observedAt: `2026-11-01T00:00:00.${String(i).padStart(3, '0')}Z`, source: `s${i}` });
      state.employment.referrals.push({ at: `r${i}` } as never);
      (state.linkedOperations ??= []).push(`op-${i}`);
    }
    trimState(state);
    expect(state.sightings).toHaveLength(STATE_LIMITS.sightings);
    expect(state.sightings.at(-1)!.source).toBe('s299');
    expect(state.employment.referrals).toHaveLength(STATE_LIMITS.referrals);
    expect(state.linkedOperations).toHaveLength(STATE_LIMITS.linkedOperations);
    expect(state.linkedOperations!.at(-1)).toBe('op-299');
  });

  it('when closed tasks pile up, then open ones and the closed ones the rules still read survive, and the rest is capped', () => {
    const state = bareState();
    const verified = task('verify_nationality', 'completed', { result: { verified: true } });
    const waived = task('arrange_medical_check', 'rejected');
    const proceed = task('supervisor_review', 'completed', { audience: 'supervisor', result: { decision: 'proceed' }, review: { topic: 'task_rejected', taskId: waived.id } });
    const reviewed = task('issue_travel_document', 'rejected');
    const openReview = task('supervisor_review', 'open', { audience: 'supervisor', review: { topic: 'task_rejected', taskId: reviewed.id } });
    const open = task('arrange_shelter', 'open');
    const noise = Array.from({ length: 200 }, () => task('follow_up', 'cancelled'));
    state.tasks = [verified, waived, proceed, reviewed, ...noise, openReview, open];
    trimState(state);
    const ids = new Set(state.tasks.map((t) => t.id));
    for (const t of [verified, waived, proceed, reviewed, openReview, open]) expect(ids.has(t.id), t.type).toBe(true);
    const closed = state.tasks.filter((t) => t.status !== 'open' && t.status !== 'claimed');
    expect(closed.length).toBeLessThanOrEqual(STATE_LIMITS.closedTasks + 4);
    expect(ids.has(noise.at(-1)!.id)).toBe(true);
    expect(ids.has(noise[0]!.id)).toBe(false);
  });

  it('when a case has few of everything, then trimming changes nothing', () => {
    const state = bareState();
    state.tasks = [task('verify_nationality', 'completed'), task('arrange_shelter', 'open')];
    state.sightings.push({ location: { country: 'MM', confirmed: false }, observedAt: '2026-11-01T00:00:00Z', source: 'one' });
    const before = JSON.stringify(state);
    trimState(state);
    expect(JSON.stringify(state)).toBe(before);
  });
});
