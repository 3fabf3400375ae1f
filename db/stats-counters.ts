// Maintained statistics: every write of a case row adds the change in the case's counted facts to
// stats_counters in the same transaction, so GET /v1/stats reads a few rows instead of counting a
// million cases, and the counts are exact whatever runs concurrently.
//
// The previous state is the case's own stats_case_facts row, locked here: the difference between it
// and the new facts is what is added. A retried write (the same facts again) adds nothing, a late,
// older write is never passed here (the caller only counts a write that replaced the row), and two
// writes of one case queue on the row lock. Counter rows are upserted with `n = n + delta` in one
// sorted order, so concurrent writers of the same office never deadlock on them.
//
// Dimensions and keys: db/schema/stats-counters.ts. The same rules, in SQL, make
// rebuild_stats_counters() (migration 0015), which recounts everything from the cases table after a
// bulk load; a test holds the two to the same figures.
import { getTableColumns, inArray, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { statsCaseFacts, statsCounters } from './schema/index.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Tx | Db;

export interface CaseFacts {
  caseId: string;
  office: string;
  status: string;
  stage: string;
  priority: string;
  onHold: boolean;
  closureReason: string | null;
  createdAt: Date;
  stageEnteredAt: Date;
  returnedAt: Date | null;
  closedAt: Date | null;
}

/** The part of a case view the statistics count (structurally typed, so any view version fits). */
export interface CountedView {
  id: string;
  office: string;
  status: string;
  stage: string;
  priority: string;
  onHold: boolean;
  createdAt: string;
  stageEnteredAt: string;
  returnTrip?: { arrivedAt?: string } | null;
  closure?: { reason: string; closedAt: string } | null;
}

export function caseFacts(view: CountedView): CaseFacts {
  return {
    caseId: view.id,
    office: view.office,
    status: view.status,
    stage: view.stage,
    priority: view.priority,
    onHold: view.onHold,
    closureReason: view.closure?.reason ?? null,
    createdAt: new Date(view.createdAt),
    stageEnteredAt: new Date(view.stageEnteredAt),
    returnedAt: view.returnTrip?.arrivedAt ? new Date(view.returnTrip.arrivedAt) : null,
    closedAt: view.status === 'closed' && view.closure ? new Date(view.closure.closedAt) : null,
  };
}

const DAY_MS = 86_400_000;
export const monthOf = (d: Date) => d.toISOString().slice(0, 7);

/** The counter rows one case adds 1 to (office, metric, key); mirrored by rebuild_stats_counters(). */
export function dimensionsOf(f: CaseFacts): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [[f.office, 'opened', monthOf(f.createdAt)]];
  if (f.status === 'open') {
    out.push([f.office, 'open', `${f.stage}|${f.priority}|${f.onHold ? 1 : 0}`]);
    out.push([f.office, 'entered', `${f.stage}|${monthOf(f.stageEnteredAt)}`]);
  } else {
    out.push([f.office, 'closed', f.closureReason ?? '']);
    if (f.closedAt) out.push([f.office, 'closed_month', monthOf(f.closedAt)]);
  }
  if (f.returnedAt) {
    out.push([f.office, 'returned', monthOf(f.returnedAt)]);
    out.push([f.office, 'return_days', String(Math.max(0, Math.floor((f.returnedAt.getTime() - f.createdAt.getTime()) / DAY_MS)))]);
  }
  return out;
}

const sameFacts = (a: CaseFacts, b: CaseFacts) =>
  a.office === b.office &&
  a.status === b.status &&
  a.stage === b.stage &&
  a.priority === b.priority &&
  a.onHold === b.onHold &&
  a.closureReason === b.closureReason &&
  a.createdAt.getTime() === b.createdAt.getTime() &&
  a.stageEnteredAt.getTime() === b.stageEnteredAt.getTime() &&
  (a.returnedAt?.getTime() ?? null) === (b.returnedAt?.getTime() ?? null) &&
  (a.closedAt?.getTime() ?? null) === (b.closedAt?.getTime() ?? null);

/** Counter rows per count: concurrent writers of one office mostly land on different rows. */
export const COUNTER_SHARDS = 16;

/** The shard a write adds to, from the first case it counts (any choice keeps the sums exact). */
function shardOf(caseId: string): number {
  return Number.parseInt(caseId.replace(/-/g, '').slice(-4), 16) % COUNTER_SHARDS;
}

/** The counter rows to add to, in the one order every writer uses, so two that meet on a shard never deadlock. */
function deltaRows(deltas: Map<string, number>, shard: number) {
  return [...deltas]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => {
      const [office, metric, key] = k.split('\u0000') as [string, string, string];
      return { office, metric, key, shard, n };
    });
}

async function applyDeltas(tx: Executor, deltas: Map<string, number>, shard: number): Promise<void> {
  const rows = deltaRows(deltas, shard);
  if (rows.length === 0) return;
  await tx
    .insert(statsCounters)
    .values(rows)
    .onConflictDoUpdate({ target: [statsCounters.office, statsCounters.metric, statsCounters.key, statsCounters.shard], set: { n: sql`${statsCounters.n} + excluded.n` } });
}

function add(deltas: Map<string, number>, f: CaseFacts, by: 1 | -1) {
  for (const [office, metric, key] of dimensionsOf(f)) {
    const k = `${office}\u0000${metric}\u0000${key}`;
    deltas.set(k, (deltas.get(k) ?? 0) + by);
  }
}

/**
 * Counts the cases as they now are: call it in the transaction that wrote their rows, and only for
 * rows that write actually replaced (it records what it counted, so passing a case's facts again
 * adds nothing).
 */
