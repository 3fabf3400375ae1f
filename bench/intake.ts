// The `intake` benchmark: how fast a mass rescue operation opens its cases.
//   npm run bench:intake -- [--persons 1000] [--rounds 3] [--warmup 50] [--poll-ms 25] [--workers 1] [--max-cached-workflows N]
//                           [--timeout-s S] [--database-url URL] [--temporal-address HOST:PORT] [--out FILE]
//
// Ours: POST /v1/operations over real HTTP with N fresh persons, then polling PostgreSQL until every
// case of the operation is open in the read model with its `case_opened` timeline event (the
// operation's batch writes both) and every case workflow has been started, and then the worker
// processes' own metrics until they have run N case workflow tasks (each new case's first). Every
// case's workflow history is then checked for a completed first task, untimed unless some were
// not there yet (then the time is when they were). Cases per second = N / (time from sending the
// POST to that point; polls come every `--poll-ms` at first, then about every 1% of the elapsed
// time, so the end time is within ~1%). Like the bare side, timed by what the workers report and
// checked with the server afterwards.
//
// Bare: `client.workflow.start` of a trivial workflow (bench/support/workflows.ts noopWorkflow, run
// by a worker of its own on its own task queue) for N workflow ids, with the same number of starts
// in flight as the operation uses (START_CONCURRENCY, read from activities/operations.ts), timed
// until every one of them has run (the workflow reports through a sink when its code has run; all
// are then checked Completed on the server, untimed). Starts per second = N / that time.
//
// Both run against the same Temporal server and machine, one after the other, alternating which
// goes first from round to round; the summary takes medians over the rounds. The API runs in this
// process and the case workers in processes of their own (`--workers`, default 1), as in production;
// the bare worker runs in this process (its trivial workflows need no more). The workers' resident
// memory after start and at the end, over the case workflows they hold, gives the memory per cached
// workflow.
// Target: ours / bare >= 0.7.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { raidPersons } from '../test/support/raid.js';
import { caseWorkflowId } from '../domain/ids.js';
import { startBareWorker, type BareWorker } from './support/bare.js';
import { inPool, sleep } from './support/pool.js';
import { finishMachineInfo, isMain, machineInfo, saveResults, type MachineInfo } from './support/results.js';
import { benchServers } from './support/servers.js';
import { cpuMs } from './support/cpu.js';
import { type RuntimeWarnings, residentBytes, runtimeWarnings, startStack, type Stack } from './support/stack.js';
import { median, round } from './support/stats.js';
import { formatTable } from './support/table.js';
import type { noopWorkflow } from './support/workflows.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TARGET_MIN_RATIO = 0.7;

/** A constant of the app's source, read rather than copied so the baseline follows the app. */
function sourceConstant(file: string, name: string): number {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const m = new RegExp(`(?:export\\s+)?const\\s+${name}\\s*=\\s*([\\d_]+)`).exec(text);
  if (!m) throw new Error(`cannot find ${name} in ${file}`);
  return Number(m[1]!.replaceAll('_', ''));
}
export const START_CONCURRENCY = sourceConstant('activities/operations.ts', 'START_CONCURRENCY');
export const OPERATION_BATCH_SIZE = sourceConstant('workflows/operation.ts', 'DEFAULT_BATCH_SIZE');

export interface IntakeBenchOptions {
  persons?: number;
  rounds?: number;
  /** Persons (and bare starts) of an untimed first pass: bundles, JIT, pools. */
  warmup?: number;
  pollMs?: number;
  /** Give up on a round after this long; default max(300 s, 250 ms per person). */
  timeoutMs?: number;
  databaseUrl?: string;
  temporalAddress?: string;
  namespace?: string;
  /** Case worker processes (default 1, as in production); 0: one worker inside this process. */
  workers?: number;
  /** HOMEWARD_WORKER_MAX_CACHED_WORKFLOWS of the worker processes (default: the config's). */
  maxCachedWorkflows?: number;
  /** Where to write the JSON result; null: do not write. */
  out?: string | null;
  log?: (line: string) => void;
}

