// Keeps the `actions` benchmark from rotting: its main function runs end to end at concurrency 1
// and 2 with a handful of requests on the test suite's servers (actions over real HTTP, bare
// updates on trivial workflows), and its JSON result has the documented structure with finite
// positive numbers.
import { readFileSync, rmSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { type ActionsBenchResult, runActionsBench } from '../../bench/actions.js';

const out = path.join(tmpdir(), `homeward-actions-smoke-${process.pid}.json`);
afterAll(() => rmSync(out, { force: true }));

const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;

describe('the actions benchmark', () => {
  it('when it runs at concurrency 1 and 2, then it reports p50/p99 and throughput of ours and the bare update, and their ratios, and the bare update that writes one row, bare and behind HTTP', async () => {
    const lines: string[] = [];
    const startedAt = new Date();
    const result = await runActionsBench({
      concurrency: [1, 2],
      requests: 6,
      rounds: 1,
      cases: 2,
      warmup: 1,
      databaseUrl: inject('databaseUrl'),
      temporalAddress: inject('temporalAddress'),
      namespace: inject('temporalNamespace'),
      out,
      log: (l) => lines.push(l),
    });
    const written = JSON.parse(readFileSync(out, 'utf8')) as ActionsBenchResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));

    expect(written.benchmark).toBe('actions');
    expect(Number.isNaN(Date.parse(written.date))).toBe(false);
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(written.machine.node).toBe(process.version);
    expect(written.settings).toMatchObject({ concurrency: [1, 2], requests: 6, rounds: 1, cases: 2, actions: ['add_note', 'set_priority'] });
    expect(written.target).toEqual({ maxP99Ratio: 1.5, atConcurrency: 16 });

    expect(written.levels.map((l) => l.concurrency)).toEqual([1, 2]);
    for (const level of written.levels) {
      expect(level.variants.map((v) => v.variant)).toEqual(['ours', 'bare', 'bare+activity', 'bare+write', 'http+write']);
      for (const v of level.variants) {
        expect(v.errors).toBe(0);
        expect(v.requests).toBeGreaterThanOrEqual(6);
        expect(v.latencyMs.n).toBe(v.requests);
        for (const n of [v.latencyMs.p50, v.latencyMs.p99, v.latencyMs.max, v.throughput]) expect(positive(n), String(n)).toBe(true);
        expect(v.latencyMs.p99).toBeGreaterThanOrEqual(v.latencyMs.p50);
        // CPU is counted from /proc; a handful of requests may take less than one 10 ms tick of it.
        const cpu = v.cpuMsPerRequest!;
        expect(Object.keys(cpu)).toEqual(['machine', 'benchProcess', 'caseWorkers', 'rest']);
        for (const n of [cpu.machine, cpu.benchProcess, cpu.caseWorkers]) expect(Number.isFinite(n) && n >= 0, String(n)).toBe(true);
      }
      expect(level.variants[0]!.cpuMsPerRequest!.caseWorkers, 'our actions run in the case worker process').toBeGreaterThan(0);
      const { cpuPerRequest, ...ratios } = level.ratios;
      for (const n of Object.values(ratios)) expect(positive(n), String(n)).toBe(true);
      expect(cpuPerRequest === null || positive(cpuPerRequest), String(cpuPerRequest)).toBe(true);
      expect(Object.keys(level.baselinesToBare)).toEqual(['bare+activity', 'bare+write', 'http+write']);
      for (const r of [level.ratiosToBareWrite!, level.ratiosToHttpWrite!, ...Object.values(level.baselinesToBare)]) {
        const { cpuPerRequest: cpu, ...others } = r;
        expect(Object.keys(others)).toEqual(['p99', 'p99MedianOfRounds', 'throughput']);
        for (const n of Object.values(others)) expect(positive(n), String(n)).toBe(true);
        expect(cpu === null || positive(cpu), String(cpu)).toBe(true);
      }
    }
    // The write baselines really wrote: one row per trivial workflow, upserted by its updates, the
    // last of them through the HTTP route (the last variant of a first round), which wraps what it was sent.
    const db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number; viaHttp: number }>(
        `select count(*)::int as n, count(*) filter (where body->>'via' = 'http' and body->'action'->>'type' in ('add_note', 'set_priority'))::int as "viaHttp"
         from bench_bare_writes where written_at >= $1`,
        [startedAt],
      );
      expect(rows[0]).toEqual({ n: 2, viaHttp: 2 });
    } finally {
      await db.end();
    }
    // No level at the target's concurrency in a smoke run: no verdict.
    expect(written.summary).toEqual({ p99RatioAtTarget: null, withinTarget: null });
    expect(lines.join('\n')).toMatch(/p99 ours\/bare/);
  }, 240_000); // the worker starts as a process of its own: bundling and starting it take a while on a busy machine
});
