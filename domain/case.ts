// The case lifecycle as pure, deterministic code: state, which actions are allowed now, and what each
// action, task result and approval decision does. The case workflow runs it inside Temporal; the API
// uses it to shape the first response; unit tests run it directly. No I/O, no clock, no randomness:
// time and ids are passed in, so the workflow's replay sees exactly the same decisions.
import {
  type Action,
  type ActionType,
  type Actor,
  type ClosureReason,
  type IdentityDocument,
  type Location,
  type Person,
  type Priority,
  type RiskFlag,
  type Stage,
  type TaskStatus,
  type TaskType,
  actionSchemas,
  taskResultSchemas,
} from './schemas.js';
import type { z } from 'zod';
import { DomainError, fieldIssues } from './errors.js';
import { DEFAULT_POLICY, type DeadlinePolicy, daysMs } from './policy.js';

export interface CaseInput {
  caseId: string;
  reference: string;
  office: string;
  consulateId: string;
  immigrationAgencyId: string;
  person: Person;
  location?: Location;
  source: { type: string; reference?: string };
  riskFlags: RiskFlag[];
  openedBy: Actor;
  openedAt: string;
  operationId?: string;
  /** The deadline policy this case runs on for its whole life; DEFAULT_POLICY when absent. */
  policy?: DeadlinePolicy;
}

export type Audience = 'agency' | 'supervisor' | 'caseworker';

export interface CaseTask {
  id: string;
  type: TaskType;
  agencyId: string | null;
  audience: Audience;
  status: TaskStatus;
  priority: Priority;
  dueAt: string;
  escalationLevel: number;
  input: Record<string, unknown>;
  result: Record<string, unknown> | null;
  reason: string | null;
  /** For supervisor reviews: what they are asked to decide, and about which task. */
  review?: { topic: ReviewTopic; taskId?: string };
  completedBy: string | null;
  createdAt: string;
  completedAt: string | null;
  rev: number;
  /** Where the reminder/escalation ladder is measured from; moves forward by the time spent on hold. */
  ladderStartAt: string;
  remindedAt: string | null;
}

export type ReviewTopic =
  | 'task_rejected'
  | 'nationality_not_verified'
  | 'consular_notification_refused'
  | 'data_sharing_withdrawn'
  | 'task_overdue'
  | 'approval_overdue'
  | 'locating_unconfirmed'
  | 'extraction_overdue'
  | 'departure_overdue';

export interface Approval {
  id: string;
  kind: 'closure';
  reason: ClosureReason;
  comment: string | null;
  requestedBy: Actor;
  status: 'pending' | 'approved' | 'rejected' | 'cancelled';
  dueAt: string;
  escalationLevel: number;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
  createdAt: string;
  rev: number;
  ladderStartAt: string;
  remindedAt: string | null;
}

export interface TimelineEvent {
  seq: number;
  at: string;
  type: string;
  actor: Actor;
  stage: Stage;
  data: Record<string, unknown>;
}

export interface ExitRestriction {
  decision: 'restricted' | 'not_restricted';
  status: 'active' | 'lifted' | 'none';
  basis: string | null;
  from: string | null;
  until: string | null;
  noticeServedAt: string | null;
  decidedAt: string;
  liftedAt: string | null;
  /** When the lift is recorded: `until` itself, or sooner under a time scale below 1. */
  liftAt: string | null;
}

/** A deadline of the stage itself (not of a task): reviews of unconfirmed locations and the like. */
export interface StageDeadline {
  kind: 'locating_review' | 'extraction_escalation' | 'departure_due';
  at: string;
}

export interface CaseState {
  id: string;
  reference: string;
  office: string;
  consulateId: string;
  immigrationAgencyId: string;
  operationId: string | null;
  source: { type: string; reference?: string };
  person: Person;
  location: Location | null;
  sightings: Array<{ location: Location; observedAt: string; source: string }>;
  riskFlags: RiskFlag[];
  status: 'open' | 'closed';
  stage: Stage;
  onHold: boolean;
  holdReason: string | null;
  priority: Priority;
  version: number;
  assignee: string | null;
  screening: 'victim' | 'suspect' | 'both' | 'undetermined';
  consent: { consularNotification: 'unknown' | 'granted' | 'refused'; dataSharing: 'unknown' | 'granted' | 'withdrawn' };
  exitRestriction: ExitRestriction | null;
  extraction: { partner?: string; reference?: string; extractedAt?: string; handedOverTo?: string; attempts: number } | null;
  medicalNeeds: string | null;
  travelDocument: { documentType: string; number: string; validUntil: string } | null;
  returnTrip: {
    departureAt: string;
    arrivalPort: string;
    carrier?: string;
    flightNumber?: string;
    manifestId?: string;
    departedAt?: string;
    arrivedAt?: string;
    port?: string;
    receivedBy?: string;
  } | null;
  employment: {
    assessment: Record<string, unknown> | null;
    referrals: Array<Record<string, unknown>>;
    placement: { employer: string; position: string; startDate: string; abroad: boolean } | null;
  };
  tasks: CaseTask[];
  approvals: Approval[];
  closure: { reason: ClosureReason; comment: string | null; approvedBy: string; closedAt: string } | null;
  seq: number;
  createdAt: string;
  updatedAt: string;
  stageEnteredAt: string;
  policy: DeadlinePolicy;
  heldAt: string | null;
  stageDeadline: StageDeadline | null;
  /** Follow-ups still to be sent, each when its day comes. */
  followUpSchedule: Array<{ at: string; dayOffset: number }>;
  travelDocumentIssuedAt: string | null;
  /** Whether the exit restriction's own timer workflow has been started. */
  exitRestrictionTimer: boolean;
  /** Operations that found this person after the case was opened (absent in older cases). */
  linkedOperations?: string[];
  /** Update ids derived from Idempotency-Keys, newest last, so a retry after continue-as-new applies nothing twice. */
  appliedUpdateIds?: string[];
}

/** What one step changed, for the read model: new timeline events and the tasks/approvals it touched. */
export interface Change {
  events: TimelineEvent[];
  tasks: CaseTask[];
  approvals: Approval[];
}

