// The maintained statistics (db/stats-counters.ts) on the real database, without Temporal: cases
// moved through their stages concurrently by the persist activity (with retries, overlapping
// attempts and late, older steps) leave every counter equal to the same figure counted directly
// over the cases table; the backfill migration counts cases that existed before it.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type PersistCaseInput, createCaseActivities } from '../../activities/cases.js';
import { type CaseView } from '../../domain/case.js';
import { openSnapshot } from '../../db/at-rest.js';
import { createDb } from '../../db/client.js';
import { dropDatabase, ensureDatabase } from '../../db/migrate.js';
import { type CaseFacts, caseFacts, dimensionsOf } from '../../db/stats-counters.js';
import { type Harness, startHarness } from '../support/harness.js';
import { steppedCase } from '../support/stepped-case.js';

let h: Harness;
let persistCase: ReturnType<typeof createCaseActivities>['persistCase'];

beforeAll(async () => {
  h = await startHarness({ worker: false });
  ({ persistCase } = createCaseActivities({ db: h.db, hasher: h.hasher, cipher: h.cipher }));
});
afterAll(async () => {
  await h?.stop();
});

const actor = { sub: 'cw-stats', role: 'caseworker' as const };

/** A case driven by the pure lifecycle, producing exactly what the workflow hands to persistCase. */
const newCase = (office: string, openedAt: string) => steppedCase({ actor, office, openedAt, stepMs: 3_600_000, tag: 'S' });

/** The steps of one case: how far it goes depends on `i`, so the office holds every kind. */
function stepsOf(office: string, i: number): PersistCaseInput[] {
  const c = newCase(office, new Date(Date.UTC(2026, i % 3, 3 + i)).toISOString());
  const steps = [c.opened()];
  if (i % 4 === 1) steps.push(c.doAction({ type: 'set_priority', priority: 'high', reason: 'minor suspected' }));
  if (i % 3 !== 0) steps.push(c.doAction({ type: 'confirm_location', location: { country: 'MM', site: 'KK Park' } }));
  if (i % 3 === 2) steps.push(c.doAction({ type: 'record_extraction', extractedAt: '2026-05-20T03:00:00Z', handedOverTo: 'Tak' }));
  if (i % 6 === 0) {
    const declined = c.doAction({ type: 'decline_assistance', reason: 'does not want help' });
    steps.push(declined, c.approve(declined.approvals[0]!.id));
  }  else if (i % 5 === 2) steps.push(c.doAction({ type: 'hold', reason: 'waiting for a call back' }));
  return steps;
}

const rows = async <T>(text: string, params: unknown[] = []) => (await h.db.$client.query(text, params)).rows as T[];

/** Counters of the office that are not zero, as `metric/key` → n. */
async function countersOf(office: string) {
  const found = await rows<{ metric: string; key: string; n: string }>('select metric, key, sum(n)::bigint as n from stats_counters where office = $1 group by 1, 2 having sum(n) <> 0', [office]);
  return Object.fromEntries(found.map((r) => [`${r.metric}/${r.key}`, Number(r.n)]));
}

/** The same figures counted directly over the cases table (and its snapshots, for arrival and closure). */
async function countedDirectly(office: string) {
  const out: Record<string, number> = {};
  const found = await rows<{ id: string; snapshot: unknown }>('select id, snapshot from cases where office = $1', [office]);
  for (const r of found) {
    for (const [, metric, key] of dimensionsOf(caseFacts(openSnapshot<CaseView>(h.cipher, r)))) out[`${metric}/${key}`] = (out[`${metric}/${key}`] ?? 0) + 1;
  }
  return out;
}

