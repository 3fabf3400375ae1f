// Keeps the `workflow-modules` benchmark from rotting: it bundles zod alone, the case domain as
// workflow code imports it and the same with every schema built, evaluates each a few times, and
// its JSON result has the documented structure with finite positive numbers.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type WorkflowModulesResult, runWorkflowModulesBench } from '../../bench/workflow-modules.js';

const out = path.join(tmpdir(), `homeward-workflow-modules-smoke-${process.pid}.json`);
afterAll(() => rmSync(out, { force: true }));

const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;

describe('the workflow-modules benchmark', () => {
  it('when it evaluates each bundle a few times, then it reports milliseconds per new workflow for bare zod, ours and the eager schemas, with ratios', async () => {
    const lines: string[] = [];
    const result = await runWorkflowModulesBench({ iterations: 3, rounds: 1, out, log: (l) => lines.push(l) });
    const written = JSON.parse(readFileSync(out, 'utf8')) as WorkflowModulesResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));
    expect(written.benchmark).toBe('workflow-modules');
    expect(written.rounds).toHaveLength(1);
    for (const n of [written.summary.bare, written.summary.ours, written.summary.eager, written.summary.oursOverBare, written.summary.eagerOverBare]) expect(positive(n), String(n)).toBe(true);
    // The bundles differ as described: ours holds the domain on top of zod.
    expect(written.bytes.ours).toBeGreaterThan(written.bytes.bare);
    expect(written.bytes.eager).toBeGreaterThan(written.bytes.bare);
    expect(lines.join('\n')).toMatch(/ms per new workflow/);
  });
});
