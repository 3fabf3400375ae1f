// Keeps the `workers` benchmark from rotting: it runs intake with one and with two worker processes
// on the test suite's servers (a raid of 10 each), and its JSON result has a row per worker count
// with finite positive rates, the bare baseline of each run, and the workers' memory.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { type WorkersBenchResult, runWorkersBench } from '../../bench/workers.js';

const out = path.join(tmpdir(), `homeward-workers-smoke-${process.pid}.json`);
afterAll(() => rmSync(out, { force: true }));

const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;

describe('the workers benchmark', () => {
  it('when it runs intake with 1 and 2 worker processes, then it reports the rate per worker, the bare baseline and the memory per cached workflow of each', async () => {
    const lines: string[] = [];
    const result = await runWorkersBench({
      workers: [1, 2],
      persons: 10,
      rounds: 1,
      warmup: 0,
      databaseUrl: inject('databaseUrl'),
      temporalAddress: inject('temporalAddress'),
      namespace: inject('temporalNamespace'),
      out,
      log: (l) => lines.push(l),
    });
    const written = JSON.parse(readFileSync(out, 'utf8')) as WorkersBenchResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));
    expect(written.benchmark).toBe('workers');
    expect(written.rows.map((r) => r.workers)).toEqual([1, 2]);
    for (const row of written.rows) {
      for (const n of [row.oursCasesPerSecond, row.perWorker, row.bareStartsPerSecond, row.ratio]) expect(positive(n), String(n)).toBe(true);
      expect(row.residentEndMb).toHaveLength(row.workers);
      for (const mb of row.residentEndMb) expect(positive(mb)).toBe(true);
    }
    expect(written.runs.map((r) => r.settings.workerProcesses)).toEqual([1, 2]);
    expect(lines.join('\n')).toMatch(/per worker/);
  }, 300_000);
});
