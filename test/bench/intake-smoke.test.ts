// Keeps the `intake` benchmark from rotting: its main function runs end to end with a raid of 20
// persons on the test suite's servers (the operation over HTTP, the read-model polling, the bare
// trivial workflows with their own worker), and its JSON result has the documented structure with
// finite positive numbers.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { type IntakeBenchResult, runIntakeBench } from '../../bench/intake.js';

const out = path.join(tmpdir(), `homeward-intake-smoke-${process.pid}.json`);
afterAll(() => rmSync(out, { force: true }));

const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;

describe('the intake benchmark', () => {
  it('when it runs a raid of 20 persons, then it reports cases per second, the bare starts per second and their ratio', async () => {
    const lines: string[] = [];
    const result = await runIntakeBench({
      persons: 20,
      rounds: 1,
      warmup: 0,
      databaseUrl: inject('databaseUrl'),
      temporalAddress: inject('temporalAddress'),
      namespace: inject('temporalNamespace'),
      out,
      log: (l) => lines.push(l),
    });
    const written = JSON.parse(readFileSync(out, 'utf8')) as IntakeBenchResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));

    expect(written.benchmark).toBe('intake');
    expect(Number.isNaN(Date.parse(written.date))).toBe(false);
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(positive(written.machine.memoryGb)).toBe(true);
    expect(written.machine.node).toBe(process.version);
    expect(written.machine.postgres).toMatch(/^\d+/);
    expect(written.settings).toMatchObject({ persons: 20, rounds: 1, warmup: 0 });
    expect(written.settings.startConcurrency).toBeGreaterThan(0);
    expect(written.settings.operationBatchSize).toBeGreaterThan(0);
    expect(written.target.minRatio).toBe(0.7);

    expect(written.rounds).toHaveLength(1);
    const [round] = written.rounds;
    expect(round!.ours.persons).toBe(20);
    expect(round!.bare.starts).toBe(20);
    for (const n of [round!.ours.postMs, round!.ours.firstCaseOpenedMs, round!.ours.totalMs, round!.ours.casesPerSecond, round!.bare.startCallsMs, round!.bare.totalMs, round!.bare.startsPerSecond, round!.ratio]) {
      expect(positive(n), String(n)).toBe(true);
    }
    expect(round!.ours.totalMs).toBeGreaterThanOrEqual(round!.ours.firstCaseOpenedMs);
    for (const n of [written.summary.oursCasesPerSecond, written.summary.bareStartsPerSecond, written.summary.ratio, written.summary.oursMedianTotalMs, written.summary.bareMedianTotalMs]) {
      expect(positive(n), String(n)).toBe(true);
    }
    expect(typeof written.summary.withinTarget).toBe('boolean');
    expect(written.settings.workerProcesses).toBe(1);
    expect(written.workerMemory.startMb).toHaveLength(1);
    expect(positive(written.workerMemory.startMb[0])).toBe(true);
    expect(positive(written.workerMemory.endMb[0])).toBe(true);
    expect(written.workerMemory.openCaseWorkflows).toBe(20);
    expect(lines.join('\n')).toMatch(/ours cases\/s/);
  }, 240_000); // the worker starts as a process of its own: bundling and starting it take a while on a busy machine
});
