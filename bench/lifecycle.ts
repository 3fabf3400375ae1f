// The `lifecycle` benchmark: whole cases, from open to closed, and what each costs in Temporal.
//   npm run bench:lifecycle -- [--cases 20] [--concurrency 4] [--follow-up-seconds 4] [--time-scale X]
//                              [--database-url URL] [--temporal-address HOST:PORT] [--out FILE]
//
// N cases are driven through the API over real HTTP (test/support/drive.ts, the same paths as the
// tests and the history recorder), `--concurrency` at a time: open (every other case at risk, so its
// consulate gets all four tasks instead of two), confirm the location, extraction, the consulate
// completes its tasks, return travel, the immigration authority completes its review, assessment,
// placement, the three employment follow-ups as each arrives on its day, and the supervisor approves
// the closure that the last follow-up requests; a case is done when its workflow has completed.
//
// The case clock runs fast (HOMEWARD_TIME_SCALE small) so that the follow-ups, 30, 90 and 180 days
// after placement, arrive within seconds: by default 180 days last `--follow-up-seconds` (4) s, so
// a day lasts about 22 ms. Agency tasks are then due within tens of milliseconds: whether their
// reminders and escalations fire before the agency answers is a race (the dev server fires short
// timers late, often by hundreds of milliseconds), so the timeline table shows what the clock did.
//
// Measured: completed cases per second (N / wall time), each case's duration, and from Temporal's
// history of every run of each case workflow (fetchHistory, following continue-as-new back to the
// first run): events per case (min/median/max; target: under 200) and payload bytes per case (the
// `data` of every payload in the events: inputs, results, update arguments and outcomes, markers;
// search attribute values counted apart).
//
// There is no bare equivalent of a case; the baseline is what the bare SDK pays per update on a
// trivial workflow (events and payload bytes per no-op update, and per update that awaits one
// no-op activity, the skeleton of one of our steps), measured on the same server in the same run.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { caseWorkflowId } from '../domain/ids.js';
import { DAY_MS } from '../domain/policy.js';
import * as drive from '../test/support/drive.js';
import { startBareWorker } from './support/bare.js';
import { type HistoryCost, fetchAllRuns, historyCost } from './support/history.js';
import { inPool } from './support/pool.js';
import { finishMachineInfo, isMain, machineInfo, saveResults, type MachineInfo } from './support/results.js';
import { benchServers } from './support/servers.js';
import { type RuntimeWarnings, runtimeWarnings, startStack, type Stack } from './support/stack.js';
import { type Distribution, distribution, mean, round, spread } from './support/stats.js';
import { formatTable } from './support/table.js';
import { activityUpdate, finishSignal, noopUpdate, type idleWorkflow } from './support/workflows.js';

export const TARGET_MAX_EVENTS = 200;
const FOLLOW_UP_LAST_DAY = 180;

export interface LifecycleBenchOptions {
  cases?: number;
  concurrency?: number;
  /** How long the 180 days from placement to the last follow-up take; sets the time scale. */
  followUpSeconds?: number;
  /** HOMEWARD_TIME_SCALE itself (overrides followUpSeconds). */
  timeScale?: number;
  /** Updates sent to the trivial workflow for the per-update baseline. */
  baselineUpdates?: number;
  databaseUrl?: string;
  temporalAddress?: string;
  namespace?: string;
  out?: string | null;
  log?: (line: string) => void;
}

type Spread = ReturnType<typeof spread>;

export interface PerUpdateBaseline {
  updates: number;
  eventsPerUpdate: number;
  payloadBytesPerUpdate: number;
}

