// The case workflow: one per rescued person, living from the first report to closure. Process state
// lives here (stage, tasks, approvals); every accepted step is written to the read model by the
// persist activity before the caller gets its answer, so the API can read its own writes. Steps are
// taken one at a time and committed only once persisted (workflows/case-steps.ts explains why).
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  type CaseInput,
  type CaseState,
  type CaseTask,
  CURRENT_FEATURES,
  type Change,
  type Ctx,
  type RuleSwitches,
  SYSTEM,
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
  openingStep,
  rejectTask,
  taskView,
  validateAction,
  validateDecision,
  validateTaskCompletion,
  validateMessage,
  validateTaskRejection,
} from '../domain/case.js';
import {
  ACTION_TYPES,
  type Actor,
  actionMessageSchema,
  approvalDecisionMessageSchema,
  taskCompletionMessageSchema,
  taskRejectionMessageSchema,
} from '../domain/shapes.js';
import { exitRestrictionWorkflowId } from '../domain/ids.js';
import { DEFAULT_MAX_MESSAGES_PER_RUN } from '../domain/policy.js';
import { asApplicationFailure, createStepper } from './case-steps.js';
import { legacyCase, needsExitRestrictionTimer } from './case-legacy.js';
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

// Behaviour changes for running cases go behind patch ids; a case recorded before a change keeps
// replaying the old path. Procedure: CONTRIBUTING.md ("Changing workflow code").
const PATCH = {
  /** Steps persisted by a local activity instead of a regular one. */
  localPersist: 'persist-as-local-activity',
  /** Follow-ups created on their day instead of all at placement. */
  followUpsOnSchedule: 'follow-ups-on-schedule',
  /** Steps taken one at a time, on a copy, committed once persisted (issue #7). */
  serialisedSteps: 'serialised-steps',
  /**
   * The requester of an approval cannot decide it (issue #8). The validator checks it unguarded: a
   * rejected update leaves no history, and validators do not run on replay. The handler checks it
   * again only behind this patch, so a decision accepted on older code (before the rule) still
   * replays as it ran, and one accepted then but taken after the deploy is refused.
   */
  fourEyes: 'four-eyes',
  /**
   * A minor's return waits for a guardian and a best-interests determination, and a minor's consent
   * is the guardian's (issue #9). Validators check it unguarded; the handler checks it again only
   * behind this patch, so a booking or a consent accepted before the rule replays as it ran.
   */
  minorSafeguards: 'minor-safeguards',
  /** The consulate's travel document joins the person's documents and the duplicate index (issue #9). */
  travelDocumentJoinsPerson: 'travel-document-joins-person',
  /**
   * Reviews about consent lead somewhere (issue #9): "proceed" on a data-sharing withdrawal waives the
   * stage's agency work and moves the case on, "reissue" is refused while consent still stops it,
   * "wait" asks again later, and consent given again closes its moot reviews. Before it, a withdrawal
   * during consular contact left the case nowhere to go.
   */
  consentReviews: 'consent-reviews-lead-on',
  /**
   * Reviews about a task lead somewhere (issue #9): "proceed" on the immigration authority's rejected
   * or overdue review moves the case on without a decision, and "wait" on a task that is no longer
   * open sends it again after a waiting period. Before it, both left the case where it was for good.
   */
  reviewDecisions: 'review-decisions-lead-on',
  /** The consulate's medical check is recorded as fitness to travel; unfit blocks book_return (issue #9). */
  unfitBlocksReturn: 'unfit-blocks-return',
} as const;

