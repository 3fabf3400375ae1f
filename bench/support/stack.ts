// Homeward as it runs in production: the Express app in this process, listening on an ephemeral
// port (called over real HTTP), and the case workers as processes of their own (worker/main.ts, as
// `npm start`, compose and the image run them), each with a PostgreSQL pool and a Temporal
// connection of its own (pools of DATABASE_POOL_SIZE, default 10). `workerProcesses: 0` runs one
// worker in this process instead, as the benchmarks did before, for comparison. The benchmark's
// own observer queries get a third small pool.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../config/index.js';
import { createDb, type Db } from '../../db/client.js';
import { createIdentityHasher } from '../../db/identity.js';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../api/logger.js';
import { createTemporalClient } from '../../temporal/client.js';
import { NativeConnection, createCaseWorker } from '../../worker/worker.js';
import { mintToken } from '../../scripts/token.js';
import { freePort } from '../../scripts/temporal-server.js';
import { type ChildHandle, startWorkerProcess } from '../../test/support/child-processes.js';

let runtimeInstalled = false;
const warnings = { slowWorkflowTasks: 0, workflowTasksLost: 0, other: 0 };
const PRINTED_WARNINGS = 5;

/**
 * Warnings of the Temporal runtime since the process started: workflow tasks over 5 s (TMPRL1104),
 * workflow tasks the server no longer knew when the worker completed them (timed out), others.
 */
export interface RuntimeWarnings {
  slowWorkflowTasks: number;
  workflowTasksLost: number;
  other: number;
}
export function runtimeWarnings(since?: RuntimeWarnings): RuntimeWarnings {
  if (!since) return { ...warnings };
  return {
    slowWorkflowTasks: warnings.slowWorkflowTasks - since.slowWorkflowTasks,
    workflowTasksLost: warnings.workflowTasksLost - since.workflowTasksLost,
    other: warnings.other - since.other,
  };
}

function detail(meta: Record<string, unknown> | undefined): string {
  const err = meta?.error ?? meta?.failure;
  if (err instanceof Error) return `: ${err.name}: ${err.message}`;
  if (err !== undefined) return `: ${JSON.stringify(err).slice(0, 500)}`;
  return '';
}

/**
 * Worker chatter would bury the tables: warnings and errors are counted for the results, and only
 * the first few of the unexpected ones are printed. Once per process.
 */
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      // Core's own warnings are forwarded to the logger below instead of going straight to stderr.
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
      logger: new DefaultLogger('WARN', (entry) => {
        if (entry.message.includes('TMPRL1104')) warnings.slowWorkflowTasks += 1;
        else if (/Task not found when completing|untracked local activity/.test(entry.message)) warnings.workflowTasksLost += 1;
        else if (++warnings.other <= PRINTED_WARNINGS) console.warn(`[temporal ${entry.level}] ${entry.message}${detail(entry.meta)}`);
      }),
    });
  } catch {
    // already installed in this process (a harness did it first)
  }
}

export interface StackOptions {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  /** HOMEWARD_TIME_SCALE of the cases opened here. */
  timeScale?: number;
  /** More environment for loadConfig (e.g. DATABASE_POOL_SIZE). */
  env?: Record<string, string>;
  /** Worker processes to run (default 1); 0: one worker inside this process. */
  workerProcesses?: number;
  /** More environment for the worker processes only (e.g. HOMEWARD_WORKER_MAX_CACHED_WORKFLOWS). */
  workerEnv?: Record<string, string>;
}