export interface Ctx {
  now: string;
  actor: Actor;
  newId: () => string;
  /** Behaviour switches decided by the workflow with patched(), so old histories replay unchanged. */
  features?: { followUpsOnSchedule?: boolean };
}

// Kept for cases recorded before follow-ups were scheduled (see the 'follow-ups-on-schedule' patch).
export const LEGACY_FOLLOW_UP_DAYS = [30, 90, 180] as const;

const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, normal: 2, low: 3 };
const SHELTER_FLAGS: RiskFlag[] = ['minor', 'abused', 'pregnant', 'disability'];

const ANY_OPEN: ActionType[] = [
  'add_note',
  'assign',
  'set_priority',
  'record_consent',
  'record_screening',
  'decline_assistance',
  'request_closure',
];
const BY_STAGE: Record<Stage, ActionType[]> = {
  locating: ['record_sighting', 'confirm_location'],
  extraction: ['request_extraction', 'record_extraction', 'record_extraction_failed'],
  consular_contact: [],
  return: ['book_return', 'record_departure', 'record_arrival'],
  exit_restriction_check: [],
  employment_assistance: ['record_assessment', 'record_referral', 'record_placement', 'record_follow_up'],
  closed: [],
};

export function addDays(iso: string, days: number): string {
  return addMs(iso, days * 86_400_000);
}
export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export function initialPriority(flags: RiskFlag[]): Priority {
  if (flags.includes('minor') || flags.includes('injured') || flags.includes('pregnant')) return 'critical';
  if (flags.length > 0) return 'high';
  return 'normal';
}

export function initialState(input: CaseInput): CaseState {
  const confirmed = input.location?.confirmed === true;
  return {
    id: input.caseId,
    reference: input.reference,
    office: input.office,
    consulateId: input.consulateId,
    immigrationAgencyId: input.immigrationAgencyId,
    operationId: input.operationId ?? null,
    source: input.source,
    person: input.person,
    location: input.location ?? null,
    sightings: [],
    riskFlags: [...new Set(input.riskFlags)],
    status: 'open',
    stage: confirmed ? 'extraction' : 'locating',
    onHold: false,
    holdReason: null,
    priority: initialPriority(input.riskFlags),
    version: 1,
    assignee: null,
    screening: 'undetermined',
    consent: { consularNotification: 'unknown', dataSharing: 'unknown' },
    exitRestriction: null,
    extraction: null,
    medicalNeeds: null,
    travelDocument: null,
    returnTrip: null,
    employment: { assessment: null, referrals: [], placement: null },
    tasks: [],
    approvals: [],
    closure: null,
    seq: 0,
    createdAt: input.openedAt,
    updatedAt: input.openedAt,
    stageEnteredAt: input.openedAt,
    policy: input.policy ?? DEFAULT_POLICY,
    heldAt: null,
    stageDeadline: null,
    followUpSchedule: [],
    travelDocumentIssuedAt: null,
    exitRestrictionTimer: false,
  };
}

/** The first timeline entry; the workflow records it when it starts. */
export function openCase(state: CaseState, ctx: Ctx): Change {
  const change = emptyChange();
  state.stageDeadline = stageDeadlineFor(state, state.stage, ctx.now);
  emit(state, change, ctx, 'case_opened', {
    source: state.source,
    riskFlags: state.riskFlags,
    consulateId: state.consulateId,
    location: state.location,
    operationId: state.operationId,
  });
  return change;
}

export function pendingClosure(state: CaseState): Approval | undefined {
  return state.approvals.find((a) => a.status === 'pending');
}

export function openTasks(state: CaseState): CaseTask[] {
  return state.tasks.filter((t) => t.status === 'open' || t.status === 'claimed');
}

export function exitRestrictionActive(state: CaseState, now: string): boolean {
  const r = state.exitRestriction;
  return r !== null && r.status === 'active' && r.until !== null && r.until > now.slice(0, 10);
}

/** The actions a caseworker may take right now, in the order of docs/api.md "Act on a case". */
export function allowedActions(state: CaseState): ActionType[] {
  if (state.status === 'closed') return [];
  const allowed = new Set<ActionType>(ANY_OPEN);
  allowed.add(state.onHold ? 'resume' : 'hold');
  if (pendingClosure(state)) {
    allowed.delete('request_closure');
    allowed.delete('decline_assistance');
  }
  if (!state.onHold) {
    for (const a of BY_STAGE[state.stage]) allowed.add(a);
    if (state.stage === 'return') {
      if (!state.returnTrip) {
        allowed.delete('record_departure');
        allowed.delete('record_arrival');
      } else if (state.returnTrip.departedAt) allowed.delete('record_departure');
    }
    if (state.stage === 'employment_assistance' && !openTasks(state).some((t) => t.type === 'follow_up')) {
      allowed.delete('record_follow_up');
    }
  }
  return (Object.keys(actionSchemas) as ActionType[]).filter((a) => allowed.has(a));
}

