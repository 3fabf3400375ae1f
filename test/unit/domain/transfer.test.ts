// Transfer between offices (domain/case/transfer.ts): asked by the sending office, decided by the
// receiving one (four eyes too); approved, the case and everything open in it move; rejected, nothing.
import { describe, expect, it } from 'vitest';
import { allowedActions, caseView, commit, decideApproval, nextDeadline, openTasks, validateAction, validateDecision } from '../../../domain/case.js';
import { caseworker, eventTypes, rejection, supervisor, world } from './world.js';

const cebu = { sub: 'sup-cebu', role: 'supervisor' } as const;

describe('transfer between offices', () => {
  it('when a transfer is asked for, then a transfer approval for the receiving office is pending and nothing moves yet', () => {
    const w = world();
    const change = w.act({ type: 'transfer_office', office: 'cebu', reason: 'lives in Cebu now' });
    expect(eventTypes(change)).toEqual(['transfer_office', 'transfer_requested']);
    expect(w.state.office).toBe('manila');
    expect(w.state.approvals).toMatchObject([
      { kind: 'transfer', reason: 'office_transfer', comment: 'lives in Cebu now', status: 'pending', transfer: { fromOffice: 'manila', toOffice: 'cebu' } },
    ]);
    expect(caseView(w.state).pendingApprovals[0]).toMatchObject({ kind: 'transfer', transfer: { fromOffice: 'manila', toOffice: 'cebu' } });
    // Due in 3 days, before the extraction's 30-day escalation.
    expect(nextDeadline(w.state)?.kind).toBe('approval:transfer');
    // One transfer at a time; a closure may still be asked for (it would cancel the transfer).
    expect(allowedActions(w.state)).not.toContain('transfer_office');
    expect(allowedActions(w.state)).toContain('request_closure');
  });

  it('when a closure is pending, then no transfer is offered', () => {
    const w = world();
    w.act({ type: 'request_closure', reason: 'duplicate' });
    expect(allowedActions(w.state)).not.toContain('transfer_office');
  });

  it('when the transfer names the office the case is already in, then it is refused naming the field', () => {
    const w = world();
    const err = rejection(() => validateAction(w.state, { type: 'transfer_office', office: 'manila', reason: 'x' }, w.iso()));
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual([{ path: 'office', message: expect.stringContaining('already in office manila') }]);
  });

  it('when anyone but a supervisor of the receiving office decides, then it is refused; a supervisor of every office may', () => {
    const w = world();
    w.act({ type: 'transfer_office', office: 'cebu', reason: 'moved' });
    const approval = w.state.approvals[0]!;
    const refused = rejection(() => validateDecision(w.state, approval.id, supervisor, 'manila'));
    expect(refused.code).toBe('forbidden');
    expect(refused.details).toEqual({ reason: 'receiving_office' });
    expect(validateDecision(w.state, approval.id, cebu, 'cebu')).toBe(approval);
    expect(validateDecision(w.state, approval.id, cebu, '*')).toBe(approval);
  });

  it('when the requester is a supervisor of every office, then they still cannot decide their own transfer (four eyes)', () => {
    const w = world();
    const all = { sub: 'sup-all', role: 'supervisor' } as const;
    w.act({ type: 'transfer_office', office: 'cebu', reason: 'moved' }, all);
    expect(rejection(() => validateDecision(w.state, w.state.approvals[0]!.id, all, '*')).details).toEqual({ reason: 'four_eyes' });
  });

  it('when the receiving office approves, then the case, its open tasks and pending approvals take the new office and the assignee is cleared', () => {
    const w = world();
    w.extract();
    w.act({ type: 'assign', assignee: 'cw-manila' });
    w.act({ type: 'transfer_office', office: 'cebu', reason: 'moved' });
    const before = openTasks(w.state).map((t) => ({ id: t.id, dueAt: t.dueAt }));
    const change = w.decide('approved', cebu);
    expect(eventTypes(change)).toEqual(['transfer_approved', 'office_changed']);
    expect(change.events[1]!.data).toMatchObject({ from: 'manila', to: 'cebu', assigneeCleared: true });
    expect(w.state).toMatchObject({ office: 'cebu', assignee: null, stage: 'consular_contact', status: 'open' });
    // Deadlines are kept; every open task is part of the step, so the read model files it under the new office.
    expect(openTasks(w.state).map((t) => ({ id: t.id, dueAt: t.dueAt }))).toEqual(before);
    const step = commit(w.state, change);
    expect(step.tasks.map((t) => t.id).sort()).toEqual(before.map((t) => t.id).sort());
    expect(new Set([...step.tasks, ...step.approvals].map((r) => r.office))).toEqual(new Set(['cebu']));
    expect(step.caseView.office).toBe('cebu');
    expect(allowedActions(w.state)).toContain('transfer_office');
  });

  it('when the receiving office rejects, then nothing moves and another transfer may be asked for', () => {
    const w = world();
    w.act({ type: 'assign', assignee: 'cw-manila' });
    w.act({ type: 'transfer_office', office: 'cebu', reason: 'moved' });
    const change = w.decide('rejected', cebu);
    expect(eventTypes(change)).toEqual(['transfer_rejected']);
    expect(w.state).toMatchObject({ office: 'manila', assignee: 'cw-manila' });
    expect(allowedActions(w.state)).toContain('transfer_office');
  });

  it('when the case is closed while a transfer waits, then the transfer is cancelled with it', () => {
    const w = world();
    w.toEmployment();
    w.act({ type: 'record_placement', employer: 'E', position: 'P', startDate: '2026-12-01', abroad: false });
    w.act({ type: 'transfer_office', office: 'cebu', reason: 'moved' });
    // The last follow-up asks for closure by itself while the transfer waits.
    for (const t of openTasks(w.state).filter((x) => x.type === 'follow_up')) w.act({ type: 'record_follow_up', taskId: t.id, outcome: 'employed' }, caseworker);
    const closure = w.state.approvals.find((a) => a.kind === 'closure' && a.status === 'pending')!;
    const change = decideApproval(w.state, validateDecision(w.state, closure.id, supervisor, 'manila'), 'approved', null, w.ctx(supervisor));
    expect(eventTypes(change)).toContain('transfer_cancelled');
    expect(w.state.approvals.find((a) => a.kind === 'transfer')!.status).toBe('cancelled');
    expect(w.state).toMatchObject({ status: 'closed', office: 'manila' });
  });
});
