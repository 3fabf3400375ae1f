// Stage "exit_restriction_check" (domain/case/stages/exit-restriction-check.ts): the authority's
// decision, the restriction it may set, and its lifting.
import { describe, expect, it } from 'vitest';
import { liftExitRestriction, nextWakeAt } from '../../../domain/case.js';
import { T0, eventTypes, world } from './world.js';

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
});
