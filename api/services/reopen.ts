// Reopening a closed case (POST /v1/cases/:id/reopen): a person trafficked again, or who needs help
// again, gets a new case linked to the closed one, in the same office, with the same person. The new
// case has a workflow of its own and starts in `locating` (where the person is now is the first
// question of a new episode); consent and screening start afresh, the risk flags are carried over.
// Both timelines record the link: `reopened_from` on the new case, `case_reopened` on the closed one,
// whose view also names its successor (`reopenedAs`).
//
// A closed case is reopened once: its successor's id is derived from its own, and a unique index on
// `previous_case_id` holds under races. Reopening again is a 409 that names the successor (in scope);
// once that one is closed, it is the one to reopen. The answer to a keyed request is stored in the
// same transaction as the new case, like opening a case (services/cases.ts).
import { eq } from 'drizzle-orm';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { type CaseInput, type CaseView, caseView, initialState } from '../../domain/case.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { policyFor } from '../../domain/policy.js';
import { aad, fieldCipher, openSnapshot } from '../../db/at-rest.js';
import { allocateReferences, insertOpenedCases, nextSeq } from '../../db/case-rows.js';
import { startCaseWorkflow } from '../../temporal/case-start.js';
import { caseEvents, cases, idempotencyKeys } from '../../db/schema/index.js';
import { caseQuery } from '../../workflows/definitions.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { createIdempotencyStore, keyedUuid, storedAnswer } from '../idempotency.js';
import { type Auth, inOfficeScope } from '../middleware/auth.js';
import { type CaseService, actorOf } from './cases.js';
import { withTemporalDeadline } from './case-update.js';

const UNIQUE_VIOLATION = '23505';

type Tx = Parameters<Parameters<ApiDeps['db']['transaction']>[0]>[0];
type CaseRow = typeof cases.$inferSelect;

function pgErrorOf(err: unknown): { code?: string; constraint?: string } | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e as { code: string; constraint?: string };
  }
  return undefined;
}

/** The id of the case that reopens `closedCaseId`: one per closed case, so every retry finds the same one. */
export const successorId = (closedCaseId: string) => keyedUuid('reopen', closedCaseId, 'successor');

