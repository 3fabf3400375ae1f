// Bulk actions on a raid: one case action applied to many cases of an operation (a flight's manifest,
// the extraction of everyone handed over) by one durable workflow (workflows/bulk-action.ts). This
// service checks the request against the operation and the caller's scope, records which cases it
// covers, starts the workflow, and reads back its progress. Per-case outcomes are rows of ids and
// error codes only (db/schema/bulk-action-results.ts); the action's fields travel in the workflow's
// encrypted input.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, asc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import { bulkActionWorkflowId } from '../../domain/ids.js';
import type { Action } from '../../domain/schemas.js';
import { bulkActionResults, bulkActions, cases, operationPersons } from '../../db/schema/index.js';
import type { bulkActionWorkflow } from '../../workflows/bulk-action.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { keyedUuid } from '../idempotency.js';
import { type Auth, officeScope } from '../middleware/auth.js';
import { type BulkActionBody, encodeCursor } from '../schemas.js';
import { parseCursor } from '../validate.js';
import { actorOf } from './cases.js';
import { withTemporalDeadline } from './case-update.js';

const INSERT_CHUNK = 2_000;
const UNIQUE_VIOLATION = '23505';
/** Unknown case ids named in a 400: enough to find the mistake, not a 10,000-line answer. */
const MAX_ISSUES = 100;

function pgCodeOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

