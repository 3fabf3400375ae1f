// Messages of the case workflow: one Update per caseworker action (docs/api.md "Act on a case"),
// the updates that agencies and supervisors send through their inboxes, and the live-state query.
// Shared by the workflow, the API and the tests, so names and argument types cannot drift apart.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalView, CaseView, TaskView } from '../domain/case.js';
import type { ActionType, Actor } from '../domain/shapes.js';
import { ACTION_TYPES } from '../domain/shapes.js';

export interface ActionArgs {
  action: unknown;
  actor: Actor;
  /** The If-Match version; checked in the validator so a stale write leaves no trace. */
  expectedVersion?: number;
  /**
   * The one office the caller may act in (null: every office; absent: not a caller's request, e.g. a
   * bulk action, which checked its cases itself). The validator refuses a case of another office as
   * one that does not exist, so the API needs no read before the update.
   */
  scope?: string | null;
}

export const actionUpdates = Object.fromEntries(
  ACTION_TYPES.map((type) => [type, defineUpdate<CaseView, [ActionArgs]>(type)]),
) as Record<ActionType, ReturnType<typeof defineUpdate<CaseView, [ActionArgs]>>>;

export interface CompleteTaskArgs {
  taskId: string;
  result: unknown;
  actor: Actor;
}
export interface RejectTaskArgs {
  taskId: string;
  reason: string;
  actor: Actor;
}
export interface DecideApprovalArgs {
  approvalId: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  actor: Actor;
  /** The decider's office ("*": every office): a transfer is decided by its receiving office. */
  office?: string;
}

export const completeTaskUpdate = defineUpdate<TaskView, [CompleteTaskArgs]>('complete_task');
export const rejectTaskUpdate = defineUpdate<TaskView, [RejectTaskArgs]>('reject_task');
export const decideApprovalUpdate = defineUpdate<ApprovalView, [DecideApprovalArgs]>('decide_approval');

export const caseQuery = defineQuery<CaseView>('case');

/** Sent by the exit restriction's timer workflow when the restriction ends. */
export const exitRestrictionLiftedSignal = defineSignal('exit_restriction_lifted');

/** Sent to an existing case when a rescue operation finds its person again. */
export const operationLinkedSignal = defineSignal<[{ operationId: string; name: string }]>('operation_linked');

/** Wakes a webhook subscription's dispatcher: something may be waiting in its outbox. */
export const webhookWakeSignal = defineSignal('webhook_wake');