export interface OursRound {
  persons: number;
  /** Until the 202 came back (body upload, validation, rows, operation workflow start). */
  postMs: number;
  firstCaseOpenedMs: number;
  /** Until every case row was in the read model (the operation's batches write them first). */
  allRowsMs: number;
  /** Until every case is open in the read model with its case_opened event, and its workflow has run its first task. */
  totalMs: number;
  /** CPU time the worker processes used during the round, per case (null: worker in this process). */
  workerCpuMsPerCase: number | null;
  casesPerSecond: number;
  operationCompletedMs: number | null;
  /** Temporal runtime warnings during the round: workflow tasks over 5 s, timed out, other. */
  runtime: RuntimeWarnings;
}

export interface BareRound {
  starts: number;
  /** Until the last start call returned. */
  startCallsMs: number;
  /** Until every trivial workflow had run. */
  totalMs: number;
  startsPerSecond: number;
}

export interface IntakeRound {
  round: number;
  order: 'bare-first' | 'ours-first';
  ours: OursRound;
  bare: BareRound;
  ratio: number;
}

export interface IntakeBenchResult {
  benchmark: 'intake';
  date: string;
  machine: MachineInfo;
  servers: { temporal: 'own dev server (in memory)' | 'given'; temporalVersion: string | null; database: string };
  settings: {
    persons: number;
    rounds: number;
    warmup: number;
    pollMs: number;
    startConcurrency: number;
    operationBatchSize: number;
    databasePoolSize: number;
    workerProcesses: number;
    maxCachedWorkflows: number;
  };
  /** Resident memory of each worker process, after start and after the last round (MB). */
  workerMemory: { startMb: number[]; endMb: number[]; openCaseWorkflows: number; cachedAtMost: number; perCachedWorkflowKb: number | null };
  target: { minRatio: number };
  rounds: IntakeRound[];
  summary: {
    oursCasesPerSecond: number;
    bareStartsPerSecond: number;
    /** median(ours) / median(bare). */
    ratio: number;
    withinTarget: boolean;
    oursMedianTotalMs: number;
    bareMedianTotalMs: number;
  };
}

