// No dead ends on the real workflow (issue #9): sequences drawn by the model of the model-based test
// (test/support/case-model.ts) are played on a real case workflow through the Temporal client, move
// by move, next to the pure model. After every move the workflow's case must equal the model's (stage,
// tasks, approvals, consent, version, what is allowed…) and a move the model refuses must be refused
// with the same code; then the helpful completion takes both to closed. The histories replay.
//
// The workflow's clock cannot be moved, so the cases run on a policy whose follow-ups and waits fall
// due at once (0 days) and whose other deadlines are days away: the model fires the former as the
// workflow does, and neither sees the latter.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_FEATURES, type CaseView, initialState } from '../../domain/case.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { policyFor } from '../../domain/policy.js';
import { RISK_FLAGS, personSchema } from '../../domain/schemas.js';
import { allocateReferences } from '../../db/case-rows.js';
import { startCaseWorkflow } from '../../temporal/case-start.js';
import { actionUpdates, caseQuery, completeTaskUpdate, decideApprovalUpdate, rejectTaskUpdate } from '../../workflows/definitions.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { allRuns, replayFailures, workflowTaskFailures } from '../support/histories.js';
import { CASEWORKER, CaseModel, type Move, OFFICER, type Outcome, SUPERVISOR, describe as describeMove, drawMove, helpfulMove } from '../support/case-model.js';

let h: Harness;
let consulates: string[];

beforeAll(async () => {
  h = await startHarness();
  consulates = [await createConsulate(h), await createConsulate(h)];
});
afterAll(async () => {
  await h?.stop();
});

const SEQUENCES = Number(process.env.NO_DEAD_ENDS_WORKFLOW_RUNS ?? 4);
const MAX_MOVES = 35;
const MAX_HELP = 80;

/** What the model and the workflow must agree on: the case without its times and ids. */
function projection(view: CaseView) {
  return {
    status: view.status,
    stage: view.stage,
    onHold: view.onHold,
    priority: view.priority,
    version: view.version,
    assignee: view.assignee,
    consulateId: view.consulateId,
    riskFlags: view.riskFlags,
    screening: view.screening,
    consent: view.consent,
    location: view.location,
    extraction: view.extraction,
    travelDocument: view.travelDocument,
    returnTrip: view.returnTrip,
    employment: { ...view.employment, referrals: view.employment.referrals.map(({ at: _at, ...referral }) => referral) },
    medical: view.medical && { fitToTravel: view.medical.fitToTravel, notes: view.medical.notes, source: view.medical.source },
    exitRestriction: view.exitRestriction && { decision: view.exitRestriction.decision, status: view.exitRestriction.status, from: view.exitRestriction.from, until: view.exitRestriction.until },
    openTasks: view.openTasks.map((t) => ({ type: t.type, audience: t.audience, agencyId: t.agencyId, status: t.status, escalationLevel: t.escalationLevel, topic: t.input.topic ?? null })),
    pendingApprovals: view.pendingApprovals.map((a) => ({ reason: a.reason, requestedBy: a.requestedBy })),
    allowedActions: view.allowedActions,
    closure: view.closure && { reason: view.closure.reason, comment: view.closure.comment },
  };
}

