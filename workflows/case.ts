// The case workflow: one per rescued person, living from the first report to closure. Process state
// lives here (stage, tasks, approvals); every accepted step is written to the read model by the
// persist activity before the caller gets its answer, so the API can read its own writes.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { CaseActivities } from '../activities/index.js';
import {
  type CaseInput,
  type CaseState,
  type Change,
  type Ctx,
  applyAction,
  approvalView,
  caseView,
  completeTask,
  decideApproval,
  initialState,
  openCase,
  rejectTask,
  taskView,
  validateAction,
  validateDecision,
  validateTaskCompletion,
  validateTaskRejection,
} from '../domain/case.js';
import { DomainError } from '../domain/errors.js';
import { ACTION_TYPES, type Actor } from '../domain/schemas.js';
import { officeKey, onHoldKey, priorityKey, stageKey, statusKey } from '../domain/search-attributes.js';
import { actionUpdates, caseQuery, completeTaskUpdate, decideApprovalUpdate, rejectTaskUpdate } from './definitions.js';

export interface CaseWorkflowInput {
  case: CaseInput;
}

// The read model must eventually hold every step, whatever the outage: retry without a limit,
// backing off to a minute so a PostgreSQL restart is absorbed without flooding it.
const { persistCase } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function caseWorkflow(input: CaseWorkflowInput): Promise<{ status: string; reason: string | null }> {
  const state: CaseState = initialState(input.case);
  let indexed = searchAttributesOf(state);

  const ctx = (actor: Actor): Ctx => ({ now: new Date().toISOString(), actor, newId: uuid4 });

  // Every accepted step bumps the version once and is persisted before its caller is answered.
  async function record(change: Change, first = false): Promise<void> {
    if (!first) state.version += 1;
    const view = caseView(state);
    const next = searchAttributesOf(state);
    const changed = next.filter((pair, i) => pair.value !== indexed[i]!.value);
    if (changed.length > 0) {
      upsertSearchAttributes(changed);
      indexed = next;
    }
    await persistCase({
      caseView: view,
      documents: first ? state.person.documents : undefined,
      events: change.events,
      tasks: change.tasks.map((t) => ({ ...t, caseId: state.id, caseReference: state.reference, office: state.office })),
      approvals: change.approvals.map((a) => ({ ...a, caseId: state.id, caseReference: state.reference, office: state.office })),
    });
  }

  for (const type of ACTION_TYPES) {
    setHandler(
      actionUpdates[type],
      async ({ action, actor }) => {
        const parsed = validateAction(state, { ...(action as object), type }, new Date().toISOString());
        await record(applyAction(state, parsed, ctx(actor)));
        return caseView(state);
      },
      {
        validator: ({ action, expectedVersion }) => {
          rethrow(() => validateAction(state, { ...(action as object), type }, new Date().toISOString(), expectedVersion));
        },
      },
    );
  }

  setHandler(
    completeTaskUpdate,
    async ({ taskId, result, actor }) => {
      const { task, result: parsed } = validateTaskCompletion(state, taskId, result);
      await record(completeTask(state, task, parsed, ctx(actor)));
      return taskView(state, task);
    },
    { validator: ({ taskId, result }) => void rethrow(() => validateTaskCompletion(state, taskId, result)) },
  );

  setHandler(
    rejectTaskUpdate,
    async ({ taskId, reason, actor }) => {
      const task = validateTaskRejection(state, taskId);
      await record(rejectTask(state, task, reason, ctx(actor)));
      return taskView(state, task);
    },
    { validator: ({ taskId }) => void rethrow(() => validateTaskRejection(state, taskId)) },
  );

  setHandler(
    decideApprovalUpdate,
    async ({ approvalId, decision, comment, actor }) => {
      const approval = validateDecision(state, approvalId);
      await record(decideApproval(state, approval, decision, comment ?? null, ctx(actor)));
      return approvalView(state, approval);
    },
    { validator: ({ approvalId }) => void rethrow(() => validateDecision(state, approvalId)) },
  );

  setHandler(caseQuery, () => caseView(state));

  await record(openCase(state, ctx(input.case.openedBy)), true);

  await condition(() => state.status === 'closed' && allHandlersFinished());
  return { status: state.status, reason: state.closure?.reason ?? null };
}

function searchAttributesOf(state: CaseState): SearchAttributePair[] {
  return [
    { key: stageKey, value: state.stage },
    { key: statusKey, value: state.status },
    { key: priorityKey, value: state.priority },
    { key: onHoldKey, value: state.onHold },
    { key: officeKey, value: state.office },
  ];
}

// Validators reject with the API's error code as the failure type, so the caller can map it 1:1.
function rethrow<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DomainError) {
      throw ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details ?? null], nonRetryable: true });
    }
    throw err;
  }
}