/** Checks an action against its schema and the current state; throws DomainError, changes nothing. */
export function validateAction(state: CaseState, raw: unknown, now: string, expectedVersion?: number): Action {
  const type = (raw as { type?: unknown } | null)?.type;
  const schema = typeof type === 'string' ? actionSchemas[type as ActionType] : undefined;
  if (!schema) {
    throw new DomainError('validation_failed', 'unknown action type', [
      { path: 'type', message: `expected one of ${Object.keys(actionSchemas).join(', ')}` },
    ]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new DomainError('validation_failed', `invalid ${type} action`, fieldIssues(parsed.error.issues));
  }
  if (expectedVersion !== undefined && expectedVersion !== state.version) {
    throw new DomainError('version_mismatch', `the case is at version ${state.version}, not ${expectedVersion}`, {
      version: state.version,
    });
  }
  const action = parsed.data as Action;
  const allowed = allowedActions(state);
  if (!allowed.includes(action.type)) {
    const why = state.status === 'closed' ? 'the case is closed' : state.onHold ? 'the case is on hold' : `the case is in stage ${state.stage}`;
    throw new DomainError('invalid_transition', `${action.type} is not allowed now: ${why}`, { stage: state.stage, allowed });
  }
  if (action.type === 'record_placement' && action.abroad && exitRestrictionActive(state, now)) {
    throw new DomainError(
      'invalid_transition',
      `a placement abroad is refused while the exit restriction lasts (until ${state.exitRestriction?.until})`,
      { stage: state.stage, allowed, exitRestriction: { until: state.exitRestriction?.until } },
    );
  }
  if (action.type === 'record_follow_up') {
    const task = state.tasks.find((t) => t.id === action.taskId);
    if (!task || task.type !== 'follow_up' || (task.status !== 'open' && task.status !== 'claimed')) {
      throw new DomainError('validation_failed', 'no open follow-up task with that id', [
        { path: 'taskId', message: 'not an open follow-up task of this case' },
      ]);
    }
  }
  return action;
}

export function applyAction(state: CaseState, action: Action, ctx: Ctx): Change {
  const change = emptyChange();
  const { type, ...data } = action;
  emit(state, change, ctx, type, data);
  switch (action.type) {
    case 'add_note':
      break;
    case 'assign':
      state.assignee = action.assignee;
      break;
    case 'set_priority':
      state.priority = action.priority;
      break;
    case 'hold':
      state.onHold = true;
      state.holdReason = action.reason;
      state.heldAt = ctx.now;
      break;
    case 'resume':
      resume(state, change, ctx);
      break;
    case 'record_consent':
      recordConsent(state, change, ctx, action.consularNotification, action.dataSharing);
      break;
    case 'record_screening':
      // Assistance never depends on the outcome: it is recorded for the authorities, nothing more.
      state.screening = action.outcome;
      break;
    case 'record_sighting':
      state.sightings.push({ location: action.location, observedAt: action.observedAt, source: action.source });
      state.location = { ...action.location, confirmed: false };
      break;
    case 'confirm_location':
      state.location = { ...action.location, confirmed: true };
      enterStage(state, change, ctx, 'extraction');
      break;
    case 'request_extraction':
      state.extraction = {
        ...(state.extraction ?? { attempts: 0 }),
        partner: action.partner,
        reference: action.reference,
        attempts: (state.extraction?.attempts ?? 0) + 1,
      };
      break;
    case 'record_extraction':
      state.extraction = {
        ...(state.extraction ?? { attempts: 1 }),
        extractedAt: action.extractedAt,
        handedOverTo: action.handedOverTo,
      };
      if (action.injured && !state.riskFlags.includes('injured')) state.riskFlags.push('injured');
      if (action.medicalNeeds) state.medicalNeeds = action.medicalNeeds;
      enterStage(state, change, ctx, 'consular_contact');
      break;
    case 'record_extraction_failed':
      if (state.location) state.location = { ...state.location, confirmed: false };
      enterStage(state, change, ctx, 'locating');
      break;
    case 'book_return': {
      const { type: _t, ...trip } = action;
      state.returnTrip = trip;
      break;
    }
    case 'record_departure':
      state.returnTrip = { ...state.returnTrip!, departedAt: action.departedAt };
      if (state.stageDeadline?.kind === 'departure_due') state.stageDeadline = null;
      break;
    case 'record_arrival':
      state.returnTrip = { ...state.returnTrip!, arrivedAt: action.arrivedAt, port: action.port, receivedBy: action.receivedBy };
      enterStage(state, change, ctx, 'exit_restriction_check');
      break;
    case 'record_assessment': {
      const { type: _t, ...assessment } = action;
      state.employment.assessment = assessment;
      break;
    }
    case 'record_referral': {
      const { type: _t, ...referral } = action;
      state.employment.referrals.push({ ...referral, at: ctx.now });
      break;
    }
    case 'record_placement': {
      const { type: _t, ...placement } = action;
      state.employment.placement = placement;
      // A new placement replaces the follow-ups of an earlier one.
      for (const t of openTasks(state)) if (t.type === 'follow_up') closeTask(t, change, 'cancelled', ctx, 'superseded by a new placement');
      if (ctx.features?.followUpsOnSchedule) {
        // Each follow-up reaches the caseworker's inbox when its day comes, not months early.
        state.followUpSchedule = state.policy.followUpDays.map((dayOffset) => ({ at: addMs(ctx.now, daysMs(state.policy, dayOffset)), dayOffset }));
        break;
      }
      for (const days of LEGACY_FOLLOW_UP_DAYS) {
        addTask(state, change, ctx, 'follow_up', {
          audience: 'caseworker',
          agencyId: null,
          dueAt: addDays(`${action.startDate}T09:00:00.000Z`, days),
          input: { employer: action.employer, position: action.position, startDate: action.startDate, dayOffset: days },
        });
      }
      break;
    }
    case 'record_follow_up': {
      const task = state.tasks.find((t) => t.id === action.taskId)!;
      task.result = { outcome: action.outcome, ...(action.notes ? { notes: action.notes } : {}) };
      closeTask(task, change, 'completed', ctx);
      if (!openTasks(state).some((t) => t.type === 'follow_up') && state.followUpSchedule.length === 0) {
        const reason: ClosureReason = action.outcome === 'declined' ? 'declined_assistance' : 'reintegrated';
        openClosureApproval(state, change, { ...ctx, actor: SYSTEM }, reason, 'all employment follow-ups recorded');
      }
      break;
    }
    case 'decline_assistance':
      openClosureApproval(state, change, ctx, 'declined_assistance', action.reason);
      break;
    case 'request_closure':
      openClosureApproval(state, change, ctx, action.reason, action.comment ?? null);
      break;
  }
  return change;
}

export const SYSTEM: Actor = { sub: 'homeward', role: 'system' };

// ---- Tasks sent by the workflow, completed or rejected by agencies and supervisors ----

export function validateTaskCompletion(state: CaseState, taskId: string, rawResult: unknown): { task: CaseTask; result: Record<string, unknown> } {
  const task = findOpenTask(state, taskId);
  if (task.type === 'follow_up') {
    throw new DomainError('invalid_transition', 'follow-ups are recorded with the record_follow_up action', {
      stage: state.stage,
      allowed: allowedActions(state),
    });
  }
  const parsed = taskResultSchemas[task.type].safeParse(rawResult);
  if (!parsed.success) {
    throw new DomainError('validation_failed', `invalid result for ${task.type}`, fieldIssues(parsed.error.issues, 'result'));
  }
  const result = parsed.data as Record<string, unknown>;
  if (task.type === 'supervisor_review' && task.review?.topic === 'consular_notification_refused' && result.decision === 'reissue') {
    throw new DomainError('validation_failed', 'consular notification was refused: decide proceed or wait', [
      { path: 'result.decision', message: 'reissue is not possible while consular notification is refused' },
    ]);
  }
  return { task, result };
}

/** Checks a workflow message's own fields (its text, its sender) against its schema; throws validation_failed. */
export function validateMessage(schema: z.ZodType, message: unknown, what: string): void {
  const parsed = schema.safeParse(message);
  if (!parsed.success) throw new DomainError('validation_failed', `invalid ${what}`, fieldIssues(parsed.error.issues));
}

export function validateTaskRejection(state: CaseState, taskId: string): CaseTask {
  const task = findOpenTask(state, taskId);
  if (task.audience !== 'agency') {
    throw new DomainError('conflict', 'only agency tasks can be rejected; decide the review instead');
  }
  return task;
}

function findOpenTask(state: CaseState, taskId: string): CaseTask {
  const task = state.tasks.find((t) => t.id === taskId);
  if (!task) throw new DomainError('not_found', 'no such task');
  if (task.status !== 'open' && task.status !== 'claimed') {
    throw new DomainError('conflict', `the task is already ${task.status}`, { status: task.status });
  }
  return task;
}

export function completeTask(state: CaseState, task: CaseTask, result: Record<string, unknown>, ctx: Ctx): Change {
  const change = emptyChange();
  task.result = result;
  closeTask(task, change, 'completed', ctx);
  emit(state, change, ctx, 'task_completed', { taskId: task.id, taskType: task.type, result });
  switch (task.type) {
    case 'verify_nationality':
      if (result.verified === false) {
        openReview(state, change, ctx, 'nationality_not_verified', task.id);
      }
      break;
    case 'issue_travel_document':
      state.travelDocument = result as CaseState['travelDocument'];
      state.travelDocumentIssuedAt = ctx.now;
      break;
    case 'exit_restriction_review': {
      const restricted = result.decision === 'restricted';
      state.exitRestriction = {
        decision: restricted ? 'restricted' : 'not_restricted',
        status: restricted ? 'active' : 'none',
        basis: (result.basis as string | undefined) ?? null,
        from: (result.from as string | undefined) ?? null,
        until: (result.until as string | undefined) ?? null,
        noticeServedAt: (result.noticeServedAt as string | undefined) ?? null,
        decidedAt: ctx.now,
        liftedAt: null,
        liftAt: null,
      };
      const r = state.exitRestriction;
      if (restricted && r.until !== null) {
        if (r.until <= ctx.now.slice(0, 10)) {
          r.status = 'lifted';
          r.liftedAt = ctx.now;
        } else {
          const untilMs = Date.parse(`${r.until}T00:00:00.000Z`) - Date.parse(ctx.now);
          r.liftAt = addMs(ctx.now, Math.max(0, Math.round(untilMs * state.policy.timeScale)));
        }
      }
      if (state.stage === 'exit_restriction_check') enterStage(state, change, ctx, 'employment_assistance');
      break;
    }
    case 'supervisor_review':
      resolveReview(state, task, result, change, ctx);
      break;
    default:
      break;
  }
  maybeLeaveConsularContact(state, change, ctx);
  return change;
}

export function rejectTask(state: CaseState, task: CaseTask, reason: string, ctx: Ctx): Change {
  const change = emptyChange();
  task.reason = reason;
  closeTask(task, change, 'rejected', ctx);
  emit(state, change, ctx, 'task_rejected', { taskId: task.id, taskType: task.type, agencyId: task.agencyId, reason });
  openReview(state, change, ctx, 'task_rejected', task.id);
  return change;
}

// ---- Approvals ----

/**
 * Checks a decision before anything is recorded. With `decider`, the four-eyes rule too: whoever
 * requested an approval cannot decide it (the workflow passes the decider; see PATCH.fourEyes).
 */
export function validateDecision(state: CaseState, approvalId: string, decider?: Actor): Approval {
  const approval = state.approvals.find((a) => a.id === approvalId);
  if (!approval) throw new DomainError('not_found', 'no such approval');
  if (approval.status !== 'pending') throw new DomainError('conflict', `the approval is already ${approval.status}`, { status: approval.status });
  if (decider && decider.sub === approval.requestedBy.sub) {
    throw new DomainError('forbidden', 'you requested this approval; another supervisor must decide it', { reason: 'four_eyes' });
  }
  return approval;
}

export function decideApproval(state: CaseState, approval: Approval, decision: 'approved' | 'rejected', comment: string | null, ctx: Ctx): Change {
  const change = emptyChange();
  approval.status = decision;
  approval.decidedBy = ctx.actor.sub;
  approval.decidedAt = ctx.now;
  approval.decisionComment = comment;
  approval.rev += 1;
  change.approvals.push(approval);
  emit(state, change, ctx, decision === 'approved' ? 'closure_approved' : 'closure_rejected', {
    approvalId: approval.id,
    reason: approval.reason,
    comment,
  });
  if (decision === 'approved') {
    for (const t of openTasks(state)) closeTask(t, change, 'cancelled', ctx, 'case closed');
    state.closure = { reason: approval.reason, comment: approval.comment, approvedBy: ctx.actor.sub, closedAt: ctx.now };
    state.status = 'closed';
    state.onHold = false;
    state.followUpSchedule = [];
    enterStage(state, change, ctx, 'closed');
  }
  return change;
}

// ---- Time: stage deadlines, the reminder/escalation ladder, scheduled follow-ups, hold/resume ----

function stageDeadlineFor(state: CaseState, stage: Stage, now: string): StageDeadline | null {
  const p = state.policy;
  switch (stage) {
    case 'locating':
      return { kind: 'locating_review', at: addMs(now, daysMs(p, p.locatingReviewDays)) };
    case 'extraction':
      return { kind: 'extraction_escalation', at: addMs(now, daysMs(p, p.extractionEscalationDays)) };
    case 'return':
      return { kind: 'departure_due', at: addMs(state.travelDocumentIssuedAt ?? now, daysMs(p, p.departureWithinDays)) };
    default:
      return null;
  }
}

/** Resuming gives every deadline back the time it had left when the case was put on hold. */
function resume(state: CaseState, change: Change, ctx: Ctx): void {
  const pausedMs = state.heldAt ? Math.max(0, Date.parse(ctx.now) - Date.parse(state.heldAt)) : 0;
  state.onHold = false;
  state.holdReason = null;
  state.heldAt = null;
  if (pausedMs === 0) return;
  for (const t of openTasks(state)) {
    t.dueAt = addMs(t.dueAt, pausedMs);
    t.ladderStartAt = addMs(t.ladderStartAt, pausedMs);
    t.rev += 1;
    if (!change.tasks.includes(t)) change.tasks.push(t);
  }
  for (const a of state.approvals) {
    if (a.status !== 'pending') continue;
    a.dueAt = addMs(a.dueAt, pausedMs);
    a.ladderStartAt = addMs(a.ladderStartAt, pausedMs);
    a.rev += 1;
    if (!change.approvals.includes(a)) change.approvals.push(a);
  }
  if (state.stageDeadline) state.stageDeadline = { ...state.stageDeadline, at: addMs(state.stageDeadline.at, pausedMs) };
  state.followUpSchedule = state.followUpSchedule.map((f) => ({ ...f, at: addMs(f.at, pausedMs) }));
}

type Laddered = Pick<CaseTask, 'ladderStartAt' | 'dueAt' | 'escalationLevel' | 'remindedAt'>;

/** The next rung of a task's or approval's ladder: reminder at half, escalation at due, again at twice. */
function nextRung(item: Laddered, policy: CaseState['policy']): { rung: 'reminder' | 1 | 2; at: number } | null {
  const start = Date.parse(item.ladderStartAt);
  const span = Date.parse(item.dueAt) - start;
  if (item.remindedAt === null && item.escalationLevel === 0) return { rung: 'reminder', at: start + span * policy.reminderAt };
  if (item.escalationLevel === 0) return { rung: 1, at: start + span * policy.escalateAt };
  if (item.escalationLevel === 1) return { rung: 2, at: start + span * policy.secondEscalationAt };
  return null;
}

/** When the workflow must wake next (epoch ms), or null when nothing is scheduled. Paused on hold. */
export function nextWakeAt(state: CaseState): number | null {
  if (state.status === 'closed' || state.onHold) return null;
  let next: number | null = null;
  const consider = (at: number) => {
    if (next === null || at < next) next = at;
  };
  for (const t of openTasks(state)) {
    const r = nextRung(t, state.policy);
    if (r) consider(r.at);
  }
  for (const a of state.approvals) {
    if (a.status !== 'pending') continue;
    const r = nextRung(a, state.policy);
    if (r) consider(r.at);
  }
  if (state.stageDeadline) consider(Date.parse(state.stageDeadline.at));
  for (const f of state.followUpSchedule) consider(Date.parse(f.at));
  return next;
}

const RAISED: Record<Priority, Priority> = { low: 'normal', normal: 'high', high: 'critical', critical: 'critical' };

function raisePriority(state: CaseState, change: Change, ctx: Ctx, why: string): void {
  const from = state.priority;
  const to = RAISED[from];
  if (to === from) return;
  state.priority = to;
  emit(state, change, ctx, 'priority_raised', { from, to, why });
}

/** Everything due at ctx.now, in one change: reminders, escalations, stage deadlines, follow-ups. */
export function fireDue(state: CaseState, ctx: Ctx): Change {
  const change = emptyChange();
  if (state.status === 'closed' || state.onHold) return change;
  const now = Date.parse(ctx.now);
  for (const t of openTasks(state)) {
    for (let r = nextRung(t, state.policy); r && r.at <= now; r = nextRung(t, state.policy)) {
      t.rev += 1;
      if (!change.tasks.includes(t)) change.tasks.push(t);
      if (r.rung === 'reminder') {
        t.remindedAt = ctx.now;
        emit(state, change, ctx, 'task_reminder', { taskId: t.id, taskType: t.type, agencyId: t.agencyId, dueAt: t.dueAt });
        continue;
      }
      t.escalationLevel = r.rung;
      emit(state, change, ctx, 'task_escalated', { taskId: t.id, taskType: t.type, agencyId: t.agencyId, level: r.rung, dueAt: t.dueAt });
      // The task stays with its agency; a supervisor is asked to chase it (not for reviews themselves).
      if (r.rung === 1 && t.type !== 'supervisor_review') openReview(state, change, ctx, 'task_overdue', t.id);
      if (r.rung === 2) raisePriority(state, change, ctx, `${t.type} overdue twice its time`);
    }
  }
  for (const a of state.approvals) {
    if (a.status !== 'pending') continue;
    for (let r = nextRung(a, state.policy); r && r.at <= now; r = nextRung(a, state.policy)) {
      a.rev += 1;
      if (!change.approvals.includes(a)) change.approvals.push(a);
      if (r.rung === 'reminder') {
        a.remindedAt = ctx.now;
        emit(state, change, ctx, 'approval_reminder', { approvalId: a.id, dueAt: a.dueAt });
        continue;
      }
      a.escalationLevel = r.rung;
      emit(state, change, ctx, 'approval_escalated', { approvalId: a.id, level: r.rung, dueAt: a.dueAt });
      if (r.rung === 2) raisePriority(state, change, ctx, 'closure approval overdue twice its time');
    }
  }
  const deadline = state.stageDeadline;
  if (deadline && Date.parse(deadline.at) <= now) {
    emit(state, change, ctx, 'stage_deadline', { kind: deadline.kind, at: deadline.at });
    if (deadline.kind === 'locating_review') {
      if (!openTasks(state).some((t) => t.review?.topic === 'locating_unconfirmed')) openReview(state, change, ctx, 'locating_unconfirmed');
      // Every further period without a confirmed location brings another review.
      state.stageDeadline = { kind: deadline.kind, at: addMs(deadline.at, daysMs(state.policy, state.policy.locatingReviewDays)) };
    } else {
      openReview(state, change, ctx, deadline.kind === 'extraction_escalation' ? 'extraction_overdue' : 'departure_overdue');
      if (deadline.kind === 'extraction_escalation') raisePriority(state, change, ctx, 'extraction overdue');
      state.stageDeadline = null;
    }
  }
  const due = state.followUpSchedule.filter((f) => Date.parse(f.at) <= now);
  if (due.length > 0) {
    state.followUpSchedule = state.followUpSchedule.filter((f) => Date.parse(f.at) > now);
    const placement = state.employment.placement;
    for (const f of due) {
      addTask(state, change, ctx, 'follow_up', {
        audience: 'caseworker',
        agencyId: null,
        input: { employer: placement?.employer ?? null, position: placement?.position ?? null, startDate: placement?.startDate ?? null, dayOffset: f.dayOffset },
      });
    }
  }
  return change;
}

/** A rescue operation found this person again: the case records it once, and opens no other case. */
export function linkOperation(state: CaseState, operation: { operationId: string; name: string }, ctx: Ctx): Change {
  const change = emptyChange();
  state.linkedOperations ??= [];
  if (state.linkedOperations.includes(operation.operationId)) return change;
  state.linkedOperations.push(operation.operationId);
  emit(state, change, ctx, 'linked_to_operation', { operationId: operation.operationId, operationName: operation.name });
  return change;
}

/** The exit restriction's end has come (possibly years later): placements abroad are allowed again. */
export function liftExitRestriction(state: CaseState, ctx: Ctx): Change {
  const change = emptyChange();
  const r = state.exitRestriction;
  if (!r || r.status !== 'active') return change;
  r.status = 'lifted';
  r.liftedAt = ctx.now;
  emit(state, change, ctx, 'exit_restriction_expired', { until: r.until, basis: r.basis });
  return change;
}

// ---- Bounds: what the workflow keeps (the read model keeps everything) ----

/** How much of what users can append the workflow state keeps; the timeline in PostgreSQL keeps it all. */
export const STATE_LIMITS = { sightings: 20, referrals: 50, linkedOperations: 100, closedTasks: 50, closedApprovals: 20 } as const;

/**
 * Keeps the workflow's state (carried through every continue-as-new, and in every history's input)
 * bounded whatever users append. Closed tasks the rules still read are kept: the latest completed
 * task of each type, supervisor reviews that waived something and the tasks they waived, and the
 * tasks open reviews are about.
 */
export function trimState(state: CaseState): void {
  state.sightings = state.sightings.slice(-STATE_LIMITS.sightings);
  state.employment.referrals = state.employment.referrals.slice(-STATE_LIMITS.referrals);
  if (state.linkedOperations) state.linkedOperations = state.linkedOperations.slice(-STATE_LIMITS.linkedOperations);

  const closed = state.tasks.filter((t) => t.status !== 'open' && t.status !== 'claimed');
  if (closed.length > STATE_LIMITS.closedTasks) {
    const keep = new Set<string>();
    // Per type (and, for nationality, per outcome: one positive verification is what the stage needs).
    const latestCompleted = new Map<string, CaseTask>();
    for (const t of state.tasks) {
      if (t.status === 'open' || t.status === 'claimed') {
        keep.add(t.id);
        if (t.review?.taskId) keep.add(t.review.taskId);
      }
      if (t.status === 'completed') latestCompleted.set(`${t.type}:${t.type === 'verify_nationality' ? t.result?.verified !== false : ''}`, t);
      if (t.type === 'supervisor_review' && t.status === 'completed' && t.result?.decision === 'proceed') {
        keep.add(t.id);
        if (t.review?.taskId) keep.add(t.review.taskId);
      }
    }
    for (const t of latestCompleted.values()) keep.add(t.id);
    for (const t of closed.slice(-STATE_LIMITS.closedTasks)) keep.add(t.id);
    state.tasks = state.tasks.filter((t) => keep.has(t.id));
  }
  const closedApprovals = state.approvals.filter((a) => a.status !== 'pending');
  if (closedApprovals.length > STATE_LIMITS.closedApprovals) {
    const dropped = new Set(closedApprovals.slice(0, -STATE_LIMITS.closedApprovals));
    state.approvals = state.approvals.filter((a) => !dropped.has(a));
  }
}

// ---- Views ----

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
  for (const a of state.approvals) if (a.status === 'pending') consider('approval:closure', a.dueAt);
  if (state.stageDeadline) consider(`stage:${state.stageDeadline.kind}`, state.stageDeadline.at);
  for (const f of state.followUpSchedule) consider('follow_up_due', f.at);
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
  if (consent.consularNotification === 'refused' && CONSULAR.has(task.type as TaskType)) return 'consular_notification_refused';
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
  };
}

