// Cases: open (with idempotency and duplicate detection), read, list, act, timeline. The process
// state lives in the case workflow; this service checks scope against the read model, then talks
// to the workflow. It throws; the routes never pick status codes. Snapshots, timeline data and stored
// answers are sealed at rest (db/at-rest.ts) and opened here.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt } from 'drizzle-orm';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { type CaseInput, type CaseView, assertVersion, caseView, closedCaseRefusal, initialState } from '../../domain/case.js';
import type { ActionOf, OpenCaseBody } from '../../domain/schemas.js';
import { policyFor } from '../../domain/policy.js';
import { allocateReferences, insertOpenedCases } from '../../db/case-rows.js';
import { startCaseWorkflow } from '../../temporal/case-start.js';
import { agencies, caseEvents, cases, idempotencyKeys } from '../../db/schema/index.js';
import { caseListQuery, caseSummary, summaryRow } from './case-list.js';
import { createIdempotencyStore, keyedUuid, storedAnswer } from '../idempotency.js';
import { fieldCipher, openEventRow, openSnapshot } from '../../db/at-rest.js';
import { updateCase, withTemporalDeadline } from './case-update.js';
import { type CaseOut, claimed, withClaims } from './claims.js';
import { caseWorkflowId } from '../../temporal/client.js';
import { actionUpdates, caseQuery } from '../../workflows/definitions.js';
import type { ActionType } from '../../domain/schemas.js';
import { type Auth, inOfficeScope, officeScope } from '../middleware/auth.js';
import { ApiError, notFound, toApiError } from '../errors.js';
import { type PossibleDuplicate, createPersonMatching } from './person-matching.js';
import { type ListCasesQuery, encodeCursor } from '../schemas.js';
import { parseCursor } from '../validate.js';
import type { ApiDeps } from '../deps.js';

const UNIQUE_VIOLATION = '23505';

export function actorOf(auth: Auth) {
  return { sub: auth.sub, role: auth.role };
}

function pgErrorOf(err: unknown): { code?: string; constraint?: string } | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e as { code: string; constraint?: string };
  }
  return undefined;
}

