// Keeps the `stats` benchmark from rotting: it runs end to end on 2,000 generated cases in a database
// of its own (generation, migration, counters rebuilt after the bulk load, the app over HTTP, both
// bare baselines), and its JSON result has the documented structure with finite numbers.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { type StatsBenchResult, runStatsBench } from '../../bench/stats.js';
import { dropDatabase } from '../../db/migrate.js';

const base = new URL(inject('databaseUrl'));
const databaseUrl = new URL(base);
databaseUrl.pathname = `${base.pathname}_stats_smoke`;
const out = path.join(tmpdir(), `homeward-stats-smoke-${process.pid}.json`);

afterAll(async () => {
  rmSync(out, { force: true });
  await dropDatabase(databaseUrl.toString());
});

const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;

describe('the stats benchmark', () => {
  it('when it runs on 2,000 cases, then it reports ours, the legacy query and the counters SELECT per round, with medians and ratios', async () => {
    await dropDatabase(databaseUrl.toString());
    const lines: string[] = [];
    const result = await runStatsBench({ cases: 2_000, rounds: 3, iterations: 5, warmup: 1, databaseUrl: databaseUrl.toString(), out, log: (l) => lines.push(l) });
    const written = JSON.parse(readFileSync(out, 'utf8')) as StatsBenchResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));

    expect(written.benchmark).toBe('stats');
    expect(written.database.cases).toBe(2_000);
    // The bulk load bypassed the activities: the counters were rebuilt from it.
    expect(written.database.counterRows).toBeGreaterThan(0);
    expect(written.machine.loadAverageAtStart).toHaveLength(3);
    expect(written.machine.loadAverageAtEnd).toHaveLength(3);
    expect(written.command).toContain('bench:stats');
    expect(written.rounds).toHaveLength(3);
    for (const r of written.rounds) {
      for (const d of [r.ours, r.legacy, r.counters]) {
        expect(d.n).toBe(5);
        expect(finite(d.p50) && finite(d.p99)).toBe(true);
        expect(d.p99).toBeGreaterThanOrEqual(d.p50);
      }
    }
    for (const v of Object.values(written.median)) expect(finite(v)).toBe(true);
    expect(finite(written.ratio.toLegacyP99) && finite(written.ratio.toCountersP99)).toBe(true);
    expect(typeof written.withinTarget).toBe('boolean');
    expect(lines.some((l) => l.includes('median of 3 rounds'))).toBe(true);
  }, 300_000);
});
