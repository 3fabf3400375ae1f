// Mass rescue operations: register a raid (validated whole at the edge; nothing is opened if any
// person is invalid), then an operation workflow opens the cases in batches. Progress is read from
// the persons' outcomes, so it is exact whatever retries happened underneath. The persons are sealed
// at rest (db/at-rest.ts) as they are stored.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { operationWorkflowId } from '../../domain/ids.js';
import type { OperationCreate } from '../../domain/schemas.js';
import { agencies, cases, operationPersons, operations } from '../../db/schema/index.js';
import type { operationWorkflow } from '../../workflows/operation.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { type Auth, inOfficeScope, officeScope } from '../middleware/auth.js';
import { actorOf } from './cases.js';
import { withTemporalDeadline } from './case-update.js';
import { keyedUuid } from '../idempotency.js';
import { aad, fieldCipher } from '../../db/at-rest.js';
import { type ListOperationsQuery, encodeCursor } from '../schemas.js';
import { parseCursor } from '../validate.js';
import { createPersonMatching } from './person-matching.js';

const INSERT_CHUNK = 1_000;
const UNIQUE_VIOLATION = '23505';
// First key of the advisory lock that serialises operation starts per office (second: the office).
const RUNNING_LIMIT_LOCK = 48_001;

function pgCodeOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

