// Healthcheck of a worker container (docker-compose.yml): exits 0 when a worker on this host has
// polled the case task queue lately, as the Temporal server sees it, otherwise 1 with the reason.
// The SDK names each worker `pid@hostname`, so this host's pollers are the ones of its own worker.
import os from 'node:os';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../config/index.js';
import { describePollers, judgeWorkers, pollersOfHost } from '../temporal/pollers.js';

const TIMEOUT_MS = 5_000;

async function main(): Promise<number> {
  const config = loadConfig();
  const { namespace, taskQueue } = config.temporal;
  // No retries: a healthcheck answers now, and the container runtime asks again.
  const connection = await Connection.connect({ address: config.temporal.address ?? '127.0.0.1:7233', connectTimeout: TIMEOUT_MS, interceptors: [] });
  try {
    const host = os.hostname();
    const verdict = judgeWorkers(pollersOfHost(await describePollers(connection, namespace, taskQueue, TIMEOUT_MS), host), taskQueue, config.workerPollMaxAgeMs);
    console.log(verdict.ok ? `ok: a worker on ${host} polls task queue "${taskQueue}"` : `unhealthy: on ${host}, ${verdict.reason}`);
    return verdict.ok ? 0 : 1;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.log(`unhealthy: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
