// The workflow bundle loads zod on demand: every new case workflow evaluates the bundle's modules
// afresh, and evaluating zod was most of that cost (bench/RESULTS.md, "What a new workflow pays").
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../worker/worker.js';

// A module appears under its id ("./domain/x.ts": …) or, concatenated into another, under a marker comment (// ./domain/x.ts, // MODULE: ./node_modules/…).
const modules = (code: string, pattern: RegExp) => [...new Set([...code.matchAll(pattern)].map((m) => m[1]!))].sort();

describe('the workflow bundle', () => {
  it('when workflow code is bundled, then the domain reaches zod through the on-demand module only, and zod is in it once, as the copy a require loads', async () => {
    const { code } = await workflowBundle();
    expect(modules(code, /(?:"|\/\/ (?:MODULE: )?)\.\/domain\/(zod[\w-]*\.ts)/g)).toEqual(['zod-on-demand.ts']);
    // One copy of zod, the CommonJS one behind the on-demand require (no eagerly imported ES module copy).
    expect(modules(code, /(?:"|\/\/ (?:MODULE: )?)\.\/node_modules\/zod\/(index\.[a-z]+)/g)).toEqual(['index.cjs']);
  }, 120_000);
});