async function runOurs(stack: Stack, consulateId: string, caseworker: string, persons: number, pollMs: number, timeoutMs: number, log: (l: string) => void): Promise<OursRound> {
  const warningsAtStart = runtimeWarnings();
  const workerCpu = () => (stack.workerPids.length === 0 ? null : stack.workerPids.reduce((sum, pid) => sum + (cpuMs(pid) ?? Number.NaN), 0));
  const cpuAtStart = workerCpu();
  const tasksAtStart = await stack.workflowTasksRun('caseWorkflow');
  const body = { name: `bench raid ${randomUUID().slice(0, 6)}`, country: 'MM', site: 'KK Park', date: '2026-11-20', consulateId, persons: raidPersons(persons) };
  const payload = JSON.stringify(body);
  const t0 = performance.now();
  const res = await fetch(`${stack.baseUrl}/v1/operations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${caseworker}`, 'content-type': 'application/json' },
    body: payload,
  });
  const text = await res.text();
  const postMs = performance.now() - t0;
  if (res.status !== 202) throw new Error(`POST /v1/operations: ${res.status} ${text.slice(0, 500)}`);
  const opId = (JSON.parse(text) as { id: string }).id;

  let firstCaseOpenedMs = Number.NaN;
  let allRowsMs = Number.NaN;
  let operationCompletedMs: number | null = null;
  let nextProgress = 15_000;
  for (;;) {
    const r = await stack.observerDb.$client.query<{ open: number; started: number; pending: number; status: string }>(
      `select (select count(*)::int from cases where operation_id = $1 and status = 'open') as open,
              (select count(*)::int from case_events e join cases c on c.id = e.case_id
                where c.operation_id = $1 and e.type = 'case_opened') as started,
              (select count(*)::int from operation_persons where operation_id = $1 and outcome is null) as pending,
              (select status from operations where id = $1) as status`,
      [opId],
    );
    const now = performance.now() - t0;
    const last = r.rows[0]!;
    if (last.started > 0 && Number.isNaN(firstCaseOpenedMs)) firstCaseOpenedMs = now;
    if (last.open === persons && Number.isNaN(allRowsMs)) allRowsMs = now;
    if (now > nextProgress) {
      log(`    ${Math.round(now / 1000)} s: ${last.open} rows open, ${last.started} case_opened`);
      nextProgress += 15_000;
    }
    if (last.status === 'completed' && operationCompletedMs === null) operationCompletedMs = now;
    if (last.open === persons && last.started === persons && last.status === 'completed') {
      // Every workflow is started: now until each has run its first workflow task. The workers'
      // own count of case workflow tasks says when (one scrape per poll); every case is then
      // checked with Temporal, untimed unless some had not run yet (then until they had).
      const elapsed = () => performance.now() - t0;
      let end = elapsed();
      if (tasksAtStart !== null) {
        while ((await stack.workflowTasksRun('caseWorkflow'))! - tasksAtStart < persons) {
          if (elapsed() > timeoutMs) throw new Error(`operation ${opId}: the workers ran fewer than ${persons} case workflow tasks in ${Math.round(elapsed() / 1000)} s`);
          await pollPause(pollMs, elapsed());
        }
        end = elapsed();
      }
      const ids = await stack.observerDb.$client.query<{ case_id: string }>(
        `select case_id from operation_persons where operation_id = $1 and outcome = 'opened' order by idx`,
        [opId],
      );
      const late = await everyFirstTaskRun(stack, ids.rows.map((r) => r.case_id), pollMs, elapsed, timeoutMs);
      if (late !== null || tasksAtStart === null) end = late ?? elapsed();
      return {
        persons,
        postMs: round(postMs, 1),
        firstCaseOpenedMs: round(firstCaseOpenedMs, 1),
        allRowsMs: round(allRowsMs, 1),
        totalMs: round(end, 1),
        casesPerSecond: round(persons / (end / 1000), 1),
        workerCpuMsPerCase: cpuAtStart === null ? null : round((workerCpu()! - cpuAtStart) / persons, 2),
        operationCompletedMs: operationCompletedMs === null ? null : round(operationCompletedMs, 1),
        runtime: runtimeWarnings(warningsAtStart),
      };
    }
    if (last.status === 'failed') throw new Error(`operation ${opId} failed: ${JSON.stringify(last)}`);
    if (last.status === 'completed' && last.pending > 0) {
      // Seen on a loaded machine: the operation workflow is started inside the POST's transaction,
      // so its first batch can run before the commit, find no operation and finish at once.
      throw new Error(`operation ${opId} is completed with ${last.pending} of ${persons} persons never processed (${last.open} cases open)`);
    }
    if (now > timeoutMs) throw new Error(`operation ${opId}: only ${last.open} open and ${last.started} started of ${persons} after ${Math.round(now / 1000)} s`);
    await pollPause(pollMs, now);
  }
}

/**
 * Polling costs the database and Temporal (and so the run) too: every pollMs at first, then about 1%
 * of the time so far (at most 1 s), which bounds the error on the end time to about 1%.
 */
const pollPause = (pollMs: number, elapsedMs: number) => sleep(Math.min(1_000, Math.max(pollMs, elapsedMs / 100)));

/**
 * Checks that every case workflow has completed its first workflow task (a history of at least
 * started, task scheduled, task started, task completed), looking again at those that have not
 * until none is left. Returns when the last straggler was seen to have run, or null if none was
 * left at the first look.
 */