/** Resident memory of a process in bytes (Linux), or null where /proc is not there. */
export function residentBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export async function startStack(opts: StackOptions) {
  const config: Config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: opts.databaseUrl,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_NAMESPACE: opts.namespace,
    TEMPORAL_TASK_QUEUE: `bench-cases-${randomUUID().slice(0, 8)}`,
    HOMEWARD_TIME_SCALE: String(opts.timeScale ?? 1),
    LOG_LEVEL: 'silent',
    // The benchmark is one caller making thousands of requests a minute.
    RATE_LIMIT_PER_MINUTE: '100000000',
    // Rounds follow each other faster than the operation rows are marked completed.
    HOMEWARD_MAX_RUNNING_OPERATIONS_PER_OFFICE: '1000',
    ...opts.env,
  });
  quietTemporalRuntime();
  const hasher = createIdentityHasher(config);

  // The API's side.
  const apiDb = createDb(config.databaseUrl, config.databasePoolSize);
  const apiConnection = await Connection.connect({ address: opts.temporalAddress });
  const apiTemporal = createTemporalClient(apiConnection, config);
  const app = createApp({ config, db: apiDb, temporal: apiTemporal, hasher, logger: createLogger('silent') });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 60_000;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The worker's side.
  const workerCount = opts.workerProcesses ?? 1;
  const workers: ChildHandle[] = [];
  const workerMetricsUrls: string[] = [];
  let inProcess: { stop(): Promise<void> } | undefined;
  if (workerCount === 0) inProcess = await startInProcessWorker(config, opts.temporalAddress, hasher);
  else {
    // One after the other: each runs the migrations and registers the retention schedule on start.
    // Each exports its Temporal SDK metrics (as in production with HOMEWARD_WORKER_METRICS_PORT), which
    // the benchmarks read to know how many workflow tasks the workers have run.
    for (let i = 0; i < workerCount; i++) {
      const port = await freePort();
      workerMetricsUrls.push(`http://127.0.0.1:${port}/metrics`);
      workers.push(
        await startWorkerProcess(config, { LOG_LEVEL: 'warn', HOMEWARD_WORKER_METRICS_HOST: '127.0.0.1', HOMEWARD_WORKER_METRICS_PORT: String(port), ...opts.workerEnv }),
      );
    }
  }

  // The benchmark's own reads (progress polling, counting), off the app's pools.
  const observerDb: Db = createDb(config.databaseUrl, 2);

  const office = `bench-${randomUUID().slice(0, 8)}`;
  const secret = config.auth.jwtSecret!;
  const token = (role: string, claims: { office?: string; agency?: string; sub?: string } = {}) =>
    mintToken(secret, { sub: claims.sub ?? `${role}-${randomUUID().slice(0, 6)}`, role, office: claims.office, agency: claims.agency });

  /** Sends a JSON request over the listening server; throws unless the status is `expect`. */
  async function request<T = unknown>(method: string, pathname: string, tok: string, body?: unknown, expect?: number): Promise<{ status: number; body: T }> {
    const res = await fetch(`${baseUrl}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : undefined) as T;
    if (expect !== undefined && res.status !== expect) throw new Error(`${method} ${pathname}: expected ${expect}, got ${res.status} ${text.slice(0, 500)}`);
    return { status: res.status, body: parsed };
  }

  async function createConsulate(id = `consulate-${randomUUID().slice(0, 8)}`): Promise<string> {
    const admin = await token('admin');
    await request('POST', '/v1/agencies', admin, { id, kind: 'consulate', name: `Consulate ${id}`, country: 'TH', city: 'Bangkok' }, 201);
    return id;
  }

  let stopped = false;
  return {
    config,
    baseUrl,
    /** A supertest agent bound to the listening server (for test/support/drive.ts). */
    http: supertest(baseUrl),
    apiTemporal,
    observerDb,
    /** The worker processes' ids (none when the worker runs in this process). */
    workerPids: workers.map((w) => w.pid),
    /**
     * Workflow tasks of `workflowType` the worker processes have run so far (the SDK's
     * temporal_workflow_task_execution_latency count), or null when the worker runs in this process.
     */
    async workflowTasksRun(workflowType: string): Promise<number | null> {
      if (workerMetricsUrls.length === 0) return null;
      const texts = await Promise.all(workerMetricsUrls.map(async (url) => (await fetch(url)).text()));
      const series = new RegExp(`^temporal_workflow_task_execution_latency_seconds_count\\{[^}]*workflow_type="${workflowType}"[^}]*\\} (\\S+)$`, 'gm');
      return texts.reduce((sum, text) => sum + [...text.matchAll(series)].reduce((n, m) => n + Number(m[1]), 0), 0);
    },
    office,
    token,
    request,
    createConsulate,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await inProcess?.stop();
      // SIGTERM: the SDK's own shutdown lets running tasks finish, as in a deploy.
      await Promise.allSettled(workers.map((w) => w.kill('SIGTERM')));
      await Promise.allSettled([apiConnection.close()]);
      await Promise.allSettled([apiDb.$client.end(), observerDb.$client.end()]);
    },
  };
}

/** A case worker inside this process (the benchmarks' layout before the worker got its own process). */
async function startInProcessWorker(config: Config, temporalAddress: string, hasher: ReturnType<typeof createIdentityHasher>) {
  const workerDb = createDb(config.databaseUrl, config.databasePoolSize);
  const workerClientConnection = await Connection.connect({ address: temporalAddress });
  const workerTemporal = createTemporalClient(workerClientConnection, config);
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await createCaseWorker({ config, connection: nativeConnection, db: workerDb, hasher, temporal: workerTemporal });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await workerClientConnection.close();
      await workerDb.$client.end();
    },
  };
}
