// The state of a case and the shapes every rule reads and writes: what the workflow carries
// (through continue-as-new too, so fields are only ever added, as optional), what one step changed,
// and the context a step runs in. Also the case as it starts.
import type { Actor, BestInterestsDetermination, ClosureReason, ExploitationType, Location, Person, Priority, RiskFlag, Stage, TaskStatus, TaskType } from '../shapes.js';
import { DEFAULT_POLICY, type DeadlinePolicy } from '../policy.js';

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
  /** A case reopened for the same person: the closed case it follows (POST /v1/cases/:id/reopen). */
  previousCase?: { caseId: string; reference: string; reason: string };
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
  /** A closure, or a transfer to another office (decided by that office: domain/case/transfer.ts). */
  kind: 'closure' | 'transfer';
  /** The closure's reason; `office_transfer` for a transfer, whose free-text reason is the comment. */
  reason: ClosureReason | 'office_transfer';
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
  /** Transfers only: from which office to which. */
  transfer?: { fromOffice: string; toOffice: string };
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
  /** Found at screening (absent in cases screened before it was recorded). */
  exploitationTypes?: ExploitationType[];
  consent: {
    consularNotification: 'unknown' | 'granted' | 'refused';
    dataSharing: 'unknown' | 'granted' | 'withdrawn';
    /** Consent to a police referral during the reflection period (absent, i.e. unknown, in older cases). */
    policeReferral?: 'unknown' | 'granted' | 'refused';
  };
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
  /** The closed case this one reopens, for the same person (absent in cases that reopen none). */
  previousCase?: { id: string; reference: string; reason: string };
  /** Referrals to the police (domain/case/justice.ts), oldest first (absent in older cases). */
  policeReferrals?: PoliceReferral[];
  /** A minor's latest best-interests determination (domain/case/minors.ts); absent in older cases. */
  bestInterests?: BestInterests;
  /** The latest record of the person's fitness to travel (absent until one is recorded): unfit blocks book_return. */
  medical?: MedicalRecord;
  /** Reviews a supervisor decided "wait": when the case asks again (absent in older cases). */
  reviewWaits?: ReviewWait[];
}

export interface PoliceReferral {
  agency: string;
  reference: string;
  nonPunishment: boolean;
  referredAt: string;
  /** Why it was allowed: the person's consent, or the reflection period had ended. */
  basis: 'consent' | 'reflection_period_ended';
}

export interface BestInterests {
  determination: BestInterestsDetermination;
  decidedBy: string;
  notes: string | null;
  recordedAt: string;
  recordedBy: Actor;
}

/** Fitness to travel, from the consulate's medical check or the caseworker's record_medical; the latest wins. */
export interface MedicalRecord {
  fitToTravel: boolean;
  notes: string | null;
  recordedAt: string;
  source: 'arrange_medical_check' | 'record_medical';
}

/**
 * A supervisor's "wait": at `at`, if the case is still in `stage`, what the review was about is asked
 * for again (the task of `taskType`, or what the stage still needs), or the supervisor is asked again
 * while consent still stops it.
 */
export interface ReviewWait {
  at: string;
  reviewId: string;
  topic: ReviewTopic;
  stage: Stage;
  taskType?: TaskType;
}

/** What one step changed, for the read model: new timeline events and the tasks/approvals it touched. */
export interface Change {
  events: TimelineEvent[];
  tasks: CaseTask[];
  approvals: Approval[];
  /** The person's name, date of birth, nationalities or documents may have changed: the read model re-indexes them. */
  personChanged?: boolean;
}

export interface Ctx {
  now: string;
  actor: Actor;
  newId: () => string;
  /** Behaviour switches decided by the workflow with patched(), so old histories replay unchanged. */
  features?: Features;
}

/**
 * What a step may do that the code of older histories did not: each switch is one patch id of the
 * case workflow (workflows/case.ts, PATCH), on for every step taken since it was deployed.
 */
export interface Features {
  /** Follow-ups created on their day instead of all at placement. */
  followUpsOnSchedule?: boolean;
  /**
   * Reviews about consent lead somewhere: "proceed" on a data-sharing withdrawal waives the stage's
   * agency work, "reissue" is refused while consent still stops it, "wait" asks again later, and
   * regained consent closes the reviews it made moot.
   */
  consentReviewsLeadOn?: boolean;
  /**
   * Reviews about a task lead somewhere: "proceed" on the immigration authority's review moves the
   * case on without a decision, and "wait" on a task that is no longer open asks for it again later.
   */
  reviewDecisionsLeadOn?: boolean;
  /** The consulate's medical check is recorded as the person's fitness to travel (unfit blocks book_return). */
  unfitBlocksReturn?: boolean;
  /** The consulate's travel document joins the person's documents (patch 'travel-document-joins-person'). */
  travelDocumentJoinsPerson?: boolean;
}

/** Every switch on: what validators check (they never replay) and what new code does. */
export const CURRENT_FEATURES: Required<Features> = {
  followUpsOnSchedule: true,
  consentReviewsLeadOn: true,
  reviewDecisionsLeadOn: true,
  unfitBlocksReturn: true,
  travelDocumentJoinsPerson: true,
};

/** The actor of what the case does by itself: deadlines, reminders, follow-ups falling due. */
export const SYSTEM: Actor = { sub: 'homeward', role: 'system' };

const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, normal: 2, low: 3 };

export function priorityRank(p: Priority): number {
  return PRIORITY_RANK[p];
}

/** The priority risk flags call for: at intake, and as a floor when a flag is added later. */
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
    ...(input.previousCase ? { previousCase: { id: input.previousCase.caseId, reference: input.previousCase.reference, reason: input.previousCase.reason } } : {}),
  };
}

export function openTasks(state: CaseState): CaseTask[] {
  return state.tasks.filter((t) => t.status === 'open' || t.status === 'claimed');
}