async function everyFirstTaskRun(stack: Stack, caseIds: string[], pollMs: number, elapsedMs: () => number, timeoutMs: number): Promise<number | null> {
  const ran = async (caseId: string) => (await stack.apiTemporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).historyLength >= 4;
  let remaining = caseIds;
  for (let look = 0; ; look++) {
    const still: string[] = [];
    await inPool(remaining, START_CONCURRENCY, async (id) => {
      if (!(await ran(id))) still.push(id);
    });
    if (still.length === 0) return look === 0 ? null : elapsedMs();
    if (elapsedMs() > timeoutMs) throw new Error(`${still.length} case workflows had not run their first task after ${Math.round(elapsedMs() / 1000)} s`);
    remaining = still;
    await pollPause(pollMs, elapsedMs());
  }
}

async function runBare(bare: BareWorker, tally: { started: number }, starts: number, concurrency: number, timeoutMs: number): Promise<BareRound> {
  const prefix = `bench-noop-${randomUUID().slice(0, 8)}`;
  const ids = Array.from({ length: starts }, (_, i) => `${prefix}-${i}`);
  const pending = new Set(ids);
  let t0 = 0;
  const allRan = new Promise<number>((resolve) => {
    bare.onDone = (id) => {
      if (pending.delete(id) && pending.size === 0) resolve(performance.now() - t0);
    };
  });
  t0 = performance.now();
  await inPool(ids, concurrency, async (workflowId) => {
    await bare.client.workflow.start<typeof noopWorkflow>('noopWorkflow', { workflowId, taskQueue: bare.taskQueue, args: [] });
  });
  const startCallsMs = performance.now() - t0;
  let timer: NodeJS.Timeout | undefined;
  const totalMs = await Promise.race([allRan, new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Number.NaN), timeoutMs)))]);
  clearTimeout(timer);
  bare.onDone = undefined;
  if (Number.isNaN(totalMs)) throw new Error(`bare: ${pending.size} of ${starts} trivial workflows never ran`);
  tally.started += starts;
  await confirmCompleted(bare, tally.started);
  return { starts, startCallsMs: round(startCallsMs, 1), totalMs: round(totalMs, 1), startsPerSecond: round(starts / (totalMs / 1000), 1) };
}

/** Untimed: the server lists every trivial workflow started so far as Completed. */
async function confirmCompleted(bare: BareWorker, expected: number): Promise<void> {
  const query = `TaskQueue = "${bare.taskQueue}" AND ExecutionStatus = "Completed"`;
  const deadline = Date.now() + 60_000;
  let count = 0;
  while (Date.now() < deadline) {
    count = (await bare.client.workflow.count(query)).count;
    if (count >= expected) return;
    await sleep(250);
  }
  throw new Error(`bare: the server lists ${count} of ${expected} trivial workflows as Completed`);
}