/** One case, played on the workflow and on the model side by side. */
async function pair(riskFlags: (typeof RISK_FLAGS)[number][], confirmed: boolean) {
  const caseId = randomUUID();
  const [reference] = await allocateReferences(h.db, '2026', 1);
  const model = new CaseModel({
    features: CURRENT_FEATURES,
    riskFlags,
    confirmed,
    consulateId: consulates[0],
    openedAt: Date.now(),
    // Follow-ups and supervisors' waits fall due at once; every other deadline is days away.
    policy: { ...policyFor(1), followUpDays: [0, 0, 0], reviewWaitDays: 0 },
    input: {
      caseId,
      reference: reference!,
      office: h.office,
      immigrationAgencyId: h.config.immigrationAgencyId,
      person: personSchema.parse({ fullName: `Model Person ${caseId.slice(0, 6)}`, nationality: 'PH', documents: [{ type: 'passport', number: `M${caseId.slice(0, 12)}`, issuingCountry: 'PH' }] }),
    },
  });
  await startCaseWorkflow(h.temporal, h.config.temporal.taskQueue, model.input, initialState(structuredClone(model.input)), { tolerateExisting: false });
  const handle = h.temporal.workflow.getHandle(caseWorkflowId(caseId));

  /** The workflow's case once it has fired what fell due at once (a follow-up, a supervisor's wait). */
  async function settled(): Promise<CaseView> {
    for (let i = 0; ; i++) {
      const view = await handle.query(caseQuery);
      const due = view.nextDeadline && !view.nextDeadline.paused && Date.parse(view.nextDeadline.at) <= Date.now();
      if (!due && view.version >= model.state.version) return view;
      if (i > 200) throw new Error(`the workflow did not settle: ${JSON.stringify(view.nextDeadline)} at version ${view.version}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
    try {
      await call();
      return { ok: true };
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type) return { ok: false, code: cause.type, message: cause.message };
      throw err;
    }
  }

  /**
   * The move as a call to the workflow, prepared before the model takes it: tasks and approvals named
   * by their place are found in the workflow's own case.
   */
  function prepare(move: Move, view: CaseView): () => Promise<Outcome> {
    switch (move.kind) {
      case 'action': {
        const action = { ...move.action } as Record<string, unknown>;
        if (typeof action.taskId === 'string') {
          // A model task id becomes the workflow's id of the task in the same place.
          const place = model.state.tasks.filter((t) => t.status === 'open' || t.status === 'claimed').findIndex((t) => t.id === action.taskId);
          if (place >= 0) action.taskId = view.openTasks[place]!.id;
        }
        return () => outcome(() => handle.executeUpdate(actionUpdates[move.action.type], { args: [{ action, actor: CASEWORKER }] }));
      }
      case 'complete': {
        const task = view.openTasks[move.task]!;
        const actor = task.type === 'supervisor_review' ? SUPERVISOR : OFFICER;
        return () => outcome(() => handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, result: move.result, actor }] }));
      }
      case 'reject': {
        const taskId = view.openTasks[move.task]!.id;
        return () => outcome(() => handle.executeUpdate(rejectTaskUpdate, { args: [{ taskId, reason: move.reason, actor: OFFICER }] }));
      }
      case 'decide': {
        const approvalId = view.pendingApprovals[move.approval]!.id;
        return () => outcome(() => handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId, decision: move.decision, actor: SUPERVISOR }] }));
      }
      case 'advance':
        throw new Error('the workflow\'s clock cannot be moved: the sequence should not need it');
    }
  }

  const trail: string[] = [];
  /** Plays one move on both, then they must agree. */
  async function step(move: Move) {
    const call = prepare(move, await settled());
    const expected = model.apply(move, { checkRefusals: true });
    const actual = await call();
    trail.push(`${describeMove(move)} -> ${expected.ok ? 'ok' : expected.code}`);
    const where = `after ${trail.length} moves:\n${trail.join('\n')}`;
    expect(actual.ok ? 'ok' : (actual as { code: string }).code, where).toBe(expected.ok ? 'ok' : (expected as { code: string }).code);
    expect(projection(await settled()), where).toEqual(projection(model.view()));
  }

  return { model, handle, step, trail };
}

describe('no dead ends on the real case workflow', () => {
  it('when drawn sequences are played on the workflow and on the model, then both agree after every move, and both close through the normal path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const { model, handle, step, trail } = await pair(g(() => fc.subarray([...RISK_FLAGS])), g(fc.boolean));
        const moves = g(fc.integer, { min: 15, max: MAX_MOVES });
        for (let i = 0; i < moves && !model.closed; i++) await step(drawMove(g, model, { consulates, clock: false }));
        for (let i = 0; i < MAX_HELP && !model.closed; i++) {
          const move = helpfulMove(model);
          if (!move) throw new Error(`dead end on the model after:\n${trail.join('\n')}`);
          await step(move);
        }
        expect(model.closed, trail.join('\n')).toBe(true);
        expect(await handle.result()).toEqual({ status: 'closed', reason: model.state.closure!.reason });

        const runs = await allRuns(h.temporal, handle.workflowId);
        expect(runs.flatMap((r) => workflowTaskFailures(r.history))).toEqual([]);
        expect(await replayFailures(runs, h.config)).toEqual([]);
      }),
      { numRuns: SEQUENCES, endOnFailure: true },
    );
  });
});