/** The case as docs/api.md "The case" shows it. */
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
    consent: state.consent,
    exitRestriction: state.exitRestriction,
    extraction: state.extraction,
    travelDocument: state.travelDocument,
    returnTrip: state.returnTrip,
    employment: state.employment,
    openTasks: openTasks(state).map((t) => taskView(state, t)),
    pendingApprovals: state.approvals.filter((a) => a.status === 'pending').map((a) => approvalView(state, a)),
    nextDeadline: nextDeadline(state),
    allowedActions: allowedActions(state),
    closure: state.closure,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    stageEnteredAt: state.stageEnteredAt,
  };
}
export type CaseView = ReturnType<typeof caseView>;
export type TaskView = ReturnType<typeof taskView>;
export type ApprovalView = ReturnType<typeof approvalView>;

export function priorityRank(p: Priority): number {
  return PRIORITY_RANK[p];
}

// ---- internals ----

function emptyChange(): Change {
  return { events: [], tasks: [], approvals: [] };
}

function emit(state: CaseState, change: Change, ctx: Ctx, type: string, data: Record<string, unknown>): void {
  state.seq += 1;
  state.updatedAt = ctx.now;
  change.events.push({ seq: state.seq, at: ctx.now, type, actor: ctx.actor, stage: state.stage, data });
}