export async function updateStatsCounters(tx: Tx, next: CaseFacts[]): Promise<void> {
  if (next.length === 0) return;
  const byId = new Map(next.map((f) => [f.caseId, f]));
  const ids = [...byId.keys()].sort();
  // New cases first: a concurrent first write of the same case makes this wait, then skip it.
  const inserted = await tx
    .insert(statsCaseFacts)
    .values(ids.map((id) => byId.get(id)!))
    .onConflictDoNothing()
    .returning({ caseId: statsCaseFacts.caseId });
  const deltas = new Map<string, number>();
  const fresh = new Set(inserted.map((r) => r.caseId));
  for (const id of fresh) add(deltas, byId.get(id)!, 1);
  const known = ids.filter((id) => !fresh.has(id));
  if (known.length > 0) {
    const before = await tx.select().from(statsCaseFacts).where(inArray(statsCaseFacts.caseId, known)).orderBy(statsCaseFacts.caseId).for('update');
    const changed: CaseFacts[] = [];
    for (const old of before) {
      const now = byId.get(old.caseId)!;
      if (sameFacts(old, now)) continue;
      add(deltas, old, -1);
      add(deltas, now, 1);
      changed.push(now);
    }
    if (changed.length > 0) {
      await tx
        .insert(statsCaseFacts)
        .values(changed)
        .onConflictDoUpdate({
          target: statsCaseFacts.caseId,
          set: Object.fromEntries(
            (['office', 'status', 'stage', 'priority', 'onHold', 'closureReason', 'createdAt', 'stageEnteredAt', 'returnedAt', 'closedAt'] as const).map((k) => [
              k,
              sql.raw(`excluded."${statsCaseFacts[k].name}"`),
            ]),
          ),
        });
    }
  }
  await applyDeltas(tx, deltas, shardOf(ids[0]!));
}

const FACTS_COLUMNS = Object.entries(getTableColumns(statsCaseFacts)) as Array<[keyof CaseFacts, (typeof statsCaseFacts)[keyof CaseFacts]]>;

/**
 * The columns of a case's facts row under CaseFacts' names, for a caller that reads the row itself
 * (with `for update`) in a statement of its own: the persist step reads it in the same round trip
 * that writes the case row (activities/cases.ts).
 */
export const FACTS_SELECTION = sql.raw(FACTS_COLUMNS.map(([field, column]) => `"${column.name}" as "${field}"`).join(', '));

/** A facts row as FACTS_SELECTION reads it through a raw statement (timestamps as text), or all nulls for none. */
export type CountedRow = { [K in keyof CaseFacts]: (CaseFacts[K] extends Date | null ? string | Date : CaseFacts[K]) | null };

export function factsOfRow(row: CountedRow): CaseFacts | undefined {
  if (row.caseId === null) return undefined;
  const at = (v: string | Date | null) => (v === null ? null : new Date(v));
  return { ...(row as unknown as CaseFacts), createdAt: at(row.createdAt)!, stageEnteredAt: at(row.stageEnteredAt)!, returnedAt: at(row.returnedAt), closedAt: at(row.closedAt) };
}

/**
 * Counts one case as it now is, given its facts row as the caller read it under a row lock in this
 * transaction (undefined: there was none). The same arithmetic as updateStatsCounters, in one
 * statement instead of three: the persist step runs it on every step that changes counted facts.
 */
export async function updateLockedStatsCounters(tx: Tx, next: CaseFacts, before: CaseFacts | undefined): Promise<void> {
  if (!before) return updateStatsCounters(tx, [next]);
  if (sameFacts(before, next)) return;
  const deltas = new Map<string, number>();
  add(deltas, before, -1);
  add(deltas, next, 1);
  const rows = deltaRows(deltas, shardOf(next.caseId));
  // Every column of the table, each through its own driver mapping, as the facts row is written elsewhere.
  const assignments = FACTS_COLUMNS.filter(([field]) => field !== 'caseId').map(([field, column]) => sql`${sql.identifier(column.name)} = ${sql.param(next[field], column)}`);
  const facts = sql`update ${statsCaseFacts} set ${sql.join(assignments, sql`, `)} where case_id = ${next.caseId}`;
  if (rows.length === 0) {
    await tx.execute(facts);
    return;
  }
  const c = statsCounters;
  // Arrays as single parameters (drizzle would spread a bare array into a list).
  const column = (of: (r: (typeof rows)[number]) => unknown) => sql.param(rows.map(of));
  await tx.execute(sql`with facts as (${facts})
    insert into ${c} (office, metric, key, shard, n)
    select r.office, r.metric, r.key, r.shard, r.n
    from unnest(${column((r) => r.office)}::text[], ${column((r) => r.metric)}::text[], ${column((r) => r.key)}::text[], ${column((r) => r.shard)}::smallint[], ${column((r) => r.n)}::bigint[])
      with ordinality as r(office, metric, key, shard, n, i)
    order by r.i
    on conflict (office, metric, key, shard) do update set n = ${c.n} + excluded.n`);
}

/** Takes cases out of the statistics: call it in the transaction that deletes their rows. */
export async function uncountCases(tx: Tx, caseIds: string[]): Promise<void> {
  if (caseIds.length === 0) return;
  const gone = await tx.delete(statsCaseFacts).where(inArray(statsCaseFacts.caseId, caseIds)).returning();
  const deltas = new Map<string, number>();
  for (const f of gone) add(deltas, f, -1);
  await applyDeltas(tx, deltas, shardOf(caseIds[0]!));
}

/** Recounts everything from the cases table (after a bulk load that bypassed the activities). */
export async function rebuildStatsCounters(db: Executor): Promise<void> {
  await db.execute(sql`select rebuild_stats_counters()`);
}