export function createOperationService(deps: ApiDeps) {
  const { db, temporal, config, hasher } = deps;
  const cipher = fieldCipher(config);
  const matching = createPersonMatching(deps);

  /**
   * An office runs at most HOMEWARD_MAX_RUNNING_OPERATIONS_PER_OFFICE raids at once (issue #8): each
   * can start 10,000 workflows, and one account must not be able to flood the cluster. Checked under
   * a per-office lock, so two requests at once cannot both take the last place. The answer is a 429:
   * nothing is wrong with the request, and the same request succeeds once a running raid completes.
   */
  async function refuseBeyondRunningLimit(tx: Parameters<Parameters<typeof db.transaction>[0]>[0], office: string) {
    const limit = config.hardening.maxRunningOperationsPerOffice;
    await tx.execute(sql`select pg_advisory_xact_lock(${RUNNING_LIMIT_LOCK}, hashtext(${office}))`);
    const running = await tx
      .select({ id: operations.id })
      .from(operations)
      .where(and(eq(operations.office, office), eq(operations.status, 'running')))
      .limit(limit);
    if (running.length < limit) return;
    throw new ApiError(
      'rate_limited',
      `office ${office} already has ${running.length} operations running, the most it may run at once; retry when one has completed`,
      { reason: 'running_operations_limit', office, limit, running: running.map((r) => r.id) },
      60,
    );
  }

  /** With an Idempotency-Key, the operation's id comes from it: a retry after a lost answer finds the same operation. */
  async function create(auth: Auth, body: OperationCreate, idempotencyKey?: string) {
    const scope = officeScope(auth);
    const office = body.office ?? scope ?? undefined;
    if (!office) throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'office', message: 'required when your token covers every office' }]);
    if (!inOfficeScope(auth, office)) throw new ApiError('forbidden', `you cannot register operations for office ${office}`);
    const [consulate] = await db.select().from(agencies).where(eq(agencies.id, body.consulateId)).limit(1);
    if (!consulate || consulate.kind !== 'consulate') {
      throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'consulateId', message: 'no consulate with this id' }]);
    }

    // Two persons with the same document in one request are one person: the later ones merge.
    const firstByHash = new Map<string, number>();
    const rows = body.persons.map((p, idx) => {
      let duplicateOf: number | null = null;
      for (const doc of p.person.documents) {
        const h = hasher.documentHash(doc);
        const first = firstByHash.get(h);
        if (first !== undefined && duplicateOf === null) duplicateOf = first;
      }
      if (duplicateOf === null) for (const doc of p.person.documents) firstByHash.set(hasher.documentHash(doc), idx);
      return { idx, person: p.person, riskFlags: p.riskFlags, location: p.location ?? null, duplicateOf };
    });

    const id = idempotencyKey ? keyedUuid('operation', auth.sub, idempotencyKey) : randomUUID();
    const earlier = async () => {
      const [row] = idempotencyKey ? await db.select().from(operations).where(eq(operations.id, id)).limit(1) : [];
      if (row) assertMayReplay(auth, row.office);
      return row ? { id, status: row.status, total: row.total } : undefined;
    };
    const register = async () => {
      await db.transaction(async (tx) => {
        await refuseBeyondRunningLimit(tx, office);
        await tx.insert(operations).values({
          id,
          name: body.name,
          country: body.country,
          site: body.site ?? null,
          date: body.date,
          consulateId: body.consulateId,
          office,
          status: 'running',
          total: body.persons.length,
          createdBy: actorOf(auth),
        });
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          await tx.insert(operationPersons).values(
            rows.slice(i, i + INSERT_CHUNK).map((r) => ({
              operationId: id,
              idx: r.idx,
              duplicateOf: r.duplicateOf,
              person: cipher.seal(r.person, aad.operationPerson(id, r.idx, 'person'))!,
              riskFlags: cipher.seal(r.riskFlags, aad.operationPerson(id, r.idx, 'risk_flags'))!,
              location: cipher.seal(r.location, aad.operationPerson(id, r.idx, 'location')),
            })),
          );
        }
        // Inside the transaction: a refused start leaves no operation behind. A start that already
        // happened (an earlier attempt with this key whose commit was lost) is waiting for exactly
        // these rows: commit them.
        try {
          await withTemporalDeadline(deps, () =>
            temporal.workflow.start<typeof operationWorkflow>('operationWorkflow', {
              workflowId: operationWorkflowId(id),
              taskQueue: config.temporal.taskQueue,
              args: [{ operationId: id }],
            }),
          );
        } catch (err) {
          if (!(idempotencyKey && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      });
    };
    const found = await earlier();
    if (found) return found;
    try {
      await register();
    } catch (err) {
      // A concurrent attempt with the same key got there first.
      const won = pgCodeOf(err) === UNIQUE_VIOLATION ? await earlier() : undefined;
      if (won) return won;
      throw err;
    }
    return { id, status: 'running' as const, total: body.persons.length };
  }

  /**
   * An operation a key registered is answered again only to a caller who may see it now: the same
   * subject with a token of another office gets what registering one there would get (docs/api.md "Scope
   * never leaks"), not the operation's id.
   */
  function assertMayReplay(auth: Auth, office: string) {
    if (!inOfficeScope(auth, office)) throw new ApiError('forbidden', `you cannot register operations for office ${office}`);
  }

  /** A stored answer (an Idempotency-Key replay of a registration) as this caller may see it now. */
  async function asSeenNow(auth: Auth, stored: { id: string }) {
    const [row] = await db.select({ office: operations.office }).from(operations).where(eq(operations.id, stored.id)).limit(1);
    if (row) assertMayReplay(auth, row.office);
    return stored;
  }

  /** The operation, if it is in the caller's scope; outside it looks exactly like absent. */
  async function findScoped(auth: Auth, id: string) {
    const scope = officeScope(auth);
    const [op] = await db.select().from(operations).where(eq(operations.id, id)).limit(1);
    if (!op || (scope !== null && op.office !== scope)) throw notFound('operation');
    return op;
  }

  /**
   * The operations of the caller's office (every office for a token with "*"), newest first, keyset
   * paged like GET /v1/cases. A summary each; the counts of who was opened, linked or failed are on
   * GET /v1/operations/:id (they are counted over up to 10,000 persons per operation).
   */
  async function list(auth: Auth, q: ListOperationsQuery) {
    const scope = officeScope(auth);
    if (scope !== null && q.office !== undefined && q.office !== scope) return { items: [], nextCursor: null };
    const after = parseCursor(q.cursor, ['timestamp', 'uuid']);
    const rows = await db
      .select()
      .from(operations)
      .where(
        and(
          scope !== null ? eq(operations.office, scope) : q.office !== undefined ? eq(operations.office, q.office) : undefined,
          q.status ? eq(operations.status, q.status) : undefined,
          after ? sql`(${operations.createdAt}, ${operations.id}) < (${new Date(String(after[0]))}, ${String(after[1])})` : undefined,
        ),
      )
      .orderBy(desc(operations.createdAt), desc(operations.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(operationSummary),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  async function get(auth: Auth, id: string) {
    const op = await findScoped(auth, id);
    const counts = await db
      .select({ outcome: operationPersons.outcome, n: sql<number>`count(*)::int` })
      .from(operationPersons)
      .where(and(eq(operationPersons.operationId, id)))
      .groupBy(operationPersons.outcome);
    const count = (o: string) => counts.find((c) => c.outcome === o)?.n ?? 0;
    // Persons who turned out to have a case already (linked to it, or merged into a person who was):
    // the case's id only when it is in the caller's scope, otherwise the office to contact
    // (docs/api.md "Scope never leaks"). Cases this operation opened itself are not listed.
    const found = await db
      .select({ idx: operationPersons.idx, outcome: operationPersons.outcome, caseId: operationPersons.caseId, office: cases.office })
      .from(operationPersons)
      .innerJoin(cases, eq(cases.id, operationPersons.caseId))
      .where(
        and(
          eq(operationPersons.operationId, id),
          inArray(operationPersons.outcome, ['linked', 'merged']),
          sql`${cases.operationId} is distinct from ${id}`,
        ),
      )
      .orderBy(asc(operationPersons.idx));
    return {
      ...operationSummary(op),
      // opened + linkedExisting + failed + pending = total (docs/api.md). A person listed twice in the
      // request is linked to the case opened for the first listing, so `merged` (kept for clients
      // that read it) is a part of linkedExisting, not a count of its own.
      opened: count('opened'),
      linkedExisting: count('linked') + count('merged'),
      failed: count('failed'),
      pending: counts.find((c) => c.outcome === null)?.n ?? 0,
      merged: count('merged'),
      existingCases: found.map((f) =>
        inOfficeScope(auth, f.office)
          ? { index: f.idx, outcome: f.outcome, inScope: true, caseId: f.caseId }
          : { index: f.idx, outcome: f.outcome, inScope: false, contactOffice: f.office },
      ),
      // Persons the raid opened a case for who may be someone with another case (same name, date of
      // birth, nationality): shown, never merged; other offices' cases only by the office to contact.
      possibleDuplicates: await matching.operationPossibleDuplicates(auth, id),
    };
  }

  return { create, get, list, findScoped, asSeenNow };
}

/** What the list and the single operation both answer about an operation. */
function operationSummary(op: typeof operations.$inferSelect) {
  return {
    id: op.id,
    name: op.name,
    country: op.country,
    site: op.site,
    date: op.date,
    consulateId: op.consulateId,
    office: op.office,
    status: op.status,
    total: op.total,
    createdAt: op.createdAt.toISOString(),
    completedAt: op.completedAt?.toISOString() ?? null,
  };
}