function enterStage(state: CaseState, change: Change, ctx: Ctx, stage: Stage): void {
  const from = state.stage;
  state.stage = stage;
  state.stageEnteredAt = ctx.now;
  state.stageDeadline = stageDeadlineFor(state, stage, ctx.now);
  emit(state, change, ctx, 'stage_changed', { from, to: stage });
  if (stage === 'consular_contact') sendConsularTasks(state, change, ctx);
  if (stage === 'exit_restriction_check') sendExitRestrictionReview(state, change, ctx);
}

function addTask(
  state: CaseState,
  change: Change,
  ctx: Ctx,
  type: TaskType,
  opts: { audience: Audience; agencyId: string | null; input: Record<string, unknown>; dueAt?: string; review?: CaseTask['review'] },
): CaseTask {
  const task: CaseTask = {
    id: ctx.newId(),
    type,
    agencyId: opts.agencyId,
    audience: opts.audience,
    status: 'open',
    priority: state.priority,
    dueAt: opts.dueAt ?? addMs(ctx.now, daysMs(state.policy, state.policy.taskDueDays[type])),
    escalationLevel: 0,
    input: opts.input,
    result: null,
    reason: null,
    ...(opts.review ? { review: opts.review } : {}),
    completedBy: null,
    createdAt: ctx.now,
    completedAt: null,
    rev: 1,
    ladderStartAt: ctx.now,
    remindedAt: null,
  };
  state.tasks.push(task);
  change.tasks.push(task);
  emit(state, change, ctx, 'task_created', { taskId: task.id, taskType: type, agencyId: task.agencyId, audience: task.audience, dueAt: task.dueAt });
  return task;
}

