// The workflow bundle loads zod on demand: every new case workflow evaluates the bundle's modules
// afresh, and evaluating zod was most of that cost (bench/RESULTS.md, "What a new workflow pays").
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../worker/worker.js';

const moduleIds = (code: string, pattern: RegExp) => [...new Set([...code.matchAll(pattern)].map((m) => m[0]))].sort();

describe('the workflow bundle', () => {
  it('when workflow code is bundled, then the domain reaches zod through the on-demand module only, and zod is in it once, as the copy a require loads', async () => {
    const { code } = await workflowBundle();
    expect(moduleIds(code, /"\.\/domain\/zod[^"]*"/g)).toEqual(['"./domain/zod-on-demand.ts"']);
    // One copy of zod, the CommonJS one behind the on-demand require (no eagerly imported ES module copy).
    expect(moduleIds(code, /"\.\/node_modules\/zod\/index\.[a-z]+"/g)).toEqual(['"./node_modules/zod/index.cjs"']);
  }, 120_000);
});
