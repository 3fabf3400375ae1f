// The `actions` benchmark: latency and throughput of caseworker actions.
//   npm run bench:actions -- [--concurrency 1,16,64] [--requests 400] [--rounds 3] [--cases 64]
//                            [--warmup 2] [--no-activity-baseline] [--no-write-baseline] [--no-http-baseline]
//                            [--database-url URL] [--temporal-address HOST:PORT] [--out FILE]
//
// Ours: POST /v1/cases/:id/actions over real HTTP (the app listening on an ephemeral port; fetch
// with keep-alive), alternating add_note and set_priority (both allowed in any open stage), on
// `--cases` open cases. Each request is the whole path: JWT, validation, the read-model scope check,
// the case workflow's update (validator, domain step, the persist activity's transaction) and the
// JSON answer.
//
// Bare: `handle.executeUpdate` of a no-op update on a trivial workflow (bench/support/workflows.ts
// idleWorkflow: the handler returns at once), as many workflows as cases, same concurrency, same
// request counts. Informational, not targets: "bare + activity", an update whose handler awaits
// one no-op activity, the Temporal skeleton of one of our actions; and "bare + write", an update
// whose handler awaits a local activity that upserts one row with bare SQL: the least a step that
// answers only once PostgreSQL holds it (read-your-writes, as ours) costs on Temporal; and "http +
// write", the same update behind one bare Express route (bench/support/bare-http.ts) reached with the
// same HTTP client as ours: the least an HTTP API with read-your-writes costs. Ours is reported
// against each of the two as well, and each of them against the bare update: how much of the target
// the transport and the write take before any of Homeward's own work.
//
// Spreading the load: client i of c owns the cases (workflows) whose index j has j mod c == i and
// takes them in turn, so no two clients ever wait on the same workflow: the benchmark measures the
// path, not one workflow's serialised updates. With c = 64 and 64 cases each client has its own
// case; with c = 1 one client walks all 64.
//
// Each round runs every concurrency level; within a level the variants run one after the other,
// alternating which goes first from round to round; latencies are pooled over the rounds for the
// percentiles, throughput is the median of the rounds. Target: p99(ours) <= 1.5 × p99(bare) at
// concurrency 16.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { WorkflowHandle } from '@temporalio/client';
import { startBareWorker, type BareWorker } from './support/bare.js';
import { startBareHttp } from './support/bare-http.js';
import { type CpuSpent, cpuMeter } from './support/cpu.js';
import { inPool } from './support/pool.js';
import { finishMachineInfo, isMain, machineInfo, saveResults, type MachineInfo } from './support/results.js';
import { benchServers } from './support/servers.js';
import { type RuntimeWarnings, runtimeWarnings, startStack, type Stack } from './support/stack.js';
import { type Distribution, distribution, median, percentile, round } from './support/stats.js';
import { formatTable } from './support/table.js';
import { activityUpdate, finishSignal, noopUpdate, writeUpdate, type idleWorkflow } from './support/workflows.js';
import { personBody } from '../test/support/harness.js';

export const TARGET_P99_RATIO = 1.5;
export const TARGET_CONCURRENCY = 16;

export type Variant = 'ours' | 'bare' | 'bare+activity' | 'bare+write' | 'http+write';

export interface ActionsBenchOptions {
  concurrency?: number[];
  /** Timed requests per variant, per concurrency level, per round. */
  requests?: number;
  rounds?: number;
  /** Open cases (and trivial workflows) the load is spread over. */
  cases?: number;
  /** Untimed requests per client before each timed run. */
  warmup?: number;
  /** Also measure the bare update that awaits one activity (informational). */
  activityBaseline?: boolean;
  /** Also measure the bare update that awaits one local activity's SQL upsert (informational). */
  writeBaseline?: boolean;
  /** Also measure that update behind a bare HTTP route (informational). */
  httpBaseline?: boolean;
  databaseUrl?: string;
  temporalAddress?: string;
  namespace?: string;
  out?: string | null;
  log?: (line: string) => void;
}