function closeTask(task: CaseTask, change: Change, status: TaskStatus, ctx: Ctx, reason?: string): void {
  task.status = status;
  task.completedAt = ctx.now;
  task.completedBy = ctx.actor.sub;
  if (reason) task.reason = reason;
  task.rev += 1;
  if (!change.tasks.includes(task)) change.tasks.push(task);
}

// Need-to-know: each agency sees only the fields its task needs, never the whole case.
function consularInput(state: CaseState, type: TaskType): Record<string, unknown> {
  const p = state.person;
  const identity = { fullName: p.fullName, dateOfBirth: p.dateOfBirth ?? null, sex: p.sex, nationality: p.nationality };
  switch (type) {
    case 'verify_nationality':
      return { ...identity, documents: p.documents };
    case 'issue_travel_document':
      return { ...identity, documents: p.documents };
    case 'arrange_shelter':
      return { fullName: p.fullName, sex: p.sex, languages: p.languages, riskFlags: state.riskFlags, location: state.location };
    case 'arrange_medical_check':
      return { fullName: p.fullName, sex: p.sex, dateOfBirth: p.dateOfBirth ?? null, riskFlags: state.riskFlags, medicalNeeds: state.medicalNeeds };
    default:
      return identity;
  }
}

function requiredConsularTypes(state: CaseState): TaskType[] {
  const types: TaskType[] = ['verify_nationality', 'issue_travel_document'];
  if (state.riskFlags.some((f) => SHELTER_FLAGS.includes(f))) types.push('arrange_shelter');
  if (state.riskFlags.includes('injured') || state.riskFlags.includes('medical') || state.medicalNeeds) types.push('arrange_medical_check');
  return types;
}

