// The Temporal dev server of `npm start`, `npm run temporal`, the tests, the benchmarks and CI.
// @temporalio/testing's local dev-server support runs it (the CLI's `server start-dev` with ports,
// UI, SQLite file, search attributes and extra arguments). What is ours: finding the CLI
// (scripts/temporal-cli.ts), refusing a port that something else holds, reusing a server already on
// the dev port, and `--ensure-cli-only` for CI, which prints the CLI's path as the last stdout line.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Config, loadConfig } from '../config/index.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { ensureSearchAttributes, type Log } from '../temporal/search-attributes.js';
import { cliLookup, ensureTemporalCli as findCli } from './temporal-cli.js';

export { ensureSearchAttributes, type Log };

export interface TemporalServerHandle {
  /** host:port of the frontend gRPC endpoint. */
  address: string;
  namespace: string;
  /** Web UI, when a server was started with one. */
  uiUrl?: string;
  stop(): Promise<void>;
  /** Only for a server started here: SIGKILL, as a crash would end it; resolves once it has exited. */
  kill?(): Promise<void>;
}

export interface DevServerOptions {
  /** Frontend port; 0 or undefined picks a free one. */
  port?: number;
  /** Web UI port; 0 picks a free one; false or undefined runs headless. */
  uiPort?: number | false;
  /** SQLite file that persists the server's state; null or undefined keeps it in memory. */
  dbFile?: string | null;
  /** Created in addition to `default`, which the dev server always has. */
  namespace?: string;
  dynamicConfig?: Record<string, string | number | boolean>;
  log?: Log;
  /** Where TEMPORAL_CLI, PATH and the data folder come from; loadConfig() when omitted. */
  config?: Config;
}

// The SDK gives a server 5 s to answer; a loaded machine (two test files starting theirs at once)
// can take longer, and a second try usually makes it.
const START_ATTEMPTS = 3;
const defaultLog: Log = (msg) => process.stderr.write(`[temporal] ${msg}\n`);

/** Path of a usable `temporal` CLI: see scripts/temporal-cli.ts for where it looks, and in which order. */
export function ensureTemporalCli(log: Log = defaultLog, config: Config = loadConfig()): Promise<string> {
  return findCli(cliLookup(config), log);
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** True when a Temporal frontend answers at `address`. */
async function answersAsTemporal(address: string, timeoutMs = 2_000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    // No retry interceptor: a probe must fail fast.
    connection = await Connection.connect({ address, connectTimeout: timeoutMs, interceptors: [] });
    const conn = connection;
    await conn.withDeadline(Date.now() + timeoutMs, () => conn.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

const SEARCH_ATTRIBUTE_KEYS = Object.entries(CUSTOM_SEARCH_ATTRIBUTES).map(([name, type]) => defineSearchAttributeKey(name, SearchAttributeType[type]));

/** Starts `temporal server start-dev` through the SDK; resolves once it serves, search attributes registered. */
export async function startTemporalDevServer(opts: DevServerOptions = {}): Promise<TemporalServerHandle> {
  const log = opts.log ?? defaultLog;
  const config = opts.config ?? loadConfig();
  const cli = await ensureTemporalCli(log, config);
  const namespace = opts.namespace ?? 'default';
  // Checked here because the SDK's readiness probe would happily talk to whatever already owns the
  // port while our own server dies on the bind.
  if (opts.port && !(await portIsFree(opts.port))) throw new Error(`cannot start Temporal: port ${opts.port} on 127.0.0.1 is already in use`);
  const uiPort = opts.uiPort === 0 ? await freePort() : opts.uiPort || undefined;
  const dbFile = opts.dbFile ? path.resolve(opts.dbFile) : undefined;
  if (dbFile) fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  // The CLI parses each value as JSON, so strings need their quotes.
  const extraArgs = Object.entries(opts.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);

  log(`starting Temporal dev server (${dbFile ? `data ${dbFile}` : 'in memory'}) with ${cli}`);
  const started = Date.now();
  let env: TestWorkflowEnvironment | undefined;
  for (let attempt = 1; !env; attempt++) {
    try {
      env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: cli },
          port: opts.port || undefined,
          ui: uiPort !== undefined,
          uiPort,
          dbFilename: dbFile,
          namespace,
          searchAttributes: SEARCH_ATTRIBUTE_KEYS,
          extraArgs,
        },
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= START_ATTEMPTS || !/did not start within/.test(message)) throw new Error(`the Temporal dev server did not start: ${message}`, { cause: err });
      log(`the Temporal dev server did not answer in time (attempt ${attempt} of ${START_ATTEMPTS}); starting it again`);
    }
  }
  const uiUrl = uiPort === undefined ? undefined : `http://127.0.0.1:${uiPort}`;
  log(`Temporal dev server ready on ${env.address} in ${((Date.now() - started) / 1000).toFixed(1)} s${uiUrl ? `; UI ${uiUrl}` : ''}`);
  // The SDK ends its server with SIGKILL: a persisted server keeps what its SQLite file committed,
  // which is all a crash would leave too, so stop and kill are the same.
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= env.teardown());
  return { address: env.address, namespace, uiUrl, stop, kill: stop };
}

/**
 * The one entry point for `npm start` and `npm run temporal`: the server of TEMPORAL_ADDRESS, one
 * already running on the dev port, or a dev server started here with its state under the data folder.
 */
export async function bootTemporal(opts: { log?: Log; config?: Config } = {}): Promise<TemporalServerHandle> {
  const log = opts.log ?? defaultLog;
  const config = opts.config ?? loadConfig();
  const { namespace } = config.temporal;
  const noop = async () => undefined;

  if (config.temporal.address) {
    log(`using the Temporal server at ${config.temporal.address} from TEMPORAL_ADDRESS; not starting one`);
    await ensureSearchAttributes(config.temporal.address, namespace, log);
    return { address: config.temporal.address, namespace, stop: noop };
  }

  const { port, uiPort } = config.temporalDevServer;
  // A second `npm start` or a leftover `npm run temporal` already serves the same data; sharing it
  // beats failing on the port.
  if (port !== 0 && !(await portIsFree(port))) {
    const address = `127.0.0.1:${port}`;
    if (!(await answersAsTemporal(address))) throw new Error(`port ${port} is in use by something that is not a Temporal server; stop it or set TEMPORAL_PORT`);
    log(`reusing the Temporal server already listening on ${address}`);
    await ensureSearchAttributes(address, namespace, log);
    return { address, namespace, stop: noop };
  }
  return startTemporalDevServer({ port, uiPort, dbFile: path.join(config.dataDir, 'temporal.db'), namespace, log, config });
}

async function main(): Promise<void> {
  if (process.argv.includes('--ensure-cli-only')) {
    process.stdout.write(`${await ensureTemporalCli()}\n`);
    return;
  }
  const server = await bootTemporal();
  defaultLog(`Temporal is up: address ${server.address}, namespace ${server.namespace}${server.uiUrl ? `, UI ${server.uiUrl}` : ''}. Ctrl-C stops it.`);
  // Nothing else may hold the event loop open while the server runs.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  clearInterval(keepAlive);
  defaultLog(`${signal} received; stopping`);
  await server.stop();
}

const runDirectly = () => {
  try {
    return fs.realpathSync(path.resolve(process.argv[1] ?? '')) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
};
if (runDirectly()) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`[temporal] ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
