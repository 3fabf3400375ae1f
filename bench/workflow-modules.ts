// The `workflow-modules` benchmark: what a new case workflow pays to evaluate its modules.
//   npm run bench:workflow-modules -- [--iterations 200] [--rounds 3] [--out FILE]
//
// Every new workflow evaluates the modules of its bundle afresh in its sandbox (Temporal's reusable
// V8 context shares globals, not modules), so module-level work is paid once per case, on its first
// workflow task, and again whenever an evicted case is replayed. This bundles three entries with
// esbuild and evaluates each many times in one V8 context, as the sandbox does:
//   - bare: zod alone, what any workflow that validates with zod pays;
//   - ours: the case domain as the workflow bundle holds it (domain/case.ts over domain/shapes.ts,
//     whose schemas are built on first use, with zod itself loaded on first use: the bundle's
//     domain/zod-on-demand.ts, as worker/worker.ts swaps it in);
//   - eager: the same domain with every schema built up front (domain/schemas.ts, the API's facade),
//     which is what each new workflow paid before the shapes were built on use.
// It reports milliseconds per evaluation (median of rounds) and ours/bare.
import { type Plugin, build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import vm from 'node:vm';
import { finishMachineInfo, isMain, machineInfo, saveResults } from './support/results.js';
import { median, round } from './support/stats.js';
import { formatTable } from './support/table.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

const ENTRIES = {
  bare: `export * as z from 'zod';`,
  ours: `export * from './domain/case.ts';`,
  eager: `export * from './domain/case.ts';\nexport * from './domain/schemas.ts';`,
} as const;
type Entry = keyof typeof ENTRIES;

export interface WorkflowModulesResult {
  benchmark: 'workflow-modules';
  date: string;
  machine: Awaited<ReturnType<typeof machineInfo>>;
  settings: { iterations: number; rounds: number };
  bytes: Record<Entry, number>;
  /** Milliseconds per evaluation, per round. */
  rounds: Array<Record<Entry, number>>;
  summary: Record<Entry, number> & { oursOverBare: number; eagerOverBare: number };
}

// The swap worker/worker.ts makes in the workflow bundle, for the entry that stands for it.
const zodOnDemand: Plugin = {
  name: 'zod-on-demand',
  setup(b) {
    b.onResolve({ filter: /^\.\/zod\.js$/ }, (args) =>
      args.importer === path.join(ROOT, 'domain', 'shapes.ts') ? { path: path.join(ROOT, 'domain', 'zod-on-demand.ts') } : undefined,
    );
  },
};

async function bundle(source: string, plugins: Plugin[]): Promise<string> {
  const out = await build({
    plugins,
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'entry',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** Milliseconds per evaluation of `script` in `context`, after a warm-up (compiled code is cached). */
function timeEvaluations(script: vm.Script, context: vm.Context, iterations: number): number {
  for (let i = 0; i < Math.min(20, iterations); i++) script.runInContext(context);
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) script.runInContext(context);
  return (performance.now() - t0) / iterations;
}

export async function runWorkflowModulesBench(opts: { iterations?: number; rounds?: number; out?: string | null; log?: (line: string) => void } = {}): Promise<WorkflowModulesResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const iterations = opts.iterations ?? 200;
  const rounds = opts.rounds ?? 3;
  const machine = await machineInfo();
  const names = Object.keys(ENTRIES) as Entry[];
  const code = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await bundle(ENTRIES[n], n === 'ours' ? [zodOnDemand] : [])] as const))) as Record<Entry, string>;
  const scripts = Object.fromEntries(names.map((n) => [n, new vm.Script(code[n], { filename: `${n}.js` })])) as Record<Entry, vm.Script>;
  // What the workflow sandbox offers that these modules touch at load.
  const context = vm.createContext({ console, TextEncoder, TextDecoder, URL });
  const results: Array<Record<Entry, number>> = [];
  for (let r = 0; r < rounds; r++) {
    // Alternating the order from round to round, so neither side always runs on a warmer machine.
    const order = r % 2 === 0 ? names : [...names].reverse();
    const row = {} as Record<Entry, number>;
    for (const n of order) row[n] = round(timeEvaluations(scripts[n], context, iterations), 2);
    results.push(row);
    log(`  round ${r + 1}: ${names.map((n) => `${n} ${row[n]} ms`).join(', ')}`);
  }
  const m = Object.fromEntries(names.map((n) => [n, round(median(results.map((x) => x[n])), 2)])) as Record<Entry, number>;
  const result: WorkflowModulesResult = {
    benchmark: 'workflow-modules',
    date: new Date().toISOString(),
    machine: finishMachineInfo(machine),
    settings: { iterations, rounds },
    bytes: Object.fromEntries(names.map((n) => [n, code[n].length])) as Record<Entry, number>,
    rounds: results,
    summary: { ...m, oursOverBare: round(m.ours / m.bare, 2), eagerOverBare: round(m.eager / m.bare, 2) },
  };
  log('');
  log(
    formatTable(
      ['median of rounds', 'ms per new workflow', 'bundle KB', '× bare'],
      names.map((n) => [n, m[n], Math.round(code[n].length / 1024), round(m[n] / m.bare, 2)]),
    ),
  );
  log(`load average ${machine.loadAverageAtStart.join(' ')} → ${result.machine.loadAverageAtEnd?.join(' ')}`);
  saveResults('workflow-modules', opts.out, result, log);
  return result;
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { iterations: { type: 'string' }, rounds: { type: 'string' }, out: { type: 'string' } } });
  runWorkflowModulesBench({
    iterations: values.iterations === undefined ? undefined : Number(values.iterations),
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
    out: values.out,
  }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
