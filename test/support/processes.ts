// Processes that fault tests stop, kill and start again: a PostgreSQL cluster of the test's own (on
// a free port, in a temporary folder), a Temporal dev server of its own on a data file, and the
// worker and API as child processes. Never the servers the rest of the suite or the machine uses.
// Everything started here is also killed if the test process itself goes away.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { migrateDatabase } from '../../db/migrate.js';
import { ensureSearchAttributes, freePort, startTemporalDevServer, type TemporalServerHandle } from '../../scripts/temporal-server.js';
import { quietRuntime } from './harness.js';

import { atExit } from './child-processes.js';

export { freePort };
const execFileAsync = promisify(execFile);


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

export { atExit, envFor, sharedWorkflowBundle, startApiProcess, startWorkerProcess, watchChild, type ChildHandle } from './child-processes.js';
