// The worker process: migrates the database, connects to Temporal and runs case workflows and
// activities until SIGINT/SIGTERM, then drains in-flight work before exiting.
import { type MetricsExporterConfig, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { type Config, exitOnStartFailure, loadConfig } from '../config/index.js';
import { createTemporalClient } from '../temporal/client.js';
import { createDb } from '../db/client.js';
import { createIdentityHasher } from '../db/identity.js';
import { migrateDatabase } from '../db/migrate.js';
import { ensureSearchAttributes } from '../temporal/search-attributes.js';
import { ensureRetentionSchedule } from '../temporal/retention-schedule.js';
import { NativeConnection, createCaseWorker } from './worker.js';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const address = config.temporal.address ?? '127.0.0.1:7233';
  // Once per process, before any native connection: the SDK's Prometheus exporter is part of the runtime.
  Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} }, metrics: workerMetrics(config) } });
  await migrateDatabase(config.databaseUrl);
  await ensureSearchAttributes(address, config.temporal.namespace);
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const temporal = createTemporalClient(clientConnection, config);
  const worker = await createCaseWorker({ config, connection, db, temporal, hasher: createIdentityHasher(config) });
  // The retention sweep's clock (idempotent: an existing schedule is brought up to date).
  await ensureRetentionSchedule(temporal, { taskQueue: config.temporal.taskQueue, timeScale: config.timeScale });
  // The SDK's default shutdown signals (SIGINT, SIGTERM) stop polling and let running tasks finish.
  console.log(`worker polling ${config.temporal.taskQueue} on ${address}`);
  if (config.metrics.worker) console.log(`worker metrics on http://${config.metrics.worker.host}:${config.metrics.worker.port}/metrics`);
  await worker.run();
  await connection.close();
  await clientConnection.close();
  await db.$client.end();
}

/**
 * The Temporal SDK's own metrics (workflow and activity tasks, pollers, sticky cache, requests to the
 * server), served by the SDK at http://<host>:<port>/metrics. Names follow Prometheus conventions:
 * seconds, `_total` on counters, the unit in the name (temporal_workflow_task_execution_latency_seconds).
 */
export function workerMetrics(config: Config): MetricsExporterConfig | undefined {
  const at = config.metrics.worker;
  if (!at) return undefined;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  return { prometheus: { bindAddress: `${host}:${at.port}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } };
}

// main.ts under tsx, main.js once compiled (npm run build).
if (/(^|[\\/])main\.[jt]s$/.test(process.argv[1] ?? '')) {
  runWorker().catch(exitOnStartFailure);
}