export function createReopenService(deps: ApiDeps, caseService: CaseService) {
  const { db, temporal, config, hasher } = deps;
  const cipher = fieldCipher(config);
  const idempotency = createIdempotencyStore(db, cipher);

  async function reopen(auth: Auth, closedId: string, reason: string, fingerprint: string, key?: string): Promise<{ status: number; body: unknown }> {
    // Outside the caller's scope is 404 before anything else, a stored answer included (it names the person).
    const row = await caseService.findScopedRow(auth, closedId);
    if (key) {
      const replay = await idempotency.find(auth.sub, key, fingerprint);
      if (replay) return replay;
    }
    if (row.status !== 'closed') {
      const view = await caseService.getCase(auth, closedId);
      throw new ApiError('invalid_transition', 'only a closed case can be reopened: this one is open', { stage: view.stage, allowed: view.allowedActions });
    }
    if (row.anonymisedAt) {
      throw new ApiError('conflict', "this case's personal data was erased; open a new case for the person instead", { anonymised: true });
    }
    const closed = openSnapshot<CaseView>(cipher, row);
    const newId = successorId(closedId);
    const successor = await successorOf(closedId);
    if (successor) {
      // An earlier attempt opened the successor but did not link it (its commit was lost): finish it.
      if (successor.id === newId && closed.reopenedAs !== newId) return linkEarlier(auth, row, reason, key, fingerprint);
      throw alreadyReopened(auth, successor);
    }
    await closedWorkflowDone(closedId);
    await caseService.rejectDuplicates(auth, closed.person.documents);

    const input: CaseInput = {
      caseId: newId,
      reference: '',
      office: row.office,
      consulateId: closed.consulateId,
      immigrationAgencyId: config.immigrationAgencyId,
      person: closed.person,
      source: closed.source,
      riskFlags: closed.riskFlags,
      openedBy: actorOf(auth),
      openedAt: new Date().toISOString(),
      policy: policyFor(config.timeScale, config.maxMessagesPerRun, config.reflectionPeriodDays),
      previousCase: { caseId: closedId, reference: row.reference, reason },
    };
    const state = initialState(input);
    try {
      const view = await db.transaction(async (tx) => {
        // Under the closed case's lock, a request that raced this one may have linked it meanwhile.
        const locked = await lockClosed(tx, closedId);
        if (locked.view.reopenedAs) throw await alreadyReopenedNow(auth, closedId);
        [input.reference] = await allocateReferences(tx, input.openedAt.slice(0, 4), 1);
        state.reference = input.reference!;
        const opened = caseView(state);
        await insertOpenedCases(tx, [{ input, state }], { hasher, cipher }, { onConflictDoNothing: false });
        await linkClosed(tx, auth, locked, opened, reason);
        if (key) await tx.insert(idempotencyKeys).values({ subject: auth.sub, key, requestHash: fingerprint, statusCode: 201, ...storedAnswer(cipher, auth.sub, key, opened) });
        // Started inside the transaction: if Temporal refuses, nothing is committed; if the commit then
        // fails, the workflow's first step writes the new case itself and a retry links it (linkEarlier).
        await withTemporalDeadline(deps, () => startCaseWorkflow(temporal, config.temporal.taskQueue, input, state, { tolerateExisting: false }));
        return opened;
      });
      return { status: 201, body: view };
    } catch (err) {
      const e = pgErrorOf(err);
      // A concurrent request with this key may have won the race: its answer is this request's too.
      if (key && (err instanceof ApiError || e?.code === UNIQUE_VIOLATION)) {
        const replay = await idempotency.find(auth.sub, key, fingerprint);
        if (replay) return replay;
      }
      if (err instanceof ApiError) throw err;
      if (err instanceof WorkflowExecutionAlreadyStartedError || (e?.code === UNIQUE_VIOLATION && e.constraint === 'cases_pkey')) {
        return linkEarlier(auth, row, reason, key, fingerprint);
      }
      if (e?.code === UNIQUE_VIOLATION && e.constraint === 'cases_previous_case_unique') throw await alreadyReopenedNow(auth, closedId);
      if (e?.code === UNIQUE_VIOLATION && e.constraint === 'identity_documents_open_unique') await caseService.rejectDuplicates(auth, closed.person.documents);
      throw err;
    }
  }

  async function successorOf(closedId: string) {
    const [s] = await db.select({ id: cases.id, reference: cases.reference, office: cases.office, status: cases.status }).from(cases).where(eq(cases.previousCaseId, closedId)).limit(1);
    return s;
  }

  async function alreadyReopenedNow(auth: Auth, closedId: string) {
    const s = await successorOf(closedId);
    return s ? alreadyReopened(auth, s) : new ApiError('conflict', 'this case is being reopened by another request; check it again');
  }

  /** The successor's id and reference only for a caller who may see it (it may have moved office since). */
  function alreadyReopened(auth: Auth, s: { id: string; reference: string; office: string; status: string }) {
    if (!inOfficeScope(auth, s.office)) {
      return new ApiError('conflict', `this case was already reopened, by a case now in office ${s.office}; contact that office about this person`, { inScope: false });
    }
    const then = s.status === 'closed' ? `; that case is closed too: reopen it (${s.reference}) instead` : '; the person has that open case';
    return new ApiError('conflict', `this case was already reopened as ${s.reference}${then}`, { reopenedAs: s.id, reference: s.reference, status: s.status });
  }

  /**
   * The closed case's workflow has written its last step but may take a moment to finish; once it has,
   * nothing but this service (and an exit restriction's end, under the same row lock) writes its timeline.
   */
  async function closedWorkflowDone(closedId: string) {
    try {
      await withTemporalDeadline(deps, () => temporal.workflow.getHandle(caseWorkflowId(closedId)).result());
    } catch (err) {
      // Gone (the namespace's retention), or it ended otherwise: either way it writes nothing more.
      if (err instanceof WorkflowNotFoundError || err instanceof WorkflowFailedError) return;
      throw err;
    }
  }

  /** Locks the closed case's row and reads it as it now is. */
  async function lockClosed(tx: Tx, closedId: string): Promise<{ row: CaseRow; view: CaseView }> {
    const [row] = await tx.select().from(cases).where(eq(cases.id, closedId)).for('update');
    return { row: row!, view: openSnapshot<CaseView>(cipher, row!) };
  }

  /** The closed case names its successor: in its view (`reopenedAs`) and on its timeline. Its row is locked. */
  async function linkClosed(tx: Tx, auth: Auth, locked: { row: CaseRow; view: CaseView }, successor: { id: string; reference: string }, reason: string) {
    const { row, view } = locked;
    const closedId = row.id;
    const at = new Date();
    const next = { ...view, reopenedAs: successor.id, version: view.version + 1, updatedAt: at.toISOString() };
    await tx
      .update(cases)
      .set({ snapshot: cipher.seal(next, aad.caseSnapshot(closedId))!, version: next.version, updatedAt: at })
      .where(eq(cases.id, closedId));
    const seq = await nextSeq(tx, closedId);
    await tx.insert(caseEvents).values({
      caseId: closedId,
      seq,
      at,
      type: 'case_reopened',
      actorSub: auth.sub,
      actorRole: auth.role,
      stage: row.stage,
      data: cipher.seal({ newCaseId: successor.id, newReference: successor.reference, reason }, aad.eventData(closedId, seq))!,
    });
  }

  /** An earlier attempt started the successor's workflow but never committed: link it now and answer with it. */
  async function linkEarlier(auth: Auth, closedRow: CaseRow, reason: string, key: string | undefined, fingerprint: string) {
    const newId = successorId(closedRow.id);
    const view = await withTemporalDeadline(deps, () => temporal.workflow.getHandle(caseWorkflowId(newId)).query(caseQuery));
    await db.transaction(async (tx) => {
      const locked = await lockClosed(tx, closedRow.id);
      // Linked meanwhile: this was not a retry of a lost attempt but a second request (a key's retry was replayed before).
      if (locked.view.reopenedAs) throw await alreadyReopenedNow(auth, closedRow.id);
      await linkClosed(tx, auth, locked, view, reason);
      if (key) {
        await tx.insert(idempotencyKeys).values({ subject: auth.sub, key, requestHash: fingerprint, statusCode: 201, ...storedAnswer(cipher, auth.sub, key, view) }).onConflictDoNothing();
      }
    });
    return { status: 201, body: view as unknown };
  }

  return { reopen };
}
export type ReopenService = ReturnType<typeof createReopenService>;

