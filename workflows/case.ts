// The case workflow: one per rescued person, living from the first report to closure. Process state
// lives here (stage, tasks, approvals); every accepted step is written to the read model by the
// persist activity before the caller gets its answer, so the API can read its own writes.
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
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
  fireDue,
  initialState,
  liftExitRestriction,
  linkOperation,
  nextWakeAt,
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
import { caseSearchAttributes } from '../domain/search-attributes.js';
import { SYSTEM } from '../domain/case.js';
import { exitRestrictionWorkflowId } from '../domain/ids.js';
import { DEFAULT_MAX_MESSAGES_PER_RUN } from '../domain/policy.js';
import {
  actionUpdates,
  caseQuery,
  completeTaskUpdate,
  decideApprovalUpdate,
  exitRestrictionLiftedSignal,
  operationLinkedSignal,
  rejectTaskUpdate,
} from './definitions.js';
import { exitRestrictionWorkflow } from './exit-restriction.js';

export interface CaseWorkflowInput {
  case: CaseInput;
  /** Carried over by continue-as-new: the whole case, timers included (as absolute times). */
  state?: CaseState;
}



// The read model must eventually hold every step, whatever the outage: retry without a limit,
// backing off to a minute so a PostgreSQL restart is absorbed without flooding it.
const PERSIST_RETRY = { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { persistCase: persistCaseActivity } = proxyActivities<CaseActivities>({ startToCloseTimeout: '30 seconds', retry: PERSIST_RETRY });
// The same write as a local activity: it runs in the worker's workflow task, so a step costs one
// marker in history instead of a scheduled/started/completed triple and a second workflow task.
const { persistCase: persistCaseLocal } = proxyLocalActivities<CaseActivities>({ startToCloseTimeout: '30 seconds', retry: PERSIST_RETRY });

function persistCase(input: Parameters<typeof persistCaseLocal>[0]): Promise<void> {
  return patched('persist-as-local-activity') ? persistCaseLocal(input) : persistCaseActivity(input);
}

export async function caseWorkflow(input: CaseWorkflowInput): Promise<{ status: string; reason: string | null }> {
  const state: CaseState = input.state ?? initialState(input.case);
  let indexed = caseSearchAttributes(state);
  let messagesThisRun = 0;

  const ctx = (actor: Actor): Ctx => ({ now: new Date().toISOString(), actor, newId: uuid4 });

  // Every accepted step bumps the version once and is persisted before its caller is answered.
  async function record(change: Change, first = false): Promise<void> {
    if (!first) state.version += 1;
    const view = caseView(state);
    const next = caseSearchAttributes(state);
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
        messagesThisRun += 1;
        const parsed = validateAction(state, { ...(action as object), type }, new Date().toISOString());
        await record(applyAction(state, parsed, { ...ctx(actor), features: features(type) }));
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
      messagesThisRun += 1;
      const { task, result: parsed } = validateTaskCompletion(state, taskId, result);
      await record(completeTask(state, task, parsed, ctx(actor)));
      return taskView(state, task);
    },
    { validator: ({ taskId, result }) => void rethrow(() => validateTaskCompletion(state, taskId, result)) },
  );

  setHandler(
    rejectTaskUpdate,
    async ({ taskId, reason, actor }) => {
      messagesThisRun += 1;
      const task = validateTaskRejection(state, taskId);
      await record(rejectTask(state, task, reason, ctx(actor)));
      return taskView(state, task);
    },
    { validator: ({ taskId }) => void rethrow(() => validateTaskRejection(state, taskId)) },
  );

  setHandler(
    decideApprovalUpdate,
    async ({ approvalId, decision, comment, actor }) => {
      messagesThisRun += 1;
      const approval = validateDecision(state, approvalId);
      await record(decideApproval(state, approval, decision, comment ?? null, ctx(actor)));
      return approvalView(state, approval);
    },
    { validator: ({ approvalId }) => void rethrow(() => validateDecision(state, approvalId)) },
  );

  setHandler(exitRestrictionLiftedSignal, async () => {
    messagesThisRun += 1;
    const change = liftExitRestriction(state, ctx(SYSTEM));
    if (change.events.length > 0) await record(change);
  });

  setHandler(operationLinkedSignal, async (operation) => {
    messagesThisRun += 1;
    const change = linkOperation(state, operation, ctx(SYSTEM));
    if (change.events.length > 0) await record(change);
  });

  setHandler(caseQuery, () => caseView(state));

  if (!input.state) await record(openCase(state, ctx(input.case.openedBy)), true);

  // The server's size hint, or our own count of updates well before its 2,000-per-run limit.
  const rollOver = () =>
    workflowInfo().continueAsNewSuggested || messagesThisRun >= (state.policy.maxMessagesPerRun ?? DEFAULT_MAX_MESSAGES_PER_RUN);

  // The clock of the case: sleep until the next reminder, escalation, stage deadline or follow-up,
  // waking early whenever a step moves that point (new task, hold, resume, completion…).
  while (state.status !== 'closed') {
    await ensureExitRestrictionTimer(state);
    const wake = nextWakeAt(state);
    const woke = await condition(
      () => state.status === 'closed' || nextWakeAt(state) !== wake || rollOver() || needsExitRestrictionTimer(state),
      wake === null ? undefined : Math.max(1, wake - Date.now()),
    );
    if (!woke) {
      const change = fireDue(state, ctx(SYSTEM));
      if (change.events.length > 0) await record(change);
    }
    if ((state.status as CaseState['status']) !== 'closed' && rollOver()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof caseWorkflow>({ case: input.case, state });
    }
  }
  await ensureExitRestrictionTimer(state);
  await condition(allHandlersFinished);
  return { status: state.status, reason: state.closure?.reason ?? null };
}

// Behaviour changes for running cases go behind patch ids; a case recorded before a change keeps
// replaying the old path. Procedure: CONTRIBUTING.md ("Changing workflow code").
function features(type: string): Ctx['features'] {
  if (type !== 'record_placement') return undefined;
  // Follow-ups used to be created all at once at placement; now each arrives on its day.
  return { followUpsOnSchedule: patched('follow-ups-on-schedule') };
}

function needsExitRestrictionTimer(state: CaseState): boolean {
  const r = state.exitRestriction;
  return r !== null && r.status === 'active' && r.liftAt !== null && !state.exitRestrictionTimer;
}

// The restriction may outlast the case by years, so its timer is a workflow of its own, abandoned
// (kept running) when the case closes; it tells the case, or the read model once the case is gone.
async function ensureExitRestrictionTimer(state: CaseState): Promise<void> {
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

