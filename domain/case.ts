// The case lifecycle as pure, deterministic code: state, which actions are allowed now, and what each
// action, task result and approval decision does. The case workflow runs it inside Temporal; the API
// uses it to shape the first response; unit tests run it directly. No I/O, no clock, no randomness:
// time and ids are passed in, so the workflow's replay sees exactly the same decisions.
//
// This file is the index: the rules live in domain/case/, by business concept (domain/README.md).
export type {
  Approval,
  BestInterests,
  Audience,
  CaseInput,
  CaseState,
  CaseTask,
  Change,
  Ctx,
  ExitRestriction,
  PoliceReferral,
  Features,
  MedicalRecord,
  ReviewTopic,
  ReviewWait,
  StageDeadline,
  TimelineEvent,
} from './case/state.js';
export { CURRENT_FEATURES, SYSTEM, initialState, openTasks, priorityRank } from './case/state.js';
export type { RuleSwitches } from './case/rules.js';
export { correctedPerson, personChanges } from './case/person.js';
export { missingReturnSafeguards } from './case/minors.js';
export { allowedActions, applyAction, assertVersion, closedCaseRefusal, validateAction } from './case/actions.js';
export { assertTaskOpen, completeTask, rejectTask, validateMessage, validateTaskCompletion, validateTaskRejection } from './case/tasks.js';
export { assertFourEyes, assertPending, decideApproval, validateDecision } from './case/closure.js';
export { checkTransferDecider } from './case/transfer.js';
export { fireDue, nextWakeAt } from './case/clock.js';
export { linkOperation, openingStep, takeOpeningStep } from './case/intake.js';
export { liftExitRestriction, liftExitRestrictionAfterClosure } from './case/stages/exit-restriction-check.js';
export { reflectionPeriodEndsAt } from './case/justice.js';
export { STATE_LIMITS, trimState } from './case/limits.js';
export { type CommittedStep, commit } from './case/commit.js';
export type { ApprovalView, CaseView, Consent, NextDeadline, RedactionReason, TaskView } from './case/views.js';
export { agencyRedaction, approvalView, caseView, nextDeadline, taskView } from './case/views.js';
