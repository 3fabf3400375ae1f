// How case steps were taken before 'serialised-steps' (issue #7): in place, each persisting at once,
// concurrently with any other. Kept only so that histories recorded that way replay unchanged; no
// new step runs here. Do not tidy this file: the order of commands on replay depends on how many
// promise hops each path takes, so every `await` below stands exactly where it stood.
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  type CaseState,
  type Change,
  type Ctx,
  SYSTEM,
  applyAction,
  approvalView,
  caseView,
  commit,
  completeTask,
  decideApproval,
  liftExitRestriction,
  linkOperation,
  rejectTask,
  taskView,
  validateAction,
  validateDecision,
  validateTaskCompletion,
  validateTaskRejection,
} from '../domain/case.js';
import { exitRestrictionWorkflowId } from '../domain/ids.js';
import type { ActionType, Actor } from '../domain/shapes.js';
import type { ActionArgs, CompleteTaskArgs, DecideApprovalArgs, RejectTaskArgs } from './definitions.js';
import { type CaseStepper, asApplicationFailure } from './case-steps.js';
import { exitRestrictionWorkflow } from './exit-restriction.js';

export interface LegacyEnv {
  steps: CaseStepper;
  ctx: (actor: Actor) => Ctx;
  features: (type: string) => Ctx['features'];
}

export function legacyCase(env: LegacyEnv) {
  const { steps, ctx, features } = env;

  async function record(change: Change, first = false): Promise<void> {
    // Untrimmed, in place: as this path always did.
    await steps.persistLegacy(commit(steps.state, change, { first }));
  }

  return {
    record,

    async action(type: ActionType, { action, actor }: ActionArgs) {
      const state = steps.state;
      // Every step here was taken before the minors' safeguards existed (they came after 'serialised-steps').
      const parsed = asApplicationFailure(() => validateAction(state, { ...(action as object), type }, new Date().toISOString(), undefined, { minorSafeguards: false }));
      await record(applyAction(state, parsed, { ...ctx(actor), features: features(type) }));
      return caseView(state);
    },

    async completeTask({ taskId, result, actor }: CompleteTaskArgs) {
      const state = steps.state;
      const { task, result: parsed } = asApplicationFailure(() => validateTaskCompletion(state, taskId, result));
      await record(completeTask(state, task, parsed, ctx(actor)));
      return taskView(state, task);
    },

    async rejectTask({ taskId, reason, actor }: RejectTaskArgs) {
      const state = steps.state;
      const task = asApplicationFailure(() => validateTaskRejection(state, taskId));
      await record(rejectTask(state, task, reason, ctx(actor)));
      return taskView(state, task);
    },

    async decideApproval({ approvalId, decision, comment, actor }: DecideApprovalArgs) {
      const state = steps.state;
      const approval = asApplicationFailure(() => validateDecision(state, approvalId));
      await record(decideApproval(state, approval, decision, comment ?? null, ctx(actor)));
      return approvalView(state, approval);
    },

    async exitRestrictionLifted() {
      const change = liftExitRestriction(steps.state, ctx(SYSTEM));
      if (change.events.length > 0) await record(change);
    },

    async operationLinked(operation: { operationId: string; name: string }) {
      const change = linkOperation(steps.state, operation, ctx(SYSTEM));
      if (change.events.length > 0) await record(change);
    },

    async ensureExitRestrictionTimer(state: CaseState): Promise<void> {
      if (!needsExitRestrictionTimer(state)) return;
      state.exitRestrictionTimer = true;
      try {
        await startChild(exitRestrictionWorkflow, {
          workflowId: exitRestrictionWorkflowId(state.id),
          args: [{ caseId: state.id, liftAt: state.exitRestriction!.liftAt! }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
  };
}

export function needsExitRestrictionTimer(state: CaseState): boolean {
  const r = state.exitRestriction;
  return r !== null && r.status === 'active' && r.liftAt !== null && !state.exitRestrictionTimer;
}