export interface VariantResult {
  variant: Variant;
  requests: number;
  errors: number;
  /** Latency in ms, pooled over the rounds. */
  latencyMs: Distribution;
  /** Requests per second: the median of the rounds, and each round's. */
  throughput: number;
  throughputByRound: number[];
  p99ByRound: number[];
  /**
   * CPU per request, ms, over every round (Linux only): the whole machine; this process (the API
   * and HTTP client, or the bare client and worker); the case worker processes; the rest (mostly
   * the Temporal server and PostgreSQL).
   */
  cpuMsPerRequest: { machine: number; benchProcess: number; caseWorkers: number; rest: number } | null;
}

/** One variant against another: p99 pooled and as the median of the rounds' ratios, throughput, CPU per request. */
export interface Ratios {
  p99: number;
  p99MedianOfRounds: number;
  throughput: number;
  cpuPerRequest: number | null;
}

export interface LevelResult {
  concurrency: number;
  variants: VariantResult[];
  ratios: Ratios & { p50: number };
  /** Ours against the bare update that writes one row before it answers, when it was measured. */
  ratiosToBareWrite: Ratios | null;
  /** Ours against that update behind a bare HTTP route, when it was measured. */
  ratiosToHttpWrite: Ratios | null;
  /** Each baseline other than the bare update against the bare update: what it takes of the target before ours adds anything. */
  baselinesToBare: Partial<Record<Variant, Ratios>>;
}

export interface ActionsBenchResult {
  benchmark: 'actions';
  date: string;
  machine: MachineInfo;
  servers: { temporal: string; temporalVersion: string | null; database: string };
  settings: { concurrency: number[]; requests: number; rounds: number; cases: number; warmup: number; actions: string[]; spreading: string; databasePoolSize: number };
  target: { maxP99Ratio: number; atConcurrency: number };
  levels: LevelResult[];
  summary: { p99RatioAtTarget: number | null; withinTarget: boolean | null };
  /** Temporal runtime warnings during the run (workflow tasks over 5 s, lost to a timeout, other). */
  runtime: RuntimeWarnings;
}

/** The k-th action sent to a case: add_note and set_priority by turns (the priority flips too). */
function actionBody(k: number): Record<string, unknown> {
  if (k % 2 === 0) return { type: 'add_note', text: `benchmark note ${k}` };
  return { type: 'set_priority', priority: (k >> 1) % 2 === 0 ? 'high' : 'normal', reason: 'benchmark' };
}

/** `a` against `base`: p99 pooled and round by round (the rounds alternate the order, so each pair shared its conditions). */
function ratiosOf(a: VariantResult, base: VariantResult): Ratios {
  const cpu = a.cpuMsPerRequest?.machine && base.cpuMsPerRequest?.machine ? round(a.cpuMsPerRequest.machine / base.cpuMsPerRequest.machine, 2) : null;
  return {
    p99: round(a.latencyMs.p99 / base.latencyMs.p99, 2),
    p99MedianOfRounds: round(median(a.p99ByRound.map((p, i) => p / base.p99ByRound[i]!)), 2),
    throughput: round(a.throughput / base.throughput, 2),
    cpuPerRequest: cpu,
  };
}

interface Run {
  latencies: number[];
  errors: number;
  firstError?: string;
  elapsedMs: number;
}

/** c clients; client i owns targets j with j mod c == i (or target i mod n when c > n). */
async function load(c: number, targets: number, perClient: number, send: (target: number, k: number) => Promise<void>, counters: number[]): Promise<Run> {
  const run: Run = { latencies: [], errors: 0, elapsedMs: 0 };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async (_, i) => {
      const own = c <= targets ? Array.from({ length: Math.ceil((targets - i) / c) }, (_, m) => i + m * c) : [i % targets];
      for (let r = 0; r < perClient; r++) {
        const target = own[r % own.length]!;
        const k = counters[target]!++;
        const start = performance.now();
        try {
          await send(target, k);
          run.latencies.push(performance.now() - start);
        } catch (err) {
          run.errors += 1;
          run.firstError ??= (err as Error).message;
        }
      }
    }),
  );
  run.elapsedMs = performance.now() - t0;
  return run;
}