export interface LifecycleBenchResult {
  benchmark: 'lifecycle';
  date: string;
  machine: MachineInfo;
  servers: { temporal: string; temporalVersion: string | null; database: string };
  settings: { cases: number; concurrency: number; timeScale: number; dayMs: number; followUpDays: number; databasePoolSize: number };
  target: { maxEventsPerCase: number };
  throughput: { wallMs: number; casesPerSecond: number };
  caseDurationMs: Distribution;
  perCase: {
    events: Spread;
    runs: Spread;
    payloadBytes: Spread;
    searchAttributeBytes: Spread;
    /** Steps of the case (each a persist activity), and what triggered them. */
    updates: Spread;
    timersFired: Spread;
    /** Activities scheduled plus markers (local activities, patches). */
    activitiesAndMarkers: Spread;
  };
  /** Mean per case, by history event type. */
  eventTypes: Record<string, { events: number; payloadBytes: number }>;
  /** Mean per case, by timeline (case_events) type: what the steps did. */
  timeline: Record<string, number>;
  summary: { medianEventsPerCase: number; maxEventsPerCase: number; withinTarget: boolean; medianPayloadBytesPerCase: number };
  baseline: {
    /** A trivial workflow started and told to finish, no update. */
    emptyWorkflow: { events: number; payloadBytes: number };
    noopUpdate: PerUpdateBaseline;
    activityUpdate: PerUpdateBaseline;
  };
  /** Temporal runtime warnings during the run (workflow tasks over 5 s, lost to a timeout, other). */
  runtime: RuntimeWarnings;
}

