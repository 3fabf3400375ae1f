// Mass rescue operations: register a raid (validated whole at the edge; nothing is opened if any
// person is invalid), then an operation workflow opens the cases in batches. Progress is read from
// the persons' outcomes, so it is exact whatever retries happened underneath. The persons are sealed
// at rest (db/at-rest.ts) as they are stored.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import { operationWorkflowId } from '../../domain/ids.js';
import type { OperationCreate } from '../../domain/schemas.js';
import { agencies, operationPersons, operations } from '../../db/schema/index.js';
import type { operationWorkflow } from '../../workflows/operation.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { type Auth, inOfficeScope, officeScope } from '../middleware/auth.js';
import { actorOf } from './cases.js';
import { withTemporalDeadline } from './case-update.js';
import { keyedUuid } from '../idempotency.js';
import { aad, fieldCipher } from '../../db/at-rest.js';

const INSERT_CHUNK = 1_000;
const UNIQUE_VIOLATION = '23505';

function pgCodeOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

export function createOperationService(deps: ApiDeps) {
  const { db, temporal, config, hasher } = deps;
  const cipher = fieldCipher(config);

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
      return row ? { id, status: row.status, total: row.total } : undefined;
    };
    const register = async () => {
      await db.transaction(async (tx) => {
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

  async function get(auth: Auth, id: string) {
    const scope = officeScope(auth);
    const [op] = await db.select().from(operations).where(eq(operations.id, id)).limit(1);
    if (!op || (scope !== null && op.office !== scope)) throw notFound('operation');
    const counts = await db
      .select({ outcome: operationPersons.outcome, n: sql<number>`count(*)::int` })
      .from(operationPersons)
      .where(and(eq(operationPersons.operationId, id)))
      .groupBy(operationPersons.outcome);
    const count = (o: string) => counts.find((c) => c.outcome === o)?.n ?? 0;
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
      opened: count('opened'),
      linkedExisting: count('linked'),
      merged: count('merged'),
      failed: count('failed'),
      pending: counts.find((c) => c.outcome === null)?.n ?? 0,
      createdAt: op.createdAt.toISOString(),
      completedAt: op.completedAt?.toISOString() ?? null,
    };
  }

  return { create, get };
}