export async function caseWorkflow(input: CaseWorkflowInput): Promise<{ status: string; reason: string | null }> {
  const steps = createStepper(input.state ?? initialState(input.case), { localActivity: () => patched(PATCH.localPersist) });
  let messagesThisRun = 0;
  const ctx = (actor: Actor): Ctx => ({ now: new Date().toISOString(), actor, newId: uuid4 });
  const now = () => new Date().toISOString();
  const legacy = legacyCase({ steps, ctx, features });

  // Asked at each step, so a case that started on older code takes its next steps the new way.
  // Handlers are plain functions that hand back either path's promise: wrapping the legacy path in
  // one more async function would add promise hops and reorder its commands on replay.
  const serialised = () => patched(PATCH.serialisedSteps);

  /** A new-path step whose change is built on the draft; `answer` reads the committed state. */
  const take = <T>(apply: (draft: CaseState) => Change, answer: (committed: CaseState) => T) =>
    steps.step((draft) => ({ change: apply(draft), result: answer }));

  // The opening step comes first, before any update that arrived with the start is let in.
  let opened: Promise<void> | undefined;
  if (!input.state && serialised()) {
    opened = steps.step((draft) => ({ change: openingStep(draft, ctx(input.case.openedBy)), result: () => undefined }), { first: true });
  }

  for (const type of ACTION_TYPES) {
    setHandler(
      actionUpdates[type],
      (args) => {
        messagesThisRun += 1;
        if (!serialised()) return legacy.action(type, args);
        if (steps.alreadyApplied()) return Promise.resolve(caseView(steps.state));
        const { action, actor, expectedVersion } = args;
        // Checked again under the step lock: another step may have moved the case since the validator ran.
        return take(
          (s) =>
            applyAction(s, asApplicationFailure(() => validateAction(s, { ...(action as object), type }, now(), expectedVersion, ruleSwitches(type))), {
              ...ctx(actor),
              features: actionFeatures(type),
            }),
          caseView,
        );
      },
      {
        // Validators only decide whether an update is accepted; replay never runs them, so what they
        // check may grow (here: storable text, issue #7) without a patch.
        validator: ({ action, actor, expectedVersion, scope }) => {
          // First, retries included: outside the caller's scope the case looks exactly like absent.
          if (typeof scope === 'string' && scope !== steps.state.office) throw caseNotFound();
          if (steps.alreadyApplied()) return;
          asApplicationFailure(() => validateMessage(actionMessageSchema(), { actor }, type));
          asApplicationFailure(() => validateAction(steps.state, { ...(action as object), type }, now(), expectedVersion));
        },
      },
    );
  }

  setHandler(
    completeTaskUpdate,
    (args) => {
      messagesThisRun += 1;
      if (!serialised()) return legacy.completeTask(args);
      const { taskId, result, actor } = args;
      const earlier = steps.alreadyApplied() ? steps.state.tasks.find((t) => t.id === taskId) : undefined;
      if (earlier) return Promise.resolve(taskView(steps.state, earlier));
      return take(
        (s) => {
          const f = completionFeatures(s.tasks.find((t) => t.id === taskId));
          const { task, result: parsed } = asApplicationFailure(() => validateTaskCompletion(s, taskId, result, f));
          return completeTask(s, task, parsed, { ...ctx(actor), features: f });
        },
        (s) => taskView(s, s.tasks.find((t) => t.id === taskId)!),
      );
    },
    {
      validator: ({ taskId, result, actor }) => {
        asApplicationFailure(() => validateMessage(taskCompletionMessageSchema(), { actor }, 'task completion'));
        if (!steps.alreadyApplied()) asApplicationFailure(() => validateTaskCompletion(steps.state, taskId, result, CURRENT_FEATURES));
      },
    },
  );

  setHandler(
    rejectTaskUpdate,
    (args) => {
      messagesThisRun += 1;
      if (!serialised()) return legacy.rejectTask(args);
      const { taskId, reason, actor } = args;
      const earlier = steps.alreadyApplied() ? steps.state.tasks.find((t) => t.id === taskId) : undefined;
      if (earlier) return Promise.resolve(taskView(steps.state, earlier));
      return take(
        (s) => rejectTask(s, asApplicationFailure(() => validateTaskRejection(s, taskId)), reason, ctx(actor)),
        (s) => taskView(s, s.tasks.find((t) => t.id === taskId)!),
      );
    },
    {
      validator: ({ taskId, reason, actor }) => {
        asApplicationFailure(() => validateMessage(taskRejectionMessageSchema(), { reason, actor }, 'task rejection'));
        if (!steps.alreadyApplied()) asApplicationFailure(() => validateTaskRejection(steps.state, taskId));
      },
    },
  );

  setHandler(
    decideApprovalUpdate,
    (args) => {
      messagesThisRun += 1;
      if (!serialised()) return legacy.decideApproval(args);
      const { approvalId, decision, comment, actor, office } = args;
      const earlier = steps.alreadyApplied() ? steps.state.approvals.find((a) => a.id === approvalId) : undefined;
      if (earlier) return Promise.resolve(approvalView(steps.state, earlier));
      // `office` needs no patch: only transfers read it, and no history older than transfers has one.
      return take(
        (s) =>
          decideApproval(s, asApplicationFailure(() => validateDecision(s, approvalId, patched(PATCH.fourEyes) ? actor : undefined, office)), decision, comment ?? null, ctx(actor)),
        (s) => approvalView(s, s.approvals.find((a) => a.id === approvalId)!),
      );
    },
    {
      validator: ({ approvalId, comment, actor, office }) => {
        asApplicationFailure(() => validateMessage(approvalDecisionMessageSchema(), { comment, actor }, 'approval decision'));
        if (!steps.alreadyApplied()) asApplicationFailure(() => validateDecision(steps.state, approvalId, actor, office));
      },
    },
  );

  // Signals have no caller to tell: a step the read model refuses for good is dropped, not retried for ever.
  const signalled = (apply: (draft: CaseState) => Change) =>
    take(apply, () => undefined).catch((err: unknown) => {
      log.warn('a signalled step was refused and not applied', { error: String(err) });
    });
  setHandler(exitRestrictionLiftedSignal, () => {
    messagesThisRun += 1;
    if (!serialised()) return legacy.exitRestrictionLifted();
    return signalled((s) => liftExitRestriction(s, ctx(SYSTEM)));
  });
  setHandler(operationLinkedSignal, (operation) => {
    messagesThisRun += 1;
    if (!serialised()) return legacy.operationLinked(operation);
    return signalled((s) => linkOperation(s, operation, ctx(SYSTEM)));
  });

  setHandler(caseQuery, () => caseView(steps.state));

  if (!input.state) {
    if (opened) await opened;
    else await legacy.record(openingStep(steps.state, ctx(input.case.openedBy)), true);
  }

  // The server's size hint, or our own count of updates well before its 2,000-per-run limit.
  const rollOver = () =>
    workflowInfo().continueAsNewSuggested || messagesThisRun >= (steps.state.policy.maxMessagesPerRun ?? DEFAULT_MAX_MESSAGES_PER_RUN);
  const closed = () => steps.state.status === 'closed';

  // The clock of the case: sleep until the next reminder, escalation, stage deadline or follow-up,
  // waking early whenever a step moves that point (new task, hold, resume, completion…).
  while (!closed()) {
    const serial = serialised();
    await (serial ? steps.exclusive(() => startExitRestrictionTimer(steps.state)) : legacy.ensureExitRestrictionTimer(steps.state));
    const wake = nextWakeAt(steps.state);
    const due = () => closed() || nextWakeAt(steps.state) !== wake || rollOver() || needsExitRestrictionTimer(steps.state);
    // New path: re-arm only once every handler has answered, so an update's completion always comes
    // before the timer it moved, however many promise hops either takes (Temporal's own advice).
    const woke = await condition(serial ? () => due() && allHandlersFinished() : due, wake === null ? undefined : Math.max(1, wake - Date.now()));
    if (!woke) {
      if (serial) {
        // A refused write of our own making is a defect: fail the task (retried, visible), never the case.
        await take((s) => fireDue(s, ctx(SYSTEM)), () => undefined).catch(asTaskFailure);
      } else {
        const change = fireDue(steps.state, ctx(SYSTEM));
        if (change.events.length > 0) await legacy.record(change);
      }
    }
    if (!closed() && rollOver()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof caseWorkflow>({ case: input.case, state: steps.state });
    }
  }
  await (serialised() ? steps.exclusive(() => startExitRestrictionTimer(steps.state)) : legacy.ensureExitRestrictionTimer(steps.state));
  await condition(allHandlersFinished);
  return { status: steps.state.status, reason: steps.state.closure?.reason ?? null };
}

