// The case as people see it: the API's case, task and approval shapes (docs/api.md), the next deadline
// (paused on hold), and what an agency may read of a task under the consent in force.
import type { TaskType } from '../shapes.js';
import { type Approval, type CaseState, type CaseTask, openTasks } from './state.js';
import { allowedActions } from './actions.js';
import { CONSULAR_TASKS } from './stages/consular-contact.js';
import { reflectionPeriodEndsAt } from './justice.js';

export interface NextDeadline {
  kind: string;
  at: string;
  paused?: boolean;
  remainingMs?: number;
}

/** The true next deadline; while on hold it is paused, shown with the time it will have left. */
export function nextDeadline(state: CaseState): NextDeadline | null {
  if (state.status === 'closed') return null;
  let next: NextDeadline | null = null;
  const consider = (kind: string, at: string) => {
    if (!next || at < next.at) next = { kind, at };
  };
  for (const t of openTasks(state)) consider(`task:${t.type}`, t.dueAt);
  for (const a of state.approvals) if (a.status === 'pending') consider(`approval:${a.kind}`, a.dueAt);
  if (state.stageDeadline) consider(`stage:${state.stageDeadline.kind}`, state.stageDeadline.at);
  for (const f of state.followUpSchedule) consider('follow_up_due', f.at);
  for (const w of state.reviewWaits ?? []) consider('review_wait_over', w.at);
  if (next && state.onHold && state.heldAt) {
    const n = next as NextDeadline;
    return { ...n, paused: true, remainingMs: Math.max(0, Date.parse(n.at) - Date.parse(state.heldAt)) };
  }
  return next;
}

export type Consent = CaseState['consent'];
export type RedactionReason = 'consular_notification_refused' | 'data_sharing_withdrawn';

/**
 * Consent as a live gate (VCCR art. 36(1)(c)): whether an agency may still read a task's inputs
 * and results under the consent in force, whatever the task's status. Data-sharing withdrawn hides
 * every agency task; consular notification refused hides the consular ones. Granting again gives
 * them back. The case's own office is never redacted; the API applies this to agency officers.
 */
export function agencyRedaction(consent: Consent, task: { audience: string; type: string }): RedactionReason | null {
  if (task.audience !== 'agency') return null;
  if (consent.dataSharing === 'withdrawn') return 'data_sharing_withdrawn';
  if (consent.consularNotification === 'refused' && CONSULAR_TASKS.has(task.type as TaskType)) return 'consular_notification_refused';
  return null;
}

export function taskView(state: Pick<CaseState, 'id' | 'reference'>, t: CaseTask) {
  return {
    id: t.id,
    caseId: state.id,
    caseReference: state.reference,
    agencyId: t.agencyId,
    audience: t.audience,
    type: t.type,
    status: t.status,
    priority: t.priority,
    dueAt: t.dueAt,
    escalationLevel: t.escalationLevel,
    input: t.input,
    result: t.result,
    reason: t.reason,
    createdAt: t.createdAt,
    completedAt: t.completedAt,
  };
}

export function approvalView(state: Pick<CaseState, 'id' | 'reference'>, a: Approval) {
  return {
    id: a.id,
    caseId: state.id,
    caseReference: state.reference,
    kind: a.kind,
    reason: a.reason,
    comment: a.comment,
    requestedBy: a.requestedBy,
    status: a.status,
    dueAt: a.dueAt,
    escalationLevel: a.escalationLevel,
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt,
    decisionComment: a.decisionComment,
    createdAt: a.createdAt,
    /** A transfer's offices (its supervisors of `toOffice` decide it); null for a closure. */
    transfer: a.transfer ?? null,
  };
}

/** The case as docs/api.md shows it. */
export function caseView(state: CaseState) {
  return {
    id: state.id,
    reference: state.reference,
    status: state.status,
    stage: state.stage,
    onHold: state.onHold,
    holdReason: state.holdReason,
    priority: state.priority,
    version: state.version,
    office: state.office,
    assignee: state.assignee,
    consulateId: state.consulateId,
    operationId: state.operationId,
    source: state.source,
    person: state.person,
    location: state.location,
    riskFlags: state.riskFlags,
    screening: state.screening,
    exploitationTypes: state.exploitationTypes ?? [],
    consent: { ...state.consent, policeReferral: state.consent.policeReferral ?? 'unknown' },
    exitRestriction: state.exitRestriction,
    medical: state.medical ?? null,
    extraction: state.extraction,
    travelDocument: state.travelDocument,
    returnTrip: state.returnTrip,
    employment: state.employment,
    bestInterests: state.bestInterests ?? null,
    openTasks: openTasks(state).map((t) => taskView(state, t)),
    pendingApprovals: state.approvals.filter((a) => a.status === 'pending').map((a) => approvalView(state, a)),
    nextDeadline: nextDeadline(state),
    allowedActions: allowedActions(state),
    closure: state.closure,
    /** The closed case this one reopens, for the same person. */
    previousCaseId: state.previousCase?.id ?? null,
    /** The case that reopened this one once it was closed: set in the read model by the reopening (api/services/reopen.ts). */
    reopenedAs: null as string | null,
    /** Police referrals and the recovery and reflection period that gates them (justice.ts). */
    justice: { reflectionPeriodEndsAt: reflectionPeriodEndsAt(state), policeReferrals: state.policeReferrals ?? [] },
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    stageEnteredAt: state.stageEnteredAt,
  };
}
export type CaseView = ReturnType<typeof caseView>;
export type TaskView = ReturnType<typeof taskView>;
export type ApprovalView = ReturnType<typeof approvalView>;
