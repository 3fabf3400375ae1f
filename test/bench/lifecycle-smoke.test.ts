// Keeps the `lifecycle` benchmark from rotting: its main function drives 2 cases from open to
// closed through the API on the test suite's servers, reads their histories and the bare per-update
// baseline, and its JSON result has the documented structure with finite positive numbers.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { type LifecycleBenchResult, runLifecycleBench } from '../../bench/lifecycle.js';

const out = path.join(tmpdir(), `homeward-lifecycle-smoke-${process.pid}.json`);
afterAll(() => rmSync(out, { force: true }));

const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;

describe('the lifecycle benchmark', () => {
  it('when it drives 2 cases to closure, then it reports cases per second, events and payload bytes per case and the bare per-update cost', async () => {
    const lines: string[] = [];
    const result = await runLifecycleBench({
      cases: 2,
      concurrency: 2,
      followUpSeconds: 2,
      baselineUpdates: 3,
      databaseUrl: inject('databaseUrl'),
      temporalAddress: inject('temporalAddress'),
      namespace: inject('temporalNamespace'),
      out,
      log: (l) => lines.push(l),
    });
    const written = JSON.parse(readFileSync(out, 'utf8')) as LifecycleBenchResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));

    expect(written.benchmark).toBe('lifecycle');
    expect(Number.isNaN(Date.parse(written.date))).toBe(false);
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(written.machine.node).toBe(process.version);
    expect(written.settings).toMatchObject({ cases: 2, concurrency: 2, followUpDays: 180 });
    expect(positive(written.settings.timeScale)).toBe(true);
    expect(written.target.maxEventsPerCase).toBe(200);

    expect(positive(written.throughput.casesPerSecond)).toBe(true);
    expect(positive(written.throughput.wallMs)).toBe(true);
    expect(written.caseDurationMs.n).toBe(2);
    for (const s of [written.perCase.events, written.perCase.payloadBytes, written.perCase.updates, written.perCase.runs]) {
      for (const n of [s.min, s.median, s.max]) expect(positive(n), String(n)).toBe(true);
      expect(s.max).toBeGreaterThanOrEqual(s.min);
    }
    // Every case was opened, moved through its stages and closed.
    expect(written.timeline.case_opened).toBe(1);
    expect(written.timeline.closure_approved).toBe(1);
    expect(written.timeline.record_follow_up).toBe(3);
    expect(written.eventTypes.WORKFLOW_EXECUTION_STARTED!.events).toBeGreaterThanOrEqual(1);
    expect(written.eventTypes.WORKFLOW_EXECUTION_COMPLETED!.events).toBe(1);

    expect(written.summary.medianEventsPerCase).toBe(written.perCase.events.median);
    expect(typeof written.summary.withinTarget).toBe('boolean');
    expect(positive(written.baseline.emptyWorkflow.events)).toBe(true);
    for (const b of [written.baseline.noopUpdate, written.baseline.activityUpdate]) {
      expect(b.updates).toBe(3);
      expect(positive(b.eventsPerUpdate)).toBe(true);
      expect(positive(b.payloadBytesPerUpdate)).toBe(true);
    }
    expect(written.baseline.activityUpdate.eventsPerUpdate).toBeGreaterThan(written.baseline.noopUpdate.eventsPerUpdate);
    expect(lines.join('\n')).toMatch(/events\/case median/);
  }, 240_000); // the worker starts as a process of its own: bundling and starting it take a while on a busy machine
});