function sendConsularTasks(state: CaseState, change: Change, ctx: Ctx): void {
  if (state.consent.consularNotification === 'refused') {
    openReview(state, change, ctx, 'consular_notification_refused');
    return;
  }
  if (state.consent.dataSharing === 'withdrawn') {
    openReview(state, change, ctx, 'data_sharing_withdrawn');
    return;
  }
  for (const type of requiredConsularTypes(state)) {
    const done = state.tasks.some((t) => t.type === type && (t.status === 'completed' || t.status === 'open' || t.status === 'claimed'));
    if (!done) addTask(state, change, ctx, type, { audience: 'agency', agencyId: state.consulateId, input: consularInput(state, type) });
  }
}

function sendExitRestrictionReview(state: CaseState, change: Change, ctx: Ctx): void {
  const p = state.person;
  addTask(state, change, ctx, 'exit_restriction_review', {
    audience: 'agency',
    agencyId: state.immigrationAgencyId,
    input: {
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth ?? null,
      nationality: p.nationality,
      documents: p.documents,
      screening: state.screening,
      abroadIn: state.location?.country ?? null,
      arrivedAt: state.returnTrip?.arrivedAt ?? null,
    },
  });
}

function openReview(state: CaseState, change: Change, ctx: Ctx, topic: ReviewTopic, taskId?: string): void {
  const about = taskId ? state.tasks.find((t) => t.id === taskId) : undefined;
  addTask(state, change, ctx, 'supervisor_review', {
    audience: 'supervisor',
    agencyId: null,
    input: { topic, stage: state.stage, ...(about ? { taskId: about.id, taskType: about.type, agencyId: about.agencyId, reason: about.reason } : {}) },
    review: { topic, ...(taskId ? { taskId } : {}) },
  });
}

/** A task the supervisor waived ("proceed") counts as done for the stage's requirements. */
function waived(state: CaseState, type: TaskType): boolean {
  return state.tasks.some(
    (r) =>
      r.type === 'supervisor_review' &&
      r.status === 'completed' &&
      r.result?.decision === 'proceed' &&
      r.review?.taskId !== undefined &&
      state.tasks.find((t) => t.id === r.review!.taskId)?.type === type,
  );
}

function consularRequirementsMet(state: CaseState): boolean {
  const refusedAndProceeding = state.tasks.some(
    (r) => r.type === 'supervisor_review' && r.status === 'completed' && r.result?.decision === 'proceed' && r.review?.topic === 'consular_notification_refused',
  );
  if (refusedAndProceeding) return true;
  return requiredConsularTypes(state).every((type) => {
    if (waived(state, type)) return true;
    return state.tasks.some((t) => t.type === type && t.status === 'completed' && !(type === 'verify_nationality' && t.result?.verified === false));
  });
}

