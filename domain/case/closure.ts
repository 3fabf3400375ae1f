// Closing a case: anyone may ask (or the case itself, after its last follow-up), a supervisor
// decides, and whoever asked cannot decide (four eyes). Approval closes the case for good: its open
// tasks are cancelled and it enters the "closed" stage, where nothing is allowed.
import type { Actor, ClosureReason } from '../shapes.js';
import { DomainError } from '../errors.js';
import type { ActionTable, StageRules } from './rules.js';
import { type Approval, type CaseState, type Change, type Ctx, openTasks } from './state.js';
import { addApproval, closeTask, emit, emptyChange, enterStage } from './steps.js';
import { cancelPendingTransfers, checkTransferDecider, decideTransfer } from './transfer.js';

// A pending transfer does not hold a closure back (a transfer to an office nobody answers for must not
// keep a case open); an approved closure cancels it.
function pendingClosure(state: CaseState): Approval | undefined {
  return state.approvals.find((a) => a.kind === 'closure' && a.status === 'pending');
}

export function openClosureApproval(state: CaseState, change: Change, ctx: Ctx, reason: ClosureReason, comment: string | null): void {
  const approval = addApproval(state, change, ctx, { kind: 'closure', reason, comment });
  emit(state, change, ctx, 'closure_requested', { approvalId: approval.id, reason, comment });
}

const noPendingClosure = (state: CaseState) => !pendingClosure(state);

/** The ways to ask for closure, in every stage, on hold too; one request at a time. */
export const closureActions: Pick<ActionTable, 'decline_assistance' | 'request_closure'> = {
  decline_assistance: {
    stages: 'any',
    whileOnHold: true,
    available: noPendingClosure,
    apply: (state, action, change, ctx) => openClosureApproval(state, change, ctx, 'declined_assistance', action.reason),
  },
  request_closure: {
    stages: 'any',
    whileOnHold: true,
    available: noPendingClosure,
    apply: (state, action, change, ctx) => openClosureApproval(state, change, ctx, action.reason, action.comment ?? null),
  },
};

/**
 * Checks a decision before anything is recorded. With `decider`, the four-eyes rule too: whoever
 * requested an approval cannot decide it (the workflow passes the decider; see PATCH.fourEyes). With
 * `deciderOffice` (the decider's office, "*" for all), a transfer only by its receiving office.
 */
export function validateDecision(state: CaseState, approvalId: string, decider?: Actor, deciderOffice?: string): Approval {
  const approval = state.approvals.find((a) => a.id === approvalId);
  if (!approval) throw new DomainError('not_found', 'no such approval');
  assertPending(approval);
  checkTransferDecider(approval, deciderOffice);
  if (decider) assertFourEyes(approval, decider);
  return approval;
}

/** A decided approval is not decided again (the API answers so for a closed case, whose workflow has ended). */
export function assertPending(approval: { status: string }): void {
  if (approval.status !== 'pending') throw new DomainError('conflict', `the approval is already ${approval.status}`, { status: approval.status });
}

/** Four eyes: whoever requested an approval cannot decide it (the API checks it before asking the case). */
export function assertFourEyes(approval: Pick<Approval, 'requestedBy'>, decider: Pick<Actor, 'sub'>): void {
  if (decider.sub === approval.requestedBy.sub) {
    throw new DomainError('forbidden', 'you requested this approval; another supervisor must decide it', { reason: 'four_eyes' });
  }
}

export function decideApproval(state: CaseState, approval: Approval, decision: 'approved' | 'rejected', comment: string | null, ctx: Ctx): Change {
  const change = emptyChange();
  approval.status = decision;
  approval.decidedBy = ctx.actor.sub;
  approval.decidedAt = ctx.now;
  approval.decisionComment = comment;
  approval.rev += 1;
  change.approvals.push(approval);
  if (approval.kind === 'transfer') {
    decideTransfer(state, approval, decision, comment, change, ctx);
    return change;
  }
  emit(state, change, ctx, decision === 'approved' ? 'closure_approved' : 'closure_rejected', {
    approvalId: approval.id,
    reason: approval.reason,
    comment,
  });
  if (decision === 'approved') {
    for (const t of openTasks(state)) closeTask(t, change, 'cancelled', ctx, 'case closed');
    cancelPendingTransfers(state, change, ctx);
    state.closure = { reason: approval.reason as ClosureReason, comment: approval.comment, approvedBy: ctx.actor.sub, closedAt: ctx.now };
    state.status = 'closed';
    state.onHold = false;
    state.followUpSchedule = [];
    enterStage(state, change, ctx, 'closed');
  }
  return change;
}

/** The last stage: no actions, no deadline; reached only through an approved closure. */
export const closed: StageRules = { stage: 'closed', actions: {} };
