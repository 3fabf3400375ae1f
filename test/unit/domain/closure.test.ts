// Closure (domain/case/closure.ts): requests, the four-eyes decision, and the closed stage.
import { describe, expect, it } from 'vitest';
import { allowedActions, nextWakeAt, openTasks, validateDecision } from '../../../domain/case.js';
import { caseworker, rejection, supervisor, world } from './world.js';

describe('closure', () => {
  it('when closure is requested, then an approval is pending and no second request is offered', () => {
    const w = world();
    w.act({ type: 'request_closure', reason: 'transferred', comment: 'to Cebu' });
    expect(w.state.approvals).toMatchObject([{ status: 'pending', reason: 'transferred', comment: 'to Cebu' }]);
    expect(allowedActions(w.state)).not.toContain('request_closure');
    expect(allowedActions(w.state)).not.toContain('decline_assistance');
  });

  it('when the requester decides their own request, then it is refused (four eyes); a decided one cannot be decided again', () => {
    const w = world();
    w.act({ type: 'decline_assistance', reason: 'wants to stay' }, supervisor);
    const approval = w.state.approvals[0]!;
    expect(rejection(() => validateDecision(w.state, approval.id, supervisor)).code).toBe('forbidden');
    w.decide('rejected', { sub: 'sup-2', role: 'supervisor' });
    expect(rejection(() => validateDecision(w.state, approval.id)).code).toBe('conflict');
    expect(rejection(() => validateDecision(w.state, 'nope')).code).toBe('not_found');
    expect(allowedActions(w.state)).toContain('request_closure');
  });

  it('when closure is approved, then open tasks are cancelled, the case is closed and nothing more is allowed', () => {
    const w = world();
    w.extract();
    w.act({ type: 'hold', reason: 'x' });
    w.act({ type: 'request_closure', reason: 'deceased' }, caseworker);
    w.decide('approved');
    expect(w.state).toMatchObject({ status: 'closed', stage: 'closed', onHold: false, closure: { reason: 'deceased', approvedBy: 'sup' } });
    expect(openTasks(w.state)).toEqual([]);
    expect(allowedActions(w.state)).toEqual([]);
    expect(nextWakeAt(w.state)).toBeNull();
  });
});