export async function runIntakeBench(opts: IntakeBenchOptions = {}): Promise<IntakeBenchResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const persons = opts.persons ?? 1_000;
  const rounds = opts.rounds ?? 3;
  const warmup = opts.warmup ?? 50;
  const pollMs = opts.pollMs ?? 25;
  const timeoutMs = opts.timeoutMs ?? Math.max(300_000, persons * 250);
  if (!(persons >= 1 && persons <= 10_000)) throw new Error('--persons must be between 1 and 10,000 (the API limit of one operation)');

  const servers = await benchServers('intake', { databaseUrl: opts.databaseUrl, temporalAddress: opts.temporalAddress, namespace: opts.namespace, log });
  let stack: Stack | undefined;
  let bare: BareWorker | undefined;
  try {
    const machine = await machineInfo(servers.databaseUrl);
    const workerProcesses = opts.workers ?? 1;
    stack = await startStack({
      databaseUrl: servers.databaseUrl,
      temporalAddress: servers.temporalAddress,
      namespace: servers.namespace,
      workerProcesses,
      workerEnv: opts.maxCachedWorkflows === undefined ? undefined : { HOMEWARD_WORKER_MAX_CACHED_WORKFLOWS: String(opts.maxCachedWorkflows) },
    });
    const maxCached = opts.maxCachedWorkflows ?? stack.config.worker.maxCachedWorkflows;
    const mb = (pid: number) => round((residentBytes(pid) ?? Number.NaN) / 2 ** 20, 1);
    const startMb = stack.workerPids.map(mb);
    bare = await startBareWorker({ address: servers.temporalAddress, namespace: servers.namespace });
    const consulateId = await stack.createConsulate();
    const caseworker = await stack.token('caseworker', { office: stack.office });
    const tally = { started: 0 };

    log(`intake: ${persons.toLocaleString('en')} persons × ${rounds} rounds; ${START_CONCURRENCY} starts in flight; warm-up ${warmup}`);
    if (warmup > 0) {
      await runBare(bare, tally, warmup, START_CONCURRENCY, timeoutMs);
      await runOurs(stack, consulateId, caseworker, warmup, pollMs, timeoutMs, log);
    }

    const results: IntakeRound[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? 'bare-first' : 'ours-first';
      let ours: OursRound;
      let bareRound: BareRound;
      const doBare = async () => {
        const b = await runBare(bare!, tally, persons, START_CONCURRENCY, timeoutMs);
        log(`    bare: ${b.startsPerSecond}/s in ${(b.totalMs / 1000).toFixed(1)} s`);
        return b;
      };
      const doOurs = async () => {
        const o = await runOurs(stack!, consulateId, caseworker, persons, pollMs, timeoutMs, log);
        log(`    ours: ${o.casesPerSecond}/s in ${(o.totalMs / 1000).toFixed(1)} s (operation completed ${((o.operationCompletedMs ?? Number.NaN) / 1000).toFixed(1)} s)`);
        return o;
      };
      if (order === 'bare-first') {
        bareRound = await doBare();
        await sleep(1_000);
        ours = await doOurs();
      } else {
        ours = await doOurs();
        await sleep(1_000);
        bareRound = await doBare();
      }
      const ratio = round(ours.casesPerSecond / bareRound.startsPerSecond, 3);
      results.push({ round: r + 1, order, ours, bare: bareRound, ratio });
      log(`  round ${r + 1} (${order}): ours ${ours.casesPerSecond}/s in ${(ours.totalMs / 1000).toFixed(1)} s; bare ${bareRound.startsPerSecond}/s in ${(bareRound.totalMs / 1000).toFixed(1)} s; ratio ${ratio}`);
      await sleep(1_000);
    }

    const endMb = stack.workerPids.map(mb);
    // Every case opened here stays open (its workflow waits for its next step), so each worker holds
    // its share of them in its cache, up to the limit; the memory they add is the growth of the workers.
    const openCaseWorkflows = warmup + persons * rounds;
    const cachedAtMost = Math.min(openCaseWorkflows, maxCached * Math.max(1, workerProcesses));
    const grownMb = endMb.reduce((a, b) => a + b, 0) - startMb.reduce((a, b) => a + b, 0);
    const perCachedWorkflowKb = workerProcesses > 0 && Number.isFinite(grownMb) ? round((grownMb * 1024) / cachedAtMost, 1) : null;
    const oursRate = round(median(results.map((x) => x.ours.casesPerSecond)), 1);
    const bareRate = round(median(results.map((x) => x.bare.startsPerSecond)), 1);
    const ratio = round(oursRate / bareRate, 3);
    const result: IntakeBenchResult = {
      benchmark: 'intake',
      date: new Date().toISOString(),
      machine: finishMachineInfo(machine),
      servers: {
        temporal: servers.ownTemporal ? 'own dev server (in memory)' : 'given',
        temporalVersion: servers.temporalVersion,
        database: new URL(servers.databaseUrl).pathname.slice(1),
      },
      settings: {
        persons,
        rounds,
        warmup,
        pollMs,
        startConcurrency: START_CONCURRENCY,
        operationBatchSize: OPERATION_BATCH_SIZE,
        databasePoolSize: stack.config.databasePoolSize,
        workerProcesses,
        maxCachedWorkflows: maxCached,
      },
      workerMemory: { startMb, endMb, openCaseWorkflows, cachedAtMost, perCachedWorkflowKb },
      target: { minRatio: TARGET_MIN_RATIO },
      rounds: results,
      summary: {
        oursCasesPerSecond: oursRate,
        bareStartsPerSecond: bareRate,
        ratio,
        withinTarget: ratio >= TARGET_MIN_RATIO,
        oursMedianTotalMs: round(median(results.map((x) => x.ours.totalMs)), 1),
        bareMedianTotalMs: round(median(results.map((x) => x.bare.totalMs)), 1),
      },
    };
    log('');
    log(
      formatTable(
        ['round', 'order', 'ours cases/s', 'ours total s', 'POST→202 s', 'first case_opened s', 'all rows s', 'worker CPU ms/case', 'WFT > 5 s', 'WFT timed out', 'bare starts/s', 'bare total s', 'ours/bare'],
        results.map((x) => [
          x.round,
          x.order,
          x.ours.casesPerSecond,
          x.ours.totalMs / 1000,
          x.ours.postMs / 1000,
          x.ours.firstCaseOpenedMs / 1000,
          x.ours.allRowsMs / 1000,
          x.ours.workerCpuMsPerCase ?? '-',
          x.ours.runtime.slowWorkflowTasks,
          x.ours.runtime.workflowTasksLost,
          x.bare.startsPerSecond,
          x.bare.totalMs / 1000,
          x.ratio,
        ]),
      ),
    );
    log('');
    log(
      formatTable(
        ['median', 'ours cases/s', 'bare starts/s', 'ours/bare', 'target', 'met'],
        [[`${persons.toLocaleString('en')} persons`, oursRate, bareRate, ratio, `>= ${TARGET_MIN_RATIO}`, ratio >= TARGET_MIN_RATIO ? 'yes' : 'NO']],
      ),
    );
    if (workerProcesses > 0) {
      log(`workers: ${workerProcesses} process(es), resident ${startMb.join(' / ')} MB after start, ${endMb.join(' / ')} MB at the end; ${openCaseWorkflows} case workflows open, at most ${cachedAtMost} cached: ${perCachedWorkflowKb ?? '?'} KB each`);
    }
    log(`machine: ${machine.cores} cores, ${machine.memoryGb} GB, node ${machine.node}, PostgreSQL ${machine.postgres ?? '?'}; ${START_CONCURRENCY} starts in flight (both)`);
    saveResults('intake', opts.out, result, log);
    return result;
  } finally {
    await bare?.stop();
    await stack?.stop();
    await servers.stop();
  }
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      persons: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      'poll-ms': { type: 'string' },
      workers: { type: 'string' },
      'max-cached-workflows': { type: 'string' },
      'timeout-s': { type: 'string' },
      'database-url': { type: 'string' },
      'temporal-address': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('npm run bench:intake -- [--persons 1000] [--rounds 3] [--warmup 50] [--poll-ms 25] [--workers 1] [--max-cached-workflows N] [--timeout-s S] [--database-url URL] [--temporal-address HOST:PORT] [--out FILE]');
    process.exit(0);
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v.replaceAll('_', '').replaceAll(',', '')));
  runIntakeBench({
    persons: num(values.persons),
    rounds: num(values.rounds),
    warmup: num(values.warmup),
    pollMs: num(values['poll-ms']),
    workers: num(values.workers),
    maxCachedWorkflows: num(values['max-cached-workflows']),
    timeoutMs: values['timeout-s'] === undefined ? undefined : Number(values['timeout-s']) * 1000,
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
