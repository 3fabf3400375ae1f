// Processes that fault tests stop, kill and start again: a PostgreSQL cluster of the test's own (on
// a free port, in a temporary folder), a Temporal dev server of its own on a data file, and the
// worker and API as child processes. Never the servers the rest of the suite or the machine uses.
// Everything started here is also killed if the test process itself goes away.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Config } from '../../config/index.js';
import { migrateDatabase } from '../../db/migrate.js';
import { ensureSearchAttributes, freePort, startTemporalDevServer, type TemporalServerHandle } from '../../scripts/temporal-server.js';
import { quietRuntime } from './harness.js';

export { freePort };
import { workflowBundle } from '../../worker/worker.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


// ---- cleanup when the test process dies without its afterAll ----

const onExit = new Set<() => void>();
let exitHookInstalled = false;
function atExit(fn: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const f of onExit) {
        try {
          f();
        } catch {
          // best effort: the process is going away
        }
      }
    });
  }
  onExit.add(fn);
  return () => onExit.delete(fn);
}

// ---- PostgreSQL ----

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`, migrated. */
  url: string;
  port: number;
  readonly running: boolean;
  /** `fast` disconnects clients and shuts down cleanly; `immediate` is a crash (recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  destroy(): Promise<void>;
}

async function postgresBinDir(): Promise<string> {
  const has = (dir: string) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'));
  if (process.env.PG_BIN) {
    if (has(process.env.PG_BIN)) return process.env.PG_BIN;
    throw new Error(`PG_BIN=${process.env.PG_BIN} has no initdb/pg_ctl`);
  }
  try {
    const { stdout } = await execFileAsync('pg_config', ['--bindir']);
    if (has(stdout.trim())) return stdout.trim();
  } catch {
    // no pg_config: look where distributions put the server
  }
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (has(path.join(base, v, 'bin'))) return path.join(base, v, 'bin');
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install the server or set PG_BIN');
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([execFileAsync('id', ['-u', 'postgres']), execFileAsync('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

const PG_DIR_PREFIX = 'homeward-pg-';

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Clusters whose test process died without stopping them (killed, Ctrl-C): stopped and removed. */
async function reapOrphanClusters(bin: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  for (const name of await fsp.readdir(os.tmpdir())) {
    if (!name.startsWith(PG_DIR_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    const pid = Number(await fsp.readFile(path.join(dir, 'owner.pid'), 'utf8').catch(() => ''));
    if (!(pid > 0) || pidIsAlive(pid)) continue;
    const data = path.join(dir, 'data');
    if (fs.existsSync(path.join(data, 'postmaster.pid'))) {
      const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      await (owner ? execFileAsync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...args]) : execFileAsync(path.join(bin, 'pg_ctl'), args)).catch(() => undefined);
    }
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Creates a cluster in a new temporary folder (initdb), starts it on a free port and migrates a
 * database in it. fsync is off (the test never survives a machine crash, only a PostgreSQL one);
 * synchronous_commit stays on, so a commit that was acknowledged survives `stop('immediate')`.
 */
export async function startPostgresCluster(opts: { database?: string } = {}): Promise<PostgresCluster> {
  const bin = await postgresBinDir();
  const owner = await postgresUser();
  await reapOrphanClusters(bin, owner);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), PG_DIR_PREFIX));
  // Whose cluster this is: a later run removes it if this process died without cleaning up.
  await fsp.writeFile(path.join(dir, 'owner.pid'), String(process.pid));
  if (owner) await fsp.chown(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const port = await freePort();
  const run = (cmd: string, args: string[]) =>
    owner ? execFileAsync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]) : execFileAsync(path.join(bin, cmd), args);
  const runSync = (cmd: string, args: string[]) =>
    owner ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'ignore' }) : execFileSync(path.join(bin, cmd), args, { stdio: 'ignore' });

  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c shared_buffers=32MB',
    '-c max_connections=60',
  ].join(' ');

  let running = false;
  const withLog = async <T>(what: string, fn: () => Promise<T>) => {
    try {
      return await fn();
    } catch (err) {
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`PostgreSQL ${what} failed: ${(err as Error).message}\n${tail}`, { cause: err });
    }
  };
  const start = async () => {
    await withLog('start', () => run('pg_ctl', ['-D', data, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']));
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    await withLog('stop', () => run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']));
    running = false;
  };
  // pg_ctl daemonises the server: without this, a test process that dies would leave it running.
  const forget = atExit(() => {
    if (running) runSync('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/${opts.database ?? 'homeward'}`;
  try {
    await migrateDatabase(url);
  } catch (err) {
    await stop('immediate');
    throw err;
  }
  return {
    url,
    port,
    get running() {
      return running;
    },
    stop,
    start,
    async destroy() {
      await stop('immediate').catch(() => undefined);
      forget();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

// ---- Temporal ----

export interface OwnTemporal {
  address: string;
  readonly running: boolean;
  /** SIGKILL: whatever the data file holds is all that survives. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data file. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  destroy(): Promise<void>;
}

/** A Temporal dev server of the test's own: a free port, a SQLite data file in a temporary folder. */
export async function startOwnTemporal(opts: { namespace?: string } = {}): Promise<OwnTemporal> {
  const namespace = opts.namespace ?? 'default';
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'homeward-temporal-'));
  const dbFile = path.join(dir, 'temporal.db');
  const port = await freePort();
  let server: TemporalServerHandle | undefined;
  const start = async () => {
    server = await startTemporalDevServer({ port, uiPort: false, dbFile, namespace, log: () => {} });
  };
  // Before the first server: the SDK brings up its runtime for it, which cannot be configured afterwards.
  quietRuntime();
  // The SDK ends its servers when this process exits; the folder is ours to remove.
  const forget = atExit(() => fs.rmSync(dir, { recursive: true, force: true }));
  await start();
  await ensureSearchAttributes(server!.address, namespace, () => {});
  return {
    address: `127.0.0.1:${port}`,
    get running() {
      return server !== undefined;
    },
    async kill() {
      const s = server;
      server = undefined;
      await s?.kill?.();
    },
    start,
    async destroy() {
      const s = server;
      server = undefined;
      await s?.kill?.();
      forget();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

// ---- worker and API as child processes ----

/** The environment a child process needs to run with exactly the configuration `config` was parsed from. */
export function envFor(config: Config, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: config.databaseUrl,
    DATABASE_POOL_SIZE: String(config.databasePoolSize),
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    AUTH_JWT_SECRET: config.auth.jwtSecret,
    HOMEWARD_PAYLOAD_KEYS: config.payloadKeys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(','),
    HOMEWARD_PAYLOAD_KEY_ID: config.activePayloadKeyId,
    HOMEWARD_IDENTITY_HASH_KEY: config.identityHashKey,
    HOMEWARD_IMMIGRATION_AGENCY_ID: config.immigrationAgencyId,
    HOMEWARD_TIME_SCALE: String(config.timeScale),
    HOMEWARD_MAX_MESSAGES_PER_RUN: String(config.maxMessagesPerRun),
    HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS: String(config.temporalCallTimeoutMs),
    RATE_LIMIT_PER_MINUTE: String(config.rateLimitPerMinute),
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface ChildHandle {
  pid: number;
  /** How it ended, once it has: `signal SIGKILL`, `exit code 1`… */
  readonly exitInfo: string | undefined;
  /** The last lines it wrote, for failure messages. */
  output(): string;
  /** SIGKILL by default; resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;
const EXIT_WITH_PARENT = pathToFileURL(path.join(ROOT, 'test', 'support', 'exit-with-parent.mjs')).href;

let bundleFile: Promise<string> | undefined;
const BUNDLE_PREFIX = 'homeward-workflows-';
/**
 * This process's workflow bundle (the code under test) in a file that every worker child process
 * loads: webpack runs once per test file, not once per worker start. The file is named after its
 * content, so runs of the same code share it and nothing piles up; copies of other code older
 * than a day are removed.
 */
export function sharedWorkflowBundle(): Promise<string> {
  bundleFile ??= (async () => {
    const { code } = await workflowBundle();
    const file = path.join(os.tmpdir(), `${BUNDLE_PREFIX}${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`);
    if (!fs.existsSync(file)) {
      const partial = `${file}.${process.pid}.tmp`;
      await fsp.writeFile(partial, code);
      await fsp.rename(partial, file);
    }
    const dayAgo = Date.now() - 86_400_000;
    for (const name of await fsp.readdir(os.tmpdir())) {
      const other = path.join(os.tmpdir(), name);
      if (!name.startsWith(BUNDLE_PREFIX) || other === file) continue;
      const stat = await fsp.stat(other).catch(() => undefined);
      if (stat && stat.mtimeMs < dayAgo) await fsp.rm(other, { force: true });
    }
    return file;
  })();
  return bundleFile;
}

/** The last output of a child process and how it ended, for failure messages. */
export function watchChild(child: ChildProcess): { exited: Promise<void>; exitInfo(): string | undefined; output(): string } {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
  });
  return { exited, exitInfo: () => exitInfo, output: () => tail };
}

function spawnTs(entry: string, env: NodeJS.ProcessEnv): { child: ChildProcess; handle: ChildHandle; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', EXIT_WITH_PARENT, entry], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const watched = watchChild(child);
  const forget = atExit(() => child.kill('SIGKILL'));
  void watched.exited.then(forget);
  const handle: ChildHandle = {
    pid: child.pid!,
    get exitInfo() {
      return watched.exitInfo();
    },
    output: watched.output,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (watched.exitInfo() !== undefined) return;
      child.kill(signal);
      await watched.exited;
    },
  };
  return { child, handle, exited: watched.exited };
}

/** worker/main.ts in a child process; resolves once it polls its task queue. */
export async function startWorkerProcess(config: Config, extraEnv: Record<string, string> = {}): Promise<ChildHandle> {
  const bundle = await sharedWorkflowBundle();
  const { child, handle, exited } = spawnTs('worker/main.ts', envFor(config, { HOMEWARD_WORKFLOW_BUNDLE: bundle, ...extraEnv }));
  const ready = new Promise<boolean>((resolve) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-2_000);
      if (seen.includes('worker polling')) resolve(true);
    });
  });
  const outcome = await Promise.race([ready, exited.then(() => false), sleep(READY_TIMEOUT_MS).then(() => false)]);
  if (!outcome) {
    await handle.kill();
    throw new Error(`worker process did not start (${handle.exitInfo}):\n${handle.output()}`);
  }
  return handle;
}

/** api/server.ts in a child process on `port`; resolves once /healthz answers. */
export async function startApiProcess(config: Config, port: number, extraEnv: Record<string, string> = {}): Promise<ChildHandle & { url: string }> {
  const { handle } = spawnTs('api/server.ts', envFor(config, { PORT: String(port), ...extraEnv }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (handle.exitInfo !== undefined) throw new Error(`API process exited during startup (${handle.exitInfo}):\n${handle.output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await handle.kill();
      throw new Error(`API process did not answer on ${url}:\n${handle.output()}`);
    }
    await sleep(100);
  }
  return Object.assign(handle, { url });
}