// The legacy path's switches, as they were when it was retired: do not add to them.
function features(type: string): Ctx['features'] {
  if (type !== 'record_placement') return undefined;
  return { followUpsOnSchedule: patched(PATCH.followUpsOnSchedule) };
}

// Only the actions whose checks the rule changed ask for the patch, so other steps record no marker.
function ruleSwitches(type: string): RuleSwitches | undefined {
  if (type !== 'book_return' && type !== 'record_consent') return undefined;
  return { minorSafeguards: patched(PATCH.minorSafeguards) };
}

// Each patch is asked only by the steps it can change, so a case's history carries a marker only
// once such a step has run on the new code.
function actionFeatures(type: string): Ctx['features'] {
  if (type === 'record_consent') return { consentReviewsLeadOn: patched(PATCH.consentReviews) };
  return features(type);
}

function completionFeatures(task: CaseTask | undefined): Ctx['features'] {
  if (task?.type === 'supervisor_review') return { consentReviewsLeadOn: patched(PATCH.consentReviews), reviewDecisionsLeadOn: patched(PATCH.reviewDecisions) };
  if (task?.type === 'arrange_medical_check') return { unfitBlocksReturn: patched(PATCH.unfitBlocksReturn) };
  if (task?.type === 'issue_travel_document') return { travelDocumentJoinsPerson: patched(PATCH.travelDocumentJoinsPerson) };
  return undefined;
}

// The restriction may outlast the case by years, so its timer is a workflow of its own, abandoned
// (kept running) when the case closes; it tells the case, or the read model once the case is gone.
// The flag is set on the committed state under the step lock, so no step's copy can undo it.
async function startExitRestrictionTimer(state: CaseState): Promise<void> {
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

// The API's answer for a case that does not exist (api/errors.ts notFound('case')), word for word.
function caseNotFound(): ApplicationFailure {
  return ApplicationFailure.create({ type: 'not_found', message: 'no such case', details: [null], nonRetryable: true });
}

function asTaskFailure(err: unknown): never {
  throw err instanceof Error ? new Error(`a scheduled step could not be recorded: ${err.message}`) : err;
}