export function createBulkActionService(deps: ApiDeps, operations: { findScoped(auth: Auth, id: string): Promise<{ id: string; office: string }> }) {
  const { db, temporal, config } = deps;

  /**
   * The cases of an operation the caller may act on: those it opened or linked (a person whose case
   * existed already), whose case is in the caller's scope. `open` narrows to open cases.
   */
  function operationCases(auth: Auth, operationId: string, opts: { open: boolean; among?: string[] }) {
    const scope = officeScope(auth);
    return db
      .selectDistinct({ caseId: cases.id })
      .from(operationPersons)
      .innerJoin(cases, eq(cases.id, operationPersons.caseId))
      .where(
        and(
          eq(operationPersons.operationId, operationId),
          isNotNull(operationPersons.caseId),
          scope !== null ? eq(cases.office, scope) : undefined,
          opts.open ? eq(cases.status, 'open') : undefined,
          opts.among ? sql`${cases.id} = any(${`{${opts.among.join(',')}}`}::uuid[])` : undefined,
        ),
      );
  }

  /**
   * The cases a request names, each checked to be a case of this operation in the caller's scope
   * (a 400 naming every other one: acting on some and silently skipping the rest would book a flight
   * short). Without `caseIds`: every open case of the operation, as of now.
   */
  async function targetsOf(auth: Auth, operationId: string, caseIds: string[] | undefined): Promise<string[]> {
    if (!caseIds) return (await operationCases(auth, operationId, { open: true })).map((r) => r.caseId);
    const issues: Array<{ path: string; message: string }> = [];
    const seen = new Map<string, number>();
    caseIds.forEach((id, i) => {
      const first = seen.get(id.toLowerCase());
      if (first !== undefined) issues.push({ path: `caseIds[${i}]`, message: `listed twice (first at caseIds[${first}])` });
      else seen.set(id.toLowerCase(), i);
    });
    const ids = [...seen.keys()];
    const known = new Set((await operationCases(auth, operationId, { open: false, among: ids })).map((r) => r.caseId));
    for (const [id, i] of seen) if (!known.has(id)) issues.push({ path: `caseIds[${i}]`, message: 'not a case of this operation' });
    if (issues.length > 0) {
      issues.sort((a, b) => Number(/\d+/.exec(a.path)![0]) - Number(/\d+/.exec(b.path)![0]));
      const shown = issues.slice(0, MAX_ISSUES);
      throw new ApiError('validation_failed', issues.length > MAX_ISSUES ? `the request is invalid (the first ${MAX_ISSUES} of ${issues.length} problems are listed)` : 'the request is invalid', shown);
    }
    return ids;
  }

  /**
   * Starts a bulk action. With an Idempotency-Key its id comes from the key, and so does its
   * workflow's id: a retry after a lost answer finds the same bulk action, and cannot start a second
   * workflow (the server refuses a second start under one id).
   */
  async function start(auth: Auth, operationId: string, body: BulkActionBody, idempotencyKey?: string) {
    const op = await operations.findScoped(auth, operationId);
    const id = idempotencyKey ? keyedUuid('bulk-action', auth.sub, idempotencyKey) : randomUUID();
    const earlier = async () => {
      const [row] = idempotencyKey ? await db.select().from(bulkActions).where(eq(bulkActions.id, id)).limit(1) : [];
      return row && row.operationId === op.id ? { id, operationId: op.id, status: row.status, total: row.total } : undefined;
    };
    const found = await earlier();
    if (found) return found;

    const { caseIds, ...action } = body;
    const targets = await targetsOf(auth, op.id, caseIds);
    const actor = actorOf(auth);
    const register = () =>
      db.transaction(async (tx) => {
        await tx.insert(bulkActions).values({ id, operationId: op.id, type: action.type, status: 'running', total: targets.length, requestedBy: actor });
        for (let i = 0; i < targets.length; i += INSERT_CHUNK) {
          await tx.insert(bulkActionResults).values(targets.slice(i, i + INSERT_CHUNK).map((caseId) => ({ bulkId: id, caseId })));
        }
        // Inside the transaction: a refused start leaves no bulk action behind. A start that already
        // happened (an earlier attempt with this key whose commit was lost) waits for these rows.
        try {
          await withTemporalDeadline(deps, () =>
            temporal.workflow.start<typeof bulkActionWorkflow>('bulkActionWorkflow', {
              workflowId: bulkActionWorkflowId(id),
              taskQueue: config.temporal.taskQueue,
              args: [{ bulkId: id, action: action as Action, actor }],
            }),
          );
        } catch (err) {
          if (!(idempotencyKey && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      });
    try {
      await register();
    } catch (err) {
      // A concurrent attempt with the same key got there first.
      const won = pgCodeOf(err) === UNIQUE_VIOLATION ? await earlier() : undefined;
      if (won) return won;
      throw err;
    }
    return { id, operationId: op.id, status: 'running' as const, total: targets.length };
  }

  /** A stored answer (an Idempotency-Key replay) is shown only while its operation is in the caller's scope. */
  async function asSeenNow(auth: Auth, stored: { operationId: string }) {
    await operations.findScoped(auth, stored.operationId);
    return stored;
  }

  /**
   * Progress of a bulk action. `failed` lists the cases that refused it, with the error code and a
   * message, `limit` at a time in case id order (`nextCursor` for the next page); `failedCount`
   * counts them all. succeeded + failedCount + pending = total.
   */
  async function get(auth: Auth, operationId: string, bulkId: string, q: { limit: number; cursor?: string }) {
    const op = await operations.findScoped(auth, operationId);
    const [bulk] = await db
      .select()
      .from(bulkActions)
      .where(and(eq(bulkActions.id, bulkId), eq(bulkActions.operationId, op.id)))
      .limit(1);
    if (!bulk) throw notFound('bulk action');
    const after = parseCursor(q.cursor, ['uuid']);
    const counts = await db
      .select({ outcome: bulkActionResults.outcome, n: sql<number>`count(*)::int` })
      .from(bulkActionResults)
      .where(eq(bulkActionResults.bulkId, bulkId))
      .groupBy(bulkActionResults.outcome);
    const count = (o: string | null) => counts.find((c) => c.outcome === o)?.n ?? 0;
    const failed = await db
      .select({ caseId: bulkActionResults.caseId, code: bulkActionResults.errorCode, message: bulkActionResults.errorMessage })
      .from(bulkActionResults)
      .where(
        and(
          eq(bulkActionResults.bulkId, bulkId),
          eq(bulkActionResults.outcome, 'failed'),
          after ? gt(bulkActionResults.caseId, String(after[0])) : undefined,
        ),
      )
      .orderBy(asc(bulkActionResults.caseId))
      .limit(q.limit + 1);
    const page = failed.slice(0, q.limit);
    return {
      id: bulk.id,
      operationId: bulk.operationId,
      type: bulk.type,
      status: bulk.status,
      total: bulk.total,
      succeeded: count('succeeded'),
      failedCount: count('failed'),
      pending: count(null),
      failed: page.map((f) => ({ caseId: f.caseId, error: { code: f.code ?? 'internal', message: f.message ?? '' } })),
      nextCursor: failed.length > q.limit ? encodeCursor([page[page.length - 1]!.caseId]) : null,
      requestedBy: bulk.requestedBy,
      createdAt: bulk.createdAt.toISOString(),
      completedAt: bulk.completedAt?.toISOString() ?? null,
    };
  }

  return { start, get, asSeenNow };
}