export function createCaseService(deps: ApiDeps) {
  const { db, temporal, config, hasher } = deps;
  const cipher = fieldCipher(config);
  const idempotency = createIdempotencyStore(db, cipher);
  const matching = createPersonMatching(deps);

  async function findScopedRow(auth: Auth, id: string) {
    const scope = officeScope(auth);
    const [row] = await db.select().from(cases).where(eq(cases.id, id)).limit(1);
    // Outside the caller's scope looks exactly like absent: existence is never revealed.
    if (!row || (scope !== null && row.office !== scope)) throw notFound('case');
    return row;
  }

  /**
   * Opens a case. With an Idempotency-Key the answer is stored in the same transaction as the case,
   * and the case id is derived from the key: a retry whose first attempt lost its answer (or its
   * commit, after the workflow had started) finds that same case instead of opening another.
   */
  /** The case opened (or the one an earlier attempt with this key opened), with its possible duplicates as the caller may see them. */
  async function open(auth: Auth, body: OpenCaseBody, fingerprint: string, idempotencyKey?: string) {
    const out = await openOrReplay(auth, body, fingerprint, idempotencyKey);
    const view = out.body as Partial<CaseView> & { possibleDuplicates?: unknown };
    // A replayed answer is stored without them: they are worked out for whoever asks now.
    if (view.possibleDuplicates !== undefined || !view.id || !view.person) return out;
    return { ...out, body: { ...view, possibleDuplicates: await matching.possibleDuplicates(auth, view.id, view.person) } as unknown };
  }

  async function openOrReplay(auth: Auth, body: OpenCaseBody, fingerprint: string, idempotencyKey?: string) {
    const scope = officeScope(auth);
    const office = body.office ?? (scope ?? undefined);
    if (!office) {
      throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'office', message: 'required when your token covers every office' }]);
    }
    if (!inOfficeScope(auth, office)) throw new ApiError('forbidden', `you cannot open cases for office ${office}`);

    const hash = fingerprint;
    if (idempotencyKey) {
      const replay = await findReplay(auth, idempotencyKey, hash);
      if (replay) return replay;
    }

    const [consulate] = await db.select().from(agencies).where(eq(agencies.id, body.consulateId)).limit(1);
    if (!consulate || consulate.kind !== 'consulate') {
      throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'consulateId', message: 'no consulate with this id' }]);
    }
    const caseId = idempotencyKey ? keyedUuid('case', auth.sub, idempotencyKey) : randomUUID();
    try {
      await rejectDuplicates(auth, body.person.documents);
    } catch (err) {
      // The case holding the document may be the one a concurrent request with this key just opened,
      // or one an earlier attempt started whose answer was never committed (its first step wrote it).
      if (idempotencyKey) {
        const replay = await findReplay(auth, idempotencyKey, hash);
        if (replay) return replay;
        if (err instanceof ApiError && (err.details as { caseId?: string } | undefined)?.caseId === caseId) {
          return answerWithEarlierCase(auth, caseId, idempotencyKey, hash);
        }
      }
      throw err;
    }

    const input: CaseInput = {
      caseId,
      reference: '',
      office,
      consulateId: body.consulateId,
      immigrationAgencyId: config.immigrationAgencyId,
      person: body.person,
      location: body.location,
      source: body.source,
      riskFlags: body.riskFlags,
      openedBy: actorOf(auth),
      openedAt: new Date().toISOString(),
      policy: policyFor(config.timeScale, config.maxMessagesPerRun, config.reflectionPeriodDays),
    };
    const state = initialState(input);

    try {
      const response = await db.transaction(async (tx) => {
        [input.reference] = await allocateReferences(tx, input.openedAt.slice(0, 4), 1);
        state.reference = input.reference!;
        const view = claimed(caseView(state));
        await insertOpenedCases(tx, [{ input, state }], { hasher, cipher }, { onConflictDoNothing: false });
        if (idempotencyKey) {
          await tx.insert(idempotencyKeys).values({ subject: auth.sub, key: idempotencyKey, requestHash: hash, statusCode: 201, ...storedAnswer(cipher, auth.sub, idempotencyKey, view) });
        }
        // Read before the start, so a failing read leaves nothing behind.
        const possibleDuplicates = await matching.possibleDuplicates(auth, caseId, body.person, tx);
        // Started inside the transaction: if Temporal refuses, nothing is committed; if the commit
        // then failed, the workflow's first step writes the same row itself.
        await withTemporalDeadline(deps, () =>
          startCaseWorkflow(temporal, config.temporal.taskQueue, input, state, { tolerateExisting: false }),
        );
        return { ...view, possibleDuplicates };
      });
      return { status: 201, body: response as unknown };
    } catch (err) {
      // drizzle wraps the driver's error (DrizzleQueryError); the SQLSTATE is on its cause.
      const e = pgErrorOf(err);
      // A concurrent request with the same key may have won the race: whichever unique index this
      // request ran into (its documents or its key), the answer is the winner's.
      if (e?.code === UNIQUE_VIOLATION && idempotencyKey) {
        const replay = await findReplay(auth, idempotencyKey, hash);
        if (replay) return replay;
      }
      // An earlier attempt with this key opened the case but never stored its answer: answer with it now.
      const earlier = err instanceof WorkflowExecutionAlreadyStartedError || (e?.code === UNIQUE_VIOLATION && e.constraint === 'cases_pkey');
      if (earlier && idempotencyKey) return answerWithEarlierCase(auth, caseId, idempotencyKey, hash);
      if (e?.code === UNIQUE_VIOLATION && e.constraint === 'identity_documents_open_unique') {
        await rejectDuplicates(auth, body.person.documents);
      }
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ApiError('conflict', 'this case already exists');
      throw err;
    }
  }

  async function answerWithEarlierCase(auth: Auth, caseId: string, key: string, hash: string) {
    // Its first step may not have reached the read model yet: ask the workflow itself.
    const view = await withClaims(db, await withTemporalDeadline(deps, () => temporal.workflow.getHandle(caseWorkflowId(caseId)).query(caseQuery)));
    assertMayReplay(auth, view.office);
    await db.insert(idempotencyKeys).values({ subject: auth.sub, key, requestHash: hash, statusCode: 201, ...storedAnswer(cipher, auth.sub, key, view) }).onConflictDoNothing();
    return { status: 201, body: view as unknown };
  }

  async function findReplay(auth: Auth, key: string, hash: string) {
    const replay = await idempotency.find(auth.sub, key, hash);
    if (replay) assertMayReplay(auth, (replay.body as { office: string }).office);
    return replay;
  }

  /**
   * The case a key opened is shown again only to a caller who may see it now: the same subject with
   * a token of another office gets what opening a case there would get (docs/api.md "Scope never leaks").
   */
  function assertMayReplay(auth: Auth, office: string) {
    if (!inOfficeScope(auth, office)) throw new ApiError('forbidden', `you cannot open cases for office ${office}`);
  }

  /** 409 when an open case already has one of these documents (services/person-matching.ts). */
  function rejectDuplicates(auth: Auth, documents: OpenCaseBody['person']['documents']) {
    return matching.rejectDuplicateDocuments(auth, documents);
  }

  /** The case as the API shows it: the workflow's live view (or the read model's), with the inbox's claims. */
  async function getCase(auth: Auth, id: string): Promise<CaseOut> {
    return withClaims(db, await liveView(auth, id));
  }

  /** The workflow's live view of a case in the caller's scope (or the read model's). */
  async function liveView(auth: Auth, id: string): Promise<CaseView> {
    return caseViewOf(await findScopedRow(auth, id));
  }

  async function caseViewOf(row: typeof cases.$inferSelect): Promise<CaseView> {
    // A closed case's workflow is done; its read model is final and also carries what happens
    // after closure (an exit restriction's end).
    if (row.status === 'closed') return openSnapshot<CaseView>(cipher, row);
    try {
      return await temporal.connection.withDeadline(Date.now() + 5_000, () =>
        temporal.workflow.getHandle(caseWorkflowId(row.id)).query(caseQuery),
      );
    } catch {
      // The workflow may be gone (retention) or Temporal briefly unreachable: the read model holds
      // the state as of the last step, which every step writes before it answers.
      return openSnapshot<CaseView>(cipher, row);
    }
  }

  async function allowedActions(auth: Auth, id: string) {
    const view = await getCase(auth, id);
    return { stage: view.stage, allowed: view.allowedActions };
  }

  async function act(auth: Auth, id: string, action: { type: ActionType } & Record<string, unknown>, expectedVersion?: number, updateId?: string) {
    const documents = action.type === 'update_person' ? (action as ActionOf<'update_person'>).documents : undefined;
    if (documents) {
      // Scope first, then a document another open case holds refuses the correction, as it refuses
      // opening a second case.
      answerFromReadModel(await findScopedRow(auth, id), action.type, expectedVersion);
      await matching.rejectDuplicateDocuments(auth, documents, { exceptCaseId: id });
    }
    try {
      // The workflow checks the caller's scope itself (its validator): no read of the case before the step.
      const args = { action, actor: actorOf(auth), expectedVersion, scope: officeScope(auth) };
      return await updateCase(deps, id, actionUpdates[action.type], args, updateId);
    } catch (err) {
      // No workflow to answer (never opened, or closed and completed) or no answer at all: the read
      // model says what the case would have, as it did before the step was asked.
      if (!documents && (err instanceof WorkflowNotFoundError || (err instanceof ApiError && err.code === 'unavailable'))) {
        const row = await findScopedRow(auth, id).catch((readErr: unknown) => {
          throw readErr instanceof ApiError && readErr.code === 'not_found' ? readErr : err;
        });
        answerFromReadModel(row, action.type, expectedVersion);
      }
      // Another case took the document between the check and the step (the read model's unique index
      // refused it): say which, if the caller may see it.
      if (documents && toApiError(err).code === 'duplicate_person') {
        await matching.rejectDuplicateDocuments(auth, documents, { exceptCaseId: id });
        throw new ApiError('duplicate_person', 'another open case has just been given this identity document', { inScope: false });
      }
      throw err;
    }
  }

  /** A closed case's workflow has ended: the read model answers for it, as the case would. */
  function answerFromReadModel(row: typeof cases.$inferSelect, type: ActionType, expectedVersion?: number): void {
    if (row.status !== 'closed') return;
    assertVersion(row.version, expectedVersion);
    throw closedCaseRefusal(type);
  }

  /**
   * The case as its caller is answered with: its open tasks' claims, and the cases its person may
   * also be (services/person-matching.ts) as the caller may see them. The two reads are independent,
   * so they go side by side: each is a round trip on the caller's wait.
   */
  async function answerWith(auth: Auth, view: CaseView): Promise<CaseOut & { possibleDuplicates: PossibleDuplicate[] }> {
    const [out, possibleDuplicates] = await Promise.all([withClaims(db, view), matching.possibleDuplicates(auth, view.id, view.person)]);
    return { ...out, possibleDuplicates };
  }

  async function timeline(auth: Auth, id: string, limit: number, cursor?: string) {
    await findScopedRow(auth, id);
    const after = parseCursor(cursor, ['int4']);
    const rows = await db
      .select()
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, id), after ? gt(caseEvents.seq, Number(after[0])) : undefined))
      .orderBy(asc(caseEvents.seq))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => {
        const e = openEventRow(cipher, row);
        return { seq: e.seq, at: e.at.toISOString(), type: e.type, actor: { sub: e.actorSub, role: e.actorRole }, stage: e.stage, data: e.data };
      }),
      nextCursor: rows.length > limit ? encodeCursor([page[page.length - 1]!.seq]) : null,
    };
  }

  async function listCases(auth: Auth, q: ListCasesQuery) {
    const now = new Date();
    const byRank = q.sort.endsWith('priority');
    const after = parseCursor(q.cursor, [byRank ? 'int2' : 'timestamp', 'uuid']) as [string | number, string] | undefined;
    const list = caseListQuery(auth, q, hasher, now, { limit: q.limit + 1, after });
    if (list === null) return { items: [], nextCursor: null };
    // Straight to the pool, rows as arrays: the summary is built from them without drizzle's mapping.
    const { rows } = await db.$client.query<unknown[]>({ text: list.sql, rowMode: 'array' }, list.params);
    const page = rows.slice(0, q.limit).map(summaryRow);
    const last = page[page.length - 1];
    const lastValue = last ? (byRank ? last.priorityRank : (list.sort === 'createdAt' ? last.createdAt : last.stageEnteredAt).toISOString()) : null;
    return {
      items: page.map((r) => caseSummary(r, now, cipher)),
      nextCursor: rows.length > q.limit && last ? encodeCursor([lastValue, last.id]) : null,
    };
  }

  return { open, getCase, liveView, allowedActions, act, answerWith, timeline, listCases, findScopedRow, rejectDuplicates };
}
export type CaseService = ReturnType<typeof createCaseService>;
