// Ready means able to act: /readyz answers 503 until a worker polls the case task queue, 200 while one
// does, and 503 again after it has gone, while /healthz (liveness) stays 200 throughout. The worker
// container's healthcheck (scripts/worker-health.ts, a real process) follows the same worker.
// On a Temporal server of its own whose long polls end after 2 s instead of a minute: the server
// refreshes a poller's last-access time when a poll starts and ends, so with a 10 s age limit a
// stopped worker is noticed within seconds, and an idle live worker (polled every 2 s) never looks
// stale. The real case worker runs in this process, on a task queue of this test's own.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureSearchAttributes, startTemporalDevServer, type TemporalServerHandle } from '../../scripts/temporal-server.js';
import { NativeConnection, createCaseWorker } from '../../worker/worker.js';
import { type Harness, quietRuntime, startHarness } from '../support/harness.js';
import { waitFor } from '../support/drive.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LONG_POLL_S = 2;
const MAX_AGE_MS = 10_000;

let server: TemporalServerHandle;
let h: Harness;
beforeAll(async () => {
  // Before the dev server: the SDK brings up its runtime for it, which cannot be configured afterwards.
  quietRuntime();
  server = await startTemporalDevServer({ port: 0, uiPort: false, dbFile: null, dynamicConfig: { 'matching.longPollExpirationInterval': `${LONG_POLL_S}s` } });
  await ensureSearchAttributes(server.address, 'default');
  h = await startHarness({
    worker: false,
    config: { DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: server.address, HOMEWARD_WORKER_POLL_MAX_AGE_MS: String(MAX_AGE_MS) },
  });
});
afterAll(async () => {
  await h?.stop();
  await server?.stop();
});

const readyz = async () => {
  const res = await h.http.get('/readyz');
  return { status: res.status, body: res.body as { status: string; checks: Record<string, string>; reasons?: string[] } };
};

/** Runs the worker healthcheck as docker-compose.yml does; resolves with its exit code and output. */
function workerHealth(): Promise<{ code: number; output: string }> {
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: h.config.databaseUrl,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: h.config.temporal.taskQueue,
    HOMEWARD_WORKER_POLL_MAX_AGE_MS: String(MAX_AGE_MS),
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/worker-health.ts'], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout.trim() }),
    );
  });
}

describe('readiness follows the worker', () => {
  it('when no worker polls, then 503 naming the worker; when one starts, then 200; when it shuts down, then 503 again', async () => {
    const before = await readyz();
    expect(before.status).toBe(503);
    expect(before.body).toMatchObject({ status: 'unavailable', checks: { postgres: 'ok', temporal: 'ok', worker: 'down' } });
    expect(before.body.reasons).toEqual([`worker: no worker has polled task queue "${h.config.temporal.taskQueue}" for workflow tasks in the last 10 s`]);
    expect((await h.http.get('/healthz')).status).toBe(200);
    expect(await workerHealth()).toEqual({ code: 1, output: expect.stringMatching(/^unhealthy: on .+, no worker has polled task queue/) });

    quietRuntime();
    const connection = await NativeConnection.connect({ address: server.address });
    try {
      const worker = await createCaseWorker({ config: h.config, connection, db: h.db, hasher: h.hasher, temporal: h.temporal });
      const running = worker.run();

      const ready = await waitFor('/readyz to turn 200 once the worker polls', async () => {
        const r = await readyz();
        return r.status === 200 ? r : undefined;
      }, 30_000, 250);
      expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok', worker: 'ok' } });

      // An idle worker keeps answering: ready stays ready over several long polls, longer than the age limit.
      const watchUntil = Date.now() + MAX_AGE_MS + 2 * LONG_POLL_S * 1000;
      while (Date.now() < watchUntil) {
        expect((await readyz()).status).toBe(200);
        await new Promise((r) => setTimeout(r, 500));
      }

      expect(await workerHealth()).toEqual({ code: 0, output: expect.stringMatching(/^ok: a worker on .+ polls task queue/) });

      worker.shutdown();
      await running;
      const after = await waitFor('/readyz to turn 503 after the worker stopped', async () => {
        const r = await readyz();
        return r.status === 503 ? r : undefined;
      }, 30_000, 250);
      expect(after.body.checks).toEqual({ postgres: 'ok', temporal: 'ok', worker: 'down' });
      expect(after.body.reasons).toEqual([expect.stringMatching(/^worker: no worker has polled task queue ".+" for workflow tasks in the last 10 s \(the last poll was \d+ s ago\)$/)]);
      expect((await h.http.get('/healthz')).status).toBe(200);
      expect((await workerHealth()).code).toBe(1);
    } finally {
      await connection.close();
    }
  }, 180_000);
});
