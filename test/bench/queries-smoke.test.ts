// Keeps the `queries` benchmark from rotting: its main function runs end to end on 2,000 generated
// cases in a database of its own (generation, migration, the app over HTTP, the bare SQL replay,
// EXPLAIN), its JSON result has the documented structure with finite numbers, and each figure
// reported is the median of the rounds'.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { type QueriesBenchResult, runQueriesBench } from '../../bench/queries.js';

const base = new URL(inject('databaseUrl'));
const databaseUrl = new URL(base);
databaseUrl.pathname = `${base.pathname}_bench_smoke`;
const out = path.join(tmpdir(), `homeward-queries-smoke-${process.pid}.json`);

async function dropDatabase() {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`drop database if exists "${databaseUrl.pathname.slice(1)}" with (force)`);
  await client.end();
}

afterAll(async () => {
  rmSync(out, { force: true });
  await dropDatabase();
});

const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n);

describe('the queries benchmark', () => {
  it('when it runs on 2,000 cases, then it reports every query with p50/p99 of the API and the bare SQL, ratios and plans', async () => {
    await dropDatabase();
    const lines: string[] = [];
    const result = await runQueriesBench({ cases: 2_000, iterations: 5, warmup: 1, rounds: 2, databaseUrl: databaseUrl.toString(), out, log: (l) => lines.push(l) });
    const written = JSON.parse(readFileSync(out, 'utf8')) as QueriesBenchResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));

    expect(written.benchmark).toBe('queries');
    expect(Number.isNaN(Date.parse(written.date))).toBe(false);
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(finite(written.machine.memoryGb)).toBe(true);
    expect(written.machine.node).toBe(process.version);
    expect(written.machine.postgres).toMatch(/^\d+/);
    expect(written.database.cases).toBe(2_000);
    expect(written.database.identityDocuments).toBeGreaterThanOrEqual(2_000);
    expect(written.database.tasks).toBeGreaterThan(0);
    expect(finite(written.database.generation?.ms)).toBe(true);
    expect(written.settings).toMatchObject({ iterations: 5, warmup: 1, rounds: 2, client: 'http', concurrency: 1 });
    // Each round's figures are kept; those reported are their medians (of two: the mean of the pair).
    expect(written.rounds).toHaveLength(2);
    for (const [i, c] of written.cases.entries()) {
      const [a, b] = written.rounds.map((r) => r[i]!);
      expect(a!.name).toBe(c.name);
      expect(c.api.p99).toBeCloseTo((a!.api.p99 + b!.api.p99) / 2, 2);
      expect(c.ratioP99).toBeCloseTo((a!.ratioP99 + b!.ratioP99) / 2, 1);
    }
    expect(typeof written.seqScanOnCases).toBe('boolean');
    expect(typeof written.allWithinTarget).toBe('boolean');

    const names = written.cases.map((c) => c.name);
    for (const expected of ['office list', 'office + stage', 'office + priority + overdue', 'consulateId', 'q = identity document number', 'q = reference', 'stats of an office', 'stats of all offices']) {
      expect(names.some((n) => n.startsWith(expected)), `${expected} in ${names.join(', ')}`).toBe(true);
    }
    for (const c of written.cases) {
      expect(c.request).toMatch(/^GET \/v1\/(cases|stats)/);
      expect(c.iterations).toBe(5);
      for (const d of [c.api, c.bare]) {
        for (const k of ['p50', 'p99', 'mean', 'min', 'max'] as const) expect(finite(d[k]) && d[k] > 0, `${c.name} ${k}`).toBe(true);
        expect(d.p99).toBeGreaterThanOrEqual(d.p50);
      }
      expect(finite(c.ratioP50) && finite(c.ratioP99) && finite(c.overheadP50Ms) && finite(c.overheadP99Ms)).toBe(true);
      expect(c.statementsPerRequest).toBeGreaterThanOrEqual(1);
      expect(c.plans.length).toBe(c.statementsPerRequest);
      for (const p of c.plans) {
        expect(typeof p.seqScanOnCases).toBe('boolean');
        expect(p.scans.length).toBeGreaterThan(0);
        expect(finite(p.executionMs)).toBe(true);
      }
    }
    // The searches find the case they look for.
    expect(written.cases.find((c) => c.name.startsWith('q = identity document number'))!.items).toBe(1);
    expect(written.cases.find((c) => c.name.startsWith('q = reference'))!.items).toBe(1);
    expect(lines.some((l) => l.includes('p99 ratio'))).toBe(true);
  }, 300_000);
});