/** Every other case is at risk (abused): its consulate gets all four tasks instead of two. */
async function driveCase(stack: Stack, p: drive.People, consulateId: string, atRisk: boolean): Promise<string> {
  const http = stack.http;
  const c = await drive.openCase(http, p.caseworker, consulateId, atRisk ? { riskFlags: ['abused'] } : {});
  await drive.toEmployment(http, p, c.id);
  await drive.act(http, p.caseworker, c.id, { type: 'record_assessment', skills: ['sewing'], education: 'secondary', preferredRegion: 'NCR', needs: [] });
  await drive.act(http, p.caseworker, c.id, { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
  for (let done = 0; done < 3; done++) {
    const [task] = await drive.waitFor(
      `follow-up ${done + 1}`,
      async () => {
        const open = await drive.openTasksOf(http, p.caseworker, c.id, 'follow_up');
        return open.length > 0 ? open : undefined;
      },
      120_000,
      50,
    );
    await drive.act(http, p.caseworker, c.id, { type: 'record_follow_up', taskId: task!.id, outcome: 'employed' });
  }
  // The last follow-up's step opened the closure approval before it answered.
  await drive.approveClosure(http, p, c.id);
  await stack.apiTemporal.workflow.getHandle(caseWorkflowId(c.id)).result();
  return c.id;
}

async function perUpdateBaseline(client: Client, taskQueue: string, updates: number): Promise<{ empty: HistoryCost; noop: PerUpdateBaseline; activity: PerUpdateBaseline }> {
  const run = async (kind: 'empty' | 'noop' | 'activity') => {
    const handle = await client.workflow.start<typeof idleWorkflow>('idleWorkflow', { workflowId: `bench-lifecycle-${kind}-${Date.now()}`, taskQueue, args: [] });
    for (let i = 0; kind !== 'empty' && i < updates; i++) {
      await handle.executeUpdate(kind === 'noop' ? noopUpdate : activityUpdate, { args: [{ type: 'add_note', text: `benchmark note ${i}` }] });
    }
    await handle.signal(finishSignal);
    await handle.result();
    return historyCost(await fetchAllRuns(client, handle.workflowId));
  };
  const empty = await run('empty');
  const per = (h: HistoryCost): PerUpdateBaseline => ({
    updates,
    eventsPerUpdate: round((h.events - empty.events) / updates, 2),
    payloadBytesPerUpdate: round((h.payloadBytes - empty.payloadBytes) / updates, 1),
  });
  return { empty, noop: per(await run('noop')), activity: per(await run('activity')) };
}

export async function runLifecycleBench(opts: LifecycleBenchOptions = {}): Promise<LifecycleBenchResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const n = opts.cases ?? 20;
  const concurrency = opts.concurrency ?? 4;
  const timeScale = opts.timeScale ?? (opts.followUpSeconds ?? 4) / ((FOLLOW_UP_LAST_DAY * DAY_MS) / 1000);
  const baselineUpdates = opts.baselineUpdates ?? 20;
  if (!(n >= 1) || !(concurrency >= 1)) throw new Error('--cases and --concurrency must be at least 1');

  const servers = await benchServers('lifecycle', { databaseUrl: opts.databaseUrl, temporalAddress: opts.temporalAddress, namespace: opts.namespace, log });
  let stack: Stack | undefined;
  let bare: Awaited<ReturnType<typeof startBareWorker>> | undefined;
  try {
    const machine = await machineInfo(servers.databaseUrl);
    const warningsAtStart = runtimeWarnings();
    stack = await startStack({ databaseUrl: servers.databaseUrl, temporalAddress: servers.temporalAddress, namespace: servers.namespace, timeScale });
    bare = await startBareWorker({ address: servers.temporalAddress, namespace: servers.namespace });
    const consulateId = await stack.createConsulate();
    const p = await drive.people(stack, consulateId);
    const dayMs = DAY_MS * timeScale;
    log(`lifecycle: ${n} cases, ${concurrency} at a time; a day lasts ${dayMs.toFixed(1)} ms (time scale ${timeScale.toExponential(3)})`);

    const caseIds: string[] = [];
    const durations: number[] = [];
    const t0 = performance.now();
    await inPool(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
      const started = performance.now();
      caseIds.push(await driveCase(stack!, p, consulateId, i % 2 === 1));
      durations.push(performance.now() - started);
      if (caseIds.length % Math.max(1, Math.round(n / 5)) === 0) log(`  ${caseIds.length} of ${n} closed`);
    });
    const wallMs = performance.now() - t0;

    // What each case cost in Temporal.
    const costs: HistoryCost[] = [];
    for (const id of caseIds) costs.push(historyCost(await fetchAllRuns(stack.apiTemporal, caseWorkflowId(id))));
    const per = (f: (c: HistoryCost) => number, digits = 1) => spread(costs.map(f), digits);
    const countOf = (c: HistoryCost, type: string) => c.byType[type]?.events ?? 0;
    const eventTypes: Record<string, { events: number; payloadBytes: number }> = {};
    for (const type of [...new Set(costs.flatMap((c) => Object.keys(c.byType)))].sort()) {
      eventTypes[type] = {
        events: round(mean(costs.map((c) => c.byType[type]?.events ?? 0)), 1),
        payloadBytes: round(mean(costs.map((c) => c.byType[type]?.payloadBytes ?? 0)), 0),
      };
    }
    const tl = await stack.observerDb.$client.query<{ type: string; n: number }>(
      'select type, count(*)::int as n from case_events where case_id = any($1::uuid[]) group by type order by type',
      [caseIds],
    );
    const timeline = Object.fromEntries(tl.rows.map((r) => [r.type, round(r.n / n, 2)]));

    const baseline = await perUpdateBaseline(bare.client, bare.taskQueue, baselineUpdates);
    const events = per((c) => c.events);
    const warnings = runtimeWarnings(warningsAtStart);
    const result: LifecycleBenchResult = {
      benchmark: 'lifecycle',
      date: new Date().toISOString(),
      machine: finishMachineInfo(machine),
      servers: { temporal: servers.ownTemporal ? 'own dev server (in memory)' : 'given', temporalVersion: servers.temporalVersion, database: new URL(servers.databaseUrl).pathname.slice(1) },
      settings: { cases: n, concurrency, timeScale, dayMs: round(dayMs, 2), followUpDays: FOLLOW_UP_LAST_DAY, databasePoolSize: stack.config.databasePoolSize },
      target: { maxEventsPerCase: TARGET_MAX_EVENTS },
      throughput: { wallMs: round(wallMs, 0), casesPerSecond: round(n / (wallMs / 1000), 3) },
      caseDurationMs: distribution(durations, 0),
      perCase: {
        events,
        runs: per((c) => c.runs, 0),
        payloadBytes: per((c) => c.payloadBytes, 0),
        searchAttributeBytes: per((c) => c.searchAttributeBytes, 0),
        updates: per((c) => countOf(c, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')),
        timersFired: per((c) => countOf(c, 'TIMER_FIRED')),
        activitiesAndMarkers: per((c) => countOf(c, 'ACTIVITY_TASK_SCHEDULED') + countOf(c, 'MARKER_RECORDED')),
      },
      eventTypes,
      timeline,
      summary: { medianEventsPerCase: events.median, maxEventsPerCase: events.max, withinTarget: events.max < TARGET_MAX_EVENTS, medianPayloadBytesPerCase: per((c) => c.payloadBytes, 0).median },
      baseline: {
        emptyWorkflow: { events: baseline.empty.events, payloadBytes: baseline.empty.payloadBytes },
        noopUpdate: baseline.noop,
        activityUpdate: baseline.activity,
      },
      runtime: warnings,
    };

    const pc = result.perCase;
    log('');
    log(
      formatTable(
        ['per case', 'min', 'median', 'max', 'mean'],
        [
          ['history events', pc.events.min, pc.events.median, pc.events.max, pc.events.mean],
          ['  updates accepted', pc.updates.min, pc.updates.median, pc.updates.max, pc.updates.mean],
          ['  timers fired', pc.timersFired.min, pc.timersFired.median, pc.timersFired.max, pc.timersFired.mean],
          ['  activities + markers', pc.activitiesAndMarkers.min, pc.activitiesAndMarkers.median, pc.activitiesAndMarkers.max, pc.activitiesAndMarkers.mean],
          ['workflow runs', pc.runs.min, pc.runs.median, pc.runs.max, pc.runs.mean],
          ['payload bytes', pc.payloadBytes.min, pc.payloadBytes.median, pc.payloadBytes.max, pc.payloadBytes.mean],
          ['search attribute bytes', pc.searchAttributeBytes.min, pc.searchAttributeBytes.median, pc.searchAttributeBytes.max, pc.searchAttributeBytes.mean],
          ['duration s', result.caseDurationMs.min / 1000, result.caseDurationMs.p50 / 1000, result.caseDurationMs.max / 1000, result.caseDurationMs.mean / 1000],
        ],
      ),
    );
    log('');
    log(
      formatTable(
        ['history event type (mean per case)', 'events', 'payload bytes'],
        Object.entries(eventTypes).map(([t, v]) => [t, v.events, v.payloadBytes]),
      ),
    );
    log('');
    log(formatTable(['timeline event (mean per case)', 'count'], Object.entries(timeline).map(([t, v]) => [t, v])));
    log('');
    log(
      formatTable(
        ['bare SDK baseline (trivial workflow)', 'events', 'payload bytes'],
        [
          ['start + finish, no update', baseline.empty.events, baseline.empty.payloadBytes],
          ['per no-op update', baseline.noop.eventsPerUpdate, baseline.noop.payloadBytesPerUpdate],
          ['per update awaiting one activity', baseline.activity.eventsPerUpdate, baseline.activity.payloadBytesPerUpdate],
        ],
      ),
    );
    log('');
    log(
      formatTable(
        ['summary', 'cases', 'cases/s', 'events/case median', 'events/case max', 'payload KB/case median', 'target', 'met'],
        [[`${concurrency} at a time`, n, result.throughput.casesPerSecond, events.median, events.max, round(result.summary.medianPayloadBytesPerCase / 1024, 1), `< ${TARGET_MAX_EVENTS} events`, result.summary.withinTarget ? 'yes' : 'NO']],
      ),
    );
    log(`machine: ${machine.cores} cores, ${machine.memoryGb} GB, node ${machine.node}, PostgreSQL ${machine.postgres ?? '?'}; workflow tasks over 5 s: ${warnings.slowWorkflowTasks}, timed out: ${warnings.workflowTasksLost}`);
    saveResults('lifecycle', opts.out, result, log);
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
      cases: { type: 'string' },
      concurrency: { type: 'string' },
      'follow-up-seconds': { type: 'string' },
      'time-scale': { type: 'string' },
      'baseline-updates': { type: 'string' },
      'database-url': { type: 'string' },
      'temporal-address': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'npm run bench:lifecycle -- [--cases 20] [--concurrency 4] [--follow-up-seconds 4] [--time-scale X] [--baseline-updates 20] [--database-url URL] [--temporal-address HOST:PORT] [--out FILE]',
    );
    process.exit(0);
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  runLifecycleBench({
    cases: num(values.cases),
    concurrency: num(values.concurrency),
    followUpSeconds: num(values['follow-up-seconds']),
    timeScale: num(values['time-scale']),
    baselineUpdates: num(values['baseline-updates']),
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
