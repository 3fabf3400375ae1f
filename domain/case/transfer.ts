// Moving a case to another office of Homeward (the person moves, or another office is closer to
// them): the sending office asks, a supervisor of the receiving office decides (and, four eyes, never
// the one who asked). Approved, the case changes office with everything it holds: its tasks,
// approvals, deadlines and read model; the sending office then no longer sees it. Rejected, nothing
// moves. A transfer out of Homeward altogether is a closure with the reason `transferred`.
import { DomainError } from '../errors.js';
import type { ActionTable } from './rules.js';
import { type Approval, type CaseState, type Change, type Ctx, openTasks } from './state.js';
import { addApproval, emit } from './steps.js';

/** One request at a time: no transfer while another transfer or a closure waits for its decision. */
const nothingPending = (state: CaseState) => !state.approvals.some((a) => a.status === 'pending');

export const transferActions: Pick<ActionTable, 'transfer_office'> = {
  // Paperwork between offices: allowed on hold too, in every stage of an open case.
  transfer_office: {
    stages: 'any',
    whileOnHold: true,
    available: nothingPending,
    check: (state, action) => {
      if (action.office === state.office) {
        throw new DomainError('validation_failed', 'the case is already in this office', [
          { path: 'office', message: `the case is already in office ${state.office}; name the office that should take it over` },
        ]);
      }
    },
    apply: (state, action, change, ctx) => {
      const transfer = { fromOffice: state.office, toOffice: action.office };
      const approval = addApproval(state, change, ctx, { kind: 'transfer', reason: 'office_transfer', comment: action.reason, transfer });
      emit(state, change, ctx, 'transfer_requested', { approvalId: approval.id, ...transfer });
    },
  },
};

/**
 * Who may decide a transfer: a supervisor of the receiving office (or of every office, "*"). The
 * sending office cannot accept work on another office's behalf. Without `office` (callers that do not
 * say, e.g. histories recorded before transfers existed) nothing is checked here.
 */
export function checkTransferDecider(approval: { kind: string; transfer?: { toOffice: string } | null }, office: string | undefined): void {
  if (approval.kind !== 'transfer' || office === undefined || office === '*') return;
  if (office !== approval.transfer?.toOffice) {
    throw new DomainError('forbidden', `a transfer is decided by a supervisor of the receiving office (${approval.transfer?.toOffice})`, {
      reason: 'receiving_office',
    });
  }
}

/**
 * A decided transfer (the approval itself already updated). Approved: the case takes the new office,
 * its assignee (a caseworker of the old office) is cleared, and every open task and pending approval
 * is part of this step so the read model files them under the new office; the persist activity moves
 * the case's older rows too (activities/cases.ts).
 */
export function decideTransfer(state: CaseState, approval: Approval, decision: 'approved' | 'rejected', comment: string | null, change: Change, ctx: Ctx): void {
  const transfer = approval.transfer!;
  emit(state, change, ctx, decision === 'approved' ? 'transfer_approved' : 'transfer_rejected', { approvalId: approval.id, ...transfer, comment });
  if (decision !== 'approved') return;
  const previousAssignee = state.assignee;
  state.office = transfer.toOffice;
  state.assignee = null;
  for (const t of openTasks(state)) {
    t.rev += 1;
    if (!change.tasks.includes(t)) change.tasks.push(t);
  }
  for (const a of state.approvals) {
    if (a.status !== 'pending' || change.approvals.includes(a)) continue;
    a.rev += 1;
    change.approvals.push(a);
  }
  emit(state, change, ctx, 'office_changed', { from: transfer.fromOffice, to: transfer.toOffice, approvalId: approval.id, assigneeCleared: previousAssignee !== null });
}

/** The case closed while a transfer waited: there is nothing left to transfer. */
export function cancelPendingTransfers(state: CaseState, change: Change, ctx: Ctx): void {
  for (const a of state.approvals) {
    if (a.kind !== 'transfer' || a.status !== 'pending') continue;
    a.status = 'cancelled';
    a.rev += 1;
    if (!change.approvals.includes(a)) change.approvals.push(a);
    emit(state, change, ctx, 'transfer_cancelled', { approvalId: a.id, ...a.transfer!, why: 'case closed' });
  }
}
