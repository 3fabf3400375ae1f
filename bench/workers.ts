// The `workers` benchmark: does intake scale by adding case workers?
//   npm run bench:workers -- [--workers 1,2,4] [--persons 1000] [--rounds 3] [--warmup 50] [--out FILE]
//
// Runs the intake benchmark (bench/intake.ts: one raid over HTTP, timed until every case's workflow
// has run its first step, against bare `workflow.start` of a trivial workflow in the same run) once
// per worker count, each with servers of its own, and reports for each: our cases per second, the
// rate per worker process, the bare baseline of that run and our ratio to it, and the memory each
// worker process holds per cached case workflow. On a machine with fewer cores than workers plus
// the Temporal server and PostgreSQL, more workers cannot add throughput; the figure then shows
// what they cost.
import { parseArgs } from 'node:util';
import { type IntakeBenchResult, runIntakeBench } from './intake.js';
import { isMain, saveResults } from './support/results.js';
import { round } from './support/stats.js';
import { formatTable } from './support/table.js';

export interface WorkersBenchOptions {
  workers?: number[];
  persons?: number;
  rounds?: number;
  warmup?: number;
  databaseUrl?: string;
  temporalAddress?: string;
  namespace?: string;
  out?: string | null;
  log?: (line: string) => void;
}

export interface WorkersRow {
  workers: number;
  oursCasesPerSecond: number;
  perWorker: number;
  bareStartsPerSecond: number;
  ratio: number;
  perCachedWorkflowKb: number | null;
  residentEndMb: number[];
  loadAverage: { start: number[]; end: number[] | undefined };
}

export interface WorkersBenchResult {
  benchmark: 'workers';
  date: string;
  settings: { workers: number[]; persons: number; rounds: number; warmup: number };
  rows: WorkersRow[];
  runs: IntakeBenchResult[];
}

export async function runWorkersBench(opts: WorkersBenchOptions = {}): Promise<WorkersBenchResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const counts = opts.workers ?? [1, 2, 4];
  const persons = opts.persons ?? 1_000;
  const rounds = opts.rounds ?? 3;
  const warmup = opts.warmup ?? 50;
  const runs: IntakeBenchResult[] = [];
  const rows: WorkersRow[] = [];
  for (const workers of counts) {
    log(`workers: ${workers} worker process(es)`);
    const r = await runIntakeBench({
      persons,
      rounds,
      warmup,
      workers,
      databaseUrl: opts.databaseUrl,
      temporalAddress: opts.temporalAddress,
      namespace: opts.namespace,
      out: null,
      log: (line) => log(`  ${line}`),
    });
    runs.push(r);
    rows.push({
      workers,
      oursCasesPerSecond: r.summary.oursCasesPerSecond,
      perWorker: round(r.summary.oursCasesPerSecond / workers, 1),
      bareStartsPerSecond: r.summary.bareStartsPerSecond,
      ratio: r.summary.ratio,
      perCachedWorkflowKb: r.workerMemory.perCachedWorkflowKb,
      residentEndMb: r.workerMemory.endMb,
      loadAverage: { start: r.machine.loadAverageAtStart, end: r.machine.loadAverageAtEnd },
    });
  }
  log('');
  log(
    formatTable(
      ['workers', 'ours cases/s', 'per worker', 'bare starts/s', 'ours/bare', 'KB per cached workflow', 'resident MB at end', 'load avg (1 min) start → end'],
      rows.map((x) => [
        x.workers,
        x.oursCasesPerSecond,
        x.perWorker,
        x.bareStartsPerSecond,
        x.ratio,
        x.perCachedWorkflowKb ?? '?',
        x.residentEndMb.join(' / '),
        `${x.loadAverage.start[0]} → ${x.loadAverage.end?.[0] ?? '?'}`,
      ]),
    ),
  );
  const result: WorkersBenchResult = { benchmark: 'workers', date: new Date().toISOString(), settings: { workers: counts, persons, rounds, warmup }, rows, runs };
  saveResults('workers', opts.out, result, log);
  return result;
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string' },
      persons: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('npm run bench:workers -- [--workers 1,2,4] [--persons 1000] [--rounds 3] [--warmup 50] [--out FILE]');
    process.exit(0);
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v.replaceAll('_', '').replaceAll(',', '')));
  runWorkersBench({
    workers: values.workers?.split(',').map(Number),
    persons: num(values.persons),
    rounds: num(values.rounds),
    warmup: num(values.warmup),
    out: values.out,
  }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