function maybeLeaveConsularContact(state: CaseState, change: Change, ctx: Ctx): void {
  if (state.stage !== 'consular_contact' || state.status !== 'open') return;
  if (!consularRequirementsMet(state)) return;
  // Reviews still open about this stage are moot once it is done.
  for (const t of openTasks(state)) if (t.type === 'supervisor_review' || CONSULAR.has(t.type)) closeTask(t, change, 'cancelled', ctx, 'stage completed');
  enterStage(state, change, ctx, 'return');
}
const CONSULAR = new Set<TaskType>(['verify_nationality', 'issue_travel_document', 'arrange_shelter', 'arrange_medical_check']);

function resolveReview(state: CaseState, review: CaseTask, result: Record<string, unknown>, change: Change, ctx: Ctx): void {
  const about = review.review?.taskId ? state.tasks.find((t) => t.id === review.review!.taskId) : undefined;
  if (result.decision !== 'reissue') return;
  // Reissuing an overdue task replaces it; the old one is withdrawn from the agency's inbox.
  if (about && (about.status === 'open' || about.status === 'claimed')) closeTask(about, change, 'cancelled', ctx, 'reissued by a supervisor');
  if (typeof result.consulateId === 'string' && result.consulateId !== state.consulateId) {
    emit(state, change, ctx, 'consulate_changed', { from: state.consulateId, to: result.consulateId });
    state.consulateId = result.consulateId;
  }
  if (about && CONSULAR.has(about.type)) {
    addTask(state, change, ctx, about.type, { audience: 'agency', agencyId: state.consulateId, input: consularInput(state, about.type) });
  } else if (about && about.type === 'exit_restriction_review') {
    sendExitRestrictionReview(state, change, ctx);
  } else if (state.stage === 'consular_contact') {
    sendConsularTasks(state, change, ctx);
  }
}

function recordConsent(
  state: CaseState,
  change: Change,
  ctx: Ctx,
  consular: 'granted' | 'refused' | undefined,
  dataSharing: 'granted' | 'withdrawn' | undefined,
): void {
  const before = { ...state.consent };
  if (consular) state.consent.consularNotification = consular;
  if (dataSharing) state.consent.dataSharing = dataSharing;
  const after = { ...state.consent };
  // Stopping a task no longer rewrites what it held: what an agency reads is decided when it reads,
  // from the consent in force (agencyRedaction), for every task it was ever sent.
  const withdrawnNow = dataSharing === 'withdrawn' && before.dataSharing !== 'withdrawn';
  // Withdrawal stops every pending step that shares personal data with an agency, at once.
  const stoppedByWithdrawal = withdrawnNow ? openTasks(state).filter((t) => t.audience === 'agency') : [];
  for (const t of stoppedByWithdrawal) closeTask(t, change, 'cancelled', ctx, 'data-sharing consent withdrawn');
  const refusedNow = consular === 'refused' && before.consularNotification !== 'refused' && state.stage === 'consular_contact';
  const stoppedByRefusal = refusedNow ? openTasks(state).filter((t) => CONSULAR.has(t.type)) : [];
  for (const t of stoppedByRefusal) closeTask(t, change, 'cancelled', ctx, 'consular notification refused');
  const cancelled = [...stoppedByWithdrawal, ...stoppedByRefusal];
  if (before.consularNotification !== after.consularNotification || before.dataSharing !== after.dataSharing) {
    // What this change stopped and what it hid from (or gave back to) the agencies, for the record.
    // The list covers the tasks the case still holds; the rule itself applies at read time to all.
    const agencyTasks = state.tasks.filter((t) => t.audience === 'agency');
    const redacted = agencyTasks.filter((t) => agencyRedaction(before, t) === null && agencyRedaction(after, t) !== null);
    const restored = agencyTasks.filter((t) => agencyRedaction(before, t) !== null && agencyRedaction(after, t) === null);
    emit(state, change, ctx, 'consent_changed', {
      ...(before.consularNotification !== after.consularNotification
        ? { consularNotification: { from: before.consularNotification, to: after.consularNotification } }
        : {}),
      ...(before.dataSharing !== after.dataSharing ? { dataSharing: { from: before.dataSharing, to: after.dataSharing } } : {}),
      cancelledTaskIds: cancelled.map((t) => t.id),
      redactedTaskIds: redacted.map((t) => t.id),
      restoredTaskIds: restored.map((t) => t.id),
      redactedFor: [...new Set(redacted.map((t) => t.agencyId).filter((a): a is string => a !== null))],
    });
  }
  if (stoppedByWithdrawal.length > 0) openReview(state, change, ctx, 'data_sharing_withdrawn');
  if (refusedNow) openReview(state, change, ctx, 'consular_notification_refused');
  const regained =
    (consular === 'granted' && before.consularNotification === 'refused') || (dataSharing === 'granted' && before.dataSharing === 'withdrawn');
  if (regained && state.consent.consularNotification !== 'refused' && state.consent.dataSharing !== 'withdrawn') {
    if (state.stage === 'consular_contact') sendConsularTasks(state, change, ctx);
    if (state.stage === 'exit_restriction_check' && !openTasks(state).some((t) => t.type === 'exit_restriction_review')) {
      sendExitRestrictionReview(state, change, ctx);
    }
  }
}

function openClosureApproval(state: CaseState, change: Change, ctx: Ctx, reason: ClosureReason, comment: string | null): void {
  const approval: Approval = {
    id: ctx.newId(),
    kind: 'closure',
    reason,
    comment,
    requestedBy: ctx.actor,
    status: 'pending',
    dueAt: addMs(ctx.now, daysMs(state.policy, state.policy.approvalDueDays)),
    escalationLevel: 0,
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
    createdAt: ctx.now,
    rev: 1,
    ladderStartAt: ctx.now,
    remindedAt: null,
  };
  state.approvals.push(approval);
  change.approvals.push(approval);
  emit(state, change, ctx, 'closure_requested', { approvalId: approval.id, reason, comment });
}

export type { IdentityDocument };