describe('stats counters', () => {
  it('when cases move through stages concurrently, with retried, overlapping and late persists, then every counter equals the count over the cases table', async () => {
    const office = `stats-${randomUUID().slice(0, 8)}`;
    const cases = Array.from({ length: 24 }, (_, i) => stepsOf(office, i));
    await Promise.all(
      cases.map(async (steps) => {
        for (const [n, step] of steps.entries()) {
          // A retry overlapping its first attempt, and a retry after it.
          await Promise.all([persistCase(step), persistCase(step)]);
          await persistCase(step);
          // An older step landing late changes nothing.
          if (n > 0) await persistCase(steps[n - 1]!);
        }
      }),
    );

    const counters = await countersOf(office);
    expect(counters).toEqual(await countedDirectly(office));
    // And the plain columns, by SQL alone: open cases by stage, priority and hold; closed by reason.
    const open = await rows<{ k: string; n: number }>(
      `select stage || '|' || priority || '|' || case when on_hold then '1' else '0' end as k, count(*)::int as n
         from cases where office = $1 and status = 'open' group by 1`,
      [office],
    );
    const closed = await rows<{ k: string; n: number }>(`select coalesce(closure_reason, '') as k, count(*)::int as n from cases where office = $1 and status = 'closed' group by 1`, [office]);
    const pick = (prefix: string) => Object.fromEntries(Object.entries(counters).filter(([k]) => k.startsWith(prefix)).map(([k, n]) => [k.slice(prefix.length), n]));
    expect(pick('open/')).toEqual(Object.fromEntries(open.map((r) => [r.k, r.n])));
    expect(pick('closed/')).toEqual(Object.fromEntries(closed.map((r) => [r.k, r.n])));
    // The workload reached several stages, both priorities, a hold and a closure: the test can tell.
    expect(Object.keys(pick('open/')).length).toBeGreaterThanOrEqual(4);
    expect(pick('closed/')).toEqual({ declined_assistance: 4 });
    expect(Object.values(pick('opened/')).reduce((a, b) => a + b, 0)).toBe(24);
  });

  it('when rebuild_stats_counters() recounts the office, then it finds the same figures the writes kept', async () => {
    const office = `stats-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 9; i++) for (const step of stepsOf(office, i)) await persistCase(step);
    const kept = await countersOf(office);
    await h.db.execute('select rebuild_stats_counters()');
    expect(await countersOf(office)).toEqual(kept);
  });
});

describe('the backfill migration', () => {
  const base = new URL(inject('databaseUrl'));
  const url = new URL(base);
  url.pathname = `${base.pathname}_stats_backfill`;
  const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'db', 'migrations');
  let older: string;

  afterAll(async () => {
    if (older) rmSync(older, { recursive: true, force: true });
    await dropDatabase(url.toString());
  });

  it('when cases exist before the counters do, then migrating counts them: facts from columns, plain snapshots and the timeline', async () => {
    // The migrations before the counters, then rows written as an older release wrote them.
    older = mkdtempSync(path.join(tmpdir(), 'homeward-migrations-'));
    cpSync(migrations, older, { recursive: true });
    const journal = JSON.parse(readFileSync(path.join(older, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
    const firstNew = journal.entries.findIndex((e) => e.tag.endsWith('_stats_counters'));
    expect(firstNew).toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, firstNew);
    writeFileSync(path.join(older, 'meta', '_journal.json'), JSON.stringify(journal));

    await dropDatabase(url.toString());
    await ensureDatabase(url.toString());
    const db = createDb(url.toString(), 2);
    try {
      await migrate(db, { migrationsFolder: older });
      const insertCase = (id: string, f: Omit<CaseFacts, 'caseId' | 'returnedAt' | 'closedAt'>, snapshot: unknown) =>
        db.$client.query(
          `insert into cases (id, reference, status, stage, on_hold, priority, priority_rank, version, office, consulate_id, nationality,
             screening, source_type, closure_reason, snapshot, created_at, updated_at, stage_entered_at)
           values ($1, $2, $3, $4, $5, $6, 2, 3, $7, 'c', 'PH', 'victim', 'hotline', $8, $9, $10, $11, $11)`,
          [id, `HW-B-${id.slice(0, 8)}`, f.status, f.stage, f.onHold, f.priority, f.office, f.closureReason, JSON.stringify(snapshot), f.createdAt, f.stageEnteredAt],
        );
      const office = 'backfill-office';
      const at = (s: string) => new Date(s);
      // Open, in locating; open, on hold, returned home (plain snapshot: arrival from it).
      const a = randomUUID();
      await insertCase(a, { office, status: 'open', stage: 'locating', priority: 'normal', onHold: false, closureReason: null, createdAt: at('2026-01-05T00:00:00Z'), stageEnteredAt: at('2026-01-05T00:00:00Z') }, {});
      const b = randomUUID();
      await insertCase(
        b,
        { office, status: 'open', stage: 'exit_restriction_check', priority: 'high', onHold: true, closureReason: null, createdAt: at('2026-01-10T00:00:00Z'), stageEnteredAt: at('2026-02-20T00:00:00Z') },
        { returnTrip: { arrivedAt: '2026-02-19T12:00:00.000Z' } },
      );
      // Closed, with a sealed snapshot (a string): arrival and closure from the timeline.
      const c = randomUUID();
      await insertCase(
        c,
        { office, status: 'closed', stage: 'closed', priority: 'low', onHold: false, closureReason: 'reintegrated', createdAt: at('2026-01-01T00:00:00Z'), stageEnteredAt: at('2026-04-02T00:00:00Z') },
        'hwenc:v1:k1:sealed',
      );
      await db.$client.query(
        `insert into case_events (case_id, seq, at, type, actor_sub, actor_role, stage, data) values
           ($1, 1, '2026-01-01T00:00:00Z', 'case_opened', 's', 'caseworker', 'locating', '{}'),
           ($1, 2, '2026-03-03T00:00:00Z', 'stage_changed', 's', 'caseworker', 'exit_restriction_check', '{}'),
           ($1, 3, '2026-04-02T00:00:00Z', 'closure_approved', 's', 'supervisor', 'closed', '{}')`,
        [c],
      );

      await migrate(db, { migrationsFolder: migrations });
      const found = await db.$client.query<{ metric: string; key: string; n: string }>('select metric, key, sum(n)::bigint as n from stats_counters where office = $1 group by 1, 2', [office]);
      expect(Object.fromEntries(found.rows.map((r) => [`${r.metric}/${r.key}`, Number(r.n)]))).toEqual({
        'opened/2026-01': 3,
        'open/locating|normal|0': 1,
        'open/exit_restriction_check|high|1': 1,
        'entered/locating|2026-01': 1,
        'entered/exit_restriction_check|2026-02': 1,
        'returned/2026-02': 1,
        'return_days/40': 1,
        'closed/reintegrated': 1,
        'closed_month/2026-04': 1,
        'returned/2026-03': 1,
        'return_days/61': 1,
      });
      const facts = await db.$client.query('select count(*)::int as n from stats_case_facts');
      expect(facts.rows[0].n).toBe(3);
    } finally {
      await db.$client.end();
    }
  });
});