export async function runActionsBench(opts: ActionsBenchOptions = {}): Promise<ActionsBenchResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const levels = opts.concurrency ?? [1, 16, 64];
  const requests = opts.requests ?? 400;
  const rounds = opts.rounds ?? 3;
  const cases = opts.cases ?? 64;
  const warmup = opts.warmup ?? 2;
  const variants: Variant[] = ['ours', 'bare'];
  if (opts.activityBaseline !== false) variants.push('bare+activity');
  if (opts.writeBaseline !== false) variants.push('bare+write');
  if (opts.httpBaseline !== false) variants.push('http+write');
  if (levels.some((c) => !(Number.isInteger(c) && c >= 1))) throw new Error('--concurrency must be positive integers');

  const servers = await benchServers('actions', { databaseUrl: opts.databaseUrl, temporalAddress: opts.temporalAddress, namespace: opts.namespace, log });
  let stack: Stack | undefined;
  let bare: BareWorker | undefined;
  let bareHttp: Awaited<ReturnType<typeof startBareHttp>> | undefined;
  const idle: Array<WorkflowHandle<typeof idleWorkflow>> = [];
  try {
    const machine = await machineInfo(servers.databaseUrl);
    const warningsAtStart = runtimeWarnings();
    stack = await startStack({ databaseUrl: servers.databaseUrl, temporalAddress: servers.temporalAddress, namespace: servers.namespace });
    bare = await startBareWorker({
      address: servers.temporalAddress,
      namespace: servers.namespace,
      // Its pool and table only when a write baseline runs.
      database: variants.includes('bare+write') || variants.includes('http+write') ? { url: servers.databaseUrl, poolSize: stack.config.databasePoolSize } : undefined,
    });
    const consulateId = await stack.createConsulate();
    const caseworker = await stack.token('caseworker', { office: stack.office, sub: 'cw-bench' });

    // The cases and the trivial workflows the load is spread over.
    const caseIds: string[] = new Array(cases);
    await inPool(Array.from({ length: cases }, (_, i) => i), 8, async (i) => {
      const res = await stack!.request<{ id: string }>(
        'POST',
        '/v1/cases',
        caseworker,
        { person: personBody(), source: { type: 'hotline', reference: `bench-${i}` }, consulateId },
        201,
      );
      caseIds[i] = res.body.id;
    });
    const bareClient = bare.client;
    for (let i = 0; i < cases; i++) {
      idle.push(await bareClient.workflow.start<typeof idleWorkflow>('idleWorkflow', { workflowId: `bench-idle-${caseIds[i]}`, taskQueue: bare.taskQueue, args: [] }));
    }

    if (variants.includes('http+write')) bareHttp = await startBareHttp(idle);
    const counters = Object.fromEntries(variants.map((v) => [v, new Array<number>(cases).fill(0)])) as Record<Variant, number[]>;
    const baseUrl = stack.baseUrl;
    const headers = { authorization: `Bearer ${caseworker}`, 'content-type': 'application/json' };
    // The same request, bytes and headers alike, to our API and to the bare route (which ignores the token).
    const post = async (url: string, k: number) => {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(actionBody(k)) });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${res.status} ${text.slice(0, 300)}`);
    };
    const send: Record<Variant, (target: number, k: number) => Promise<void>> = {
      ours: (target, k) => post(`${baseUrl}/v1/cases/${caseIds[target]}/actions`, k),
      bare: async (target, k) => {
        await idle[target]!.executeUpdate(noopUpdate, { args: [actionBody(k)] });
      },
      'bare+activity': async (target, k) => {
        await idle[target]!.executeUpdate(activityUpdate, { args: [actionBody(k)] });
      },
      'bare+write': async (target, k) => {
        await idle[target]!.executeUpdate(writeUpdate, { args: [actionBody(k)] });
      },
      'http+write': (target, k) => post(`${bareHttp!.baseUrl}/targets/${target}/writes`, k),
    };

    const samples = new Map<string, { latencies: number[]; errors: number; firstError?: string; throughput: number[]; p99: number[]; requests: number; cpu: CpuSpent | null }>();
    const key = (c: number, v: Variant) => `${c}:${v}`;
    log(`actions: concurrency ${levels.join(', ')}; ${requests} requests per variant, level and round; ${rounds} rounds; ${cases} cases`);
    for (let r = 0; r < rounds; r++) {
      for (const c of levels) {
        const perClient = Math.max(1, Math.ceil(requests / c));
        const order = r % 2 === 0 ? variants : [...variants].reverse();
        for (const v of order) {
          if (warmup > 0) await load(c, cases, warmup, send[v], counters[v]);
          const cpuSpent = cpuMeter(stack.workerPids);
          const run = await load(c, cases, perClient, send[v], counters[v]);
          const cpu = cpuSpent?.() ?? null;
          const s = samples.get(key(c, v)) ?? { latencies: [], errors: 0, throughput: [], p99: [], requests: 0, cpu: cpu && { machineMs: 0, selfMs: 0, childrenMs: 0 } };
          if (cpu && s.cpu) {
            s.cpu.machineMs += cpu.machineMs;
            s.cpu.selfMs += cpu.selfMs;
            s.cpu.childrenMs += cpu.childrenMs;
          }
          s.latencies.push(...run.latencies);
          s.errors += run.errors;
          s.firstError ??= run.firstError;
          s.requests += run.latencies.length + run.errors;
          s.throughput.push(run.latencies.length / (run.elapsedMs / 1000));
          s.p99.push(percentile(run.latencies, 0.99));
          samples.set(key(c, v), s);
          log(`  round ${r + 1}, c=${c}, ${v}: p50 ${percentile(run.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(run.latencies, 0.99).toFixed(1)} ms, ${(run.latencies.length / (run.elapsedMs / 1000)).toFixed(0)}/s${run.errors ? `, ${run.errors} errors (${run.firstError})` : ''}`);
        }
      }
    }

    const levelResults: LevelResult[] = levels.map((c) => {
      const vr = variants.map((v): VariantResult => {
        const s = samples.get(key(c, v))!;
        if (s.latencies.length === 0) throw new Error(`every ${v} request at concurrency ${c} failed: ${s.firstError}`);
        return {
          variant: v,
          requests: s.requests,
          errors: s.errors,
          latencyMs: distribution(s.latencies, 2),
          throughput: round(median(s.throughput), 1),
          throughputByRound: s.throughput.map((t) => round(t, 1)),
          p99ByRound: s.p99.map((t) => round(t, 2)),
          cpuMsPerRequest: s.cpu && {
            machine: round(s.cpu.machineMs / s.requests, 2),
            benchProcess: round(s.cpu.selfMs / s.requests, 2),
            caseWorkers: round(s.cpu.childrenMs / s.requests, 2),
            rest: round((s.cpu.machineMs - s.cpu.selfMs - s.cpu.childrenMs) / s.requests, 2),
          },
        };
      });
      const of = (v: Variant) => vr.find((x) => x.variant === v);
      const ours = of('ours')!;
      const b = of('bare')!;
      const w = of('bare+write');
      const h = of('http+write');
      return {
        concurrency: c,
        variants: vr,
        ratios: { p50: round(ours.latencyMs.p50 / b.latencyMs.p50, 2), ...ratiosOf(ours, b) },
        ratiosToBareWrite: w ? ratiosOf(ours, w) : null,
        ratiosToHttpWrite: h ? ratiosOf(ours, h) : null,
        baselinesToBare: Object.fromEntries(vr.filter((x) => x.variant !== 'ours' && x.variant !== 'bare').map((x) => [x.variant, ratiosOf(x, b)])),
      };
    });
    const atTarget = levelResults.find((l) => l.concurrency === TARGET_CONCURRENCY);
    const warnings = runtimeWarnings(warningsAtStart);
    const result: ActionsBenchResult = {
      benchmark: 'actions',
      date: new Date().toISOString(),
      machine: finishMachineInfo(machine),
      servers: { temporal: servers.ownTemporal ? 'own dev server (in memory)' : 'given', temporalVersion: servers.temporalVersion, database: new URL(servers.databaseUrl).pathname.slice(1) },
      settings: {
        concurrency: levels,
        requests,
        rounds,
        cases,
        warmup,
        actions: ['add_note', 'set_priority'],
        spreading: 'client i of c owns cases j with j mod c == i and takes them in turn',
        databasePoolSize: stack.config.databasePoolSize,
      },
      target: { maxP99Ratio: TARGET_P99_RATIO, atConcurrency: TARGET_CONCURRENCY },
      levels: levelResults,
      summary: {
        p99RatioAtTarget: atTarget ? atTarget.ratios.p99 : null,
        withinTarget: atTarget ? atTarget.ratios.p99 <= TARGET_P99_RATIO : null,
      },
      runtime: warnings,
    };

    log('');
    log(
      formatTable(
        ['concurrency', 'variant', 'requests', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'req/s', 'CPU ms/req (bench, workers, rest)'],
        levelResults.flatMap((l) =>
          l.variants.map((v) => {
            const cpu = v.cpuMsPerRequest;
            const cpuText = cpu ? `${cpu.machine} (${cpu.benchProcess}, ${cpu.caseWorkers}, ${cpu.rest})` : 'n/a';
            return [l.concurrency, v.variant, v.requests, v.errors, v.latencyMs.p50, v.latencyMs.p90, v.latencyMs.p99, v.latencyMs.max, v.throughput, cpuText];
          }),
        ),
      ),
    );
    log('');
    log(
      formatTable(
        ['concurrency', 'p50 ours/bare', 'p99 ours/bare', 'p99 ratio (median of rounds)', 'throughput ours/bare', 'CPU/req ours/bare', 'target'],
        levelResults.map((l) => [
          l.concurrency,
          l.ratios.p50,
          l.ratios.p99,
          l.ratios.p99MedianOfRounds,
          l.ratios.throughput,
          l.ratios.cpuPerRequest ?? 'n/a',
          l.concurrency === TARGET_CONCURRENCY ? `p99 <= ${TARGET_P99_RATIO}: ${l.ratios.p99 <= TARGET_P99_RATIO ? 'met' : 'NOT met'}` : '',
        ]),
      ),
    );
    // Ours against the floors, and the floors against the bare update (what they leave of the target).
    const against = levelResults.flatMap((l) => {
      const pairs: Array<[string, Ratios | null]> = [
        ['ours/bare+write', l.ratiosToBareWrite],
        ['ours/http+write', l.ratiosToHttpWrite],
        ...Object.entries(l.baselinesToBare).map(([v, r]): [string, Ratios] => [`${v}/bare`, r]),
      ];
      return pairs.flatMap(([name, r]) => (r ? [[l.concurrency, name, r.p99, r.p99MedianOfRounds, r.throughput, r.cpuPerRequest ?? 'n/a']] : []));
    });
    if (against.length > 0) {
      log('');
      log(formatTable(['concurrency', 'ratio', 'p99', 'p99 (median of rounds)', 'throughput', 'CPU/req'], against));
    }
    log(`machine: ${machine.cores} cores, ${machine.memoryGb} GB, node ${machine.node}, PostgreSQL ${machine.postgres ?? '?'}; workflow tasks over 5 s: ${warnings.slowWorkflowTasks}, timed out: ${warnings.workflowTasksLost}`);
    saveResults('actions', opts.out, result, log);
    return result;
  } finally {
    await Promise.allSettled(idle.map((h) => h.signal(finishSignal)));
    await bareHttp?.stop();
    await bare?.stop();
    await stack?.stop();
    await servers.stop();
  }
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string' },
      requests: { type: 'string' },
      rounds: { type: 'string' },
      cases: { type: 'string' },
      warmup: { type: 'string' },
      'no-activity-baseline': { type: 'boolean' },
      'no-write-baseline': { type: 'boolean' },
      'no-http-baseline': { type: 'boolean' },
      'database-url': { type: 'string' },
      'temporal-address': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'npm run bench:actions -- [--concurrency 1,16,64] [--requests 400] [--rounds 3] [--cases 64] [--warmup 2] [--no-activity-baseline] [--no-write-baseline] [--no-http-baseline] [--database-url URL] [--temporal-address HOST:PORT] [--out FILE]',
    );
    process.exit(0);
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  runActionsBench({
    concurrency: values.concurrency?.split(',').map((s) => Number(s.trim())),
    requests: num(values.requests),
    rounds: num(values.rounds),
    cases: num(values.cases),
    warmup: num(values.warmup),
    activityBaseline: values['no-activity-baseline'] ? false : undefined,
    writeBaseline: values['no-write-baseline'] ? false : undefined,
    httpBaseline: values['no-http-baseline'] ? false : undefined,
    databaseUrl: values['database-url'],
    temporalAddress: values['temporal-address'],
    out: values.out,
  }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
