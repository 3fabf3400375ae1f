// Temporal server bootstrap shared by `npm start`, `npm run temporal`, the test suite's global setup
// and CI. Homeward needs a real Temporal server everywhere (no mocks), but a fresh machine has no
// Docker and often no `temporal` binary, so this module finds or builds the CLI, runs its
// single-process dev server (SQLite, optionally persisted so cases survive restarts) and registers
// the custom search attributes the case workflows upsert. With TEMPORAL_ADDRESS set it starts
// nothing and only prepares the existing server.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Connection, isGrpcServiceError } from '@temporalio/client';
// @temporalio/proto is CommonJS without named ESM exports, so only the default import works at runtime.
import proto from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';

export type Log = (msg: string) => void;

export interface TemporalServerHandle {
  /** host:port of the frontend gRPC endpoint. */
  address: string;
  namespace: string;
  /** Web UI, when a server was started with one. */
  uiUrl?: string;
  /** Where the started server's output goes, for debugging. */
  logFile?: string;
  stop(): Promise<void>;
  /** Only for a server started here: SIGKILL, as a crash would end it; resolves once it has exited. */
  kill?(): Promise<void>;
}

export interface DevServerOptions {
  /** Frontend port; 0 picks a free one. Default 7233. */
  port?: number;
  /** Web UI port; 0 picks a free one; false or undefined runs headless. */
  uiPort?: number | false;
  /** SQLite file that persists the server's state; null or undefined keeps it in memory. */
  dbFile?: string | null;
  /** Created in addition to `default`, which the dev server always has. */
  namespace?: string;
  dynamicConfig?: Record<string, string | number | boolean>;
  log?: Log;
}

const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
// Pinned so every developer and CI run the same server version; v1.5.1 needs Go >= 1.25 to build.
const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MIN_GO: readonly [number, number] = [1, 25];
const DEFAULT_PORT = 7233;
const DEFAULT_UI_PORT = 8233;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const SEARCH_ATTRIBUTES_VISIBLE_TIMEOUT_MS = 30_000;
// gRPC status code ALREADY_EXISTS; @grpc/grpc-js is not a direct dependency.
const GRPC_ALREADY_EXISTS = 6;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const execFileAsync = promisify(execFile);
const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
type IndexedValueTypeValue = proto.temporal.api.enums.v1.IndexedValueType;

const INDEXED_VALUE_TYPES: Record<'KEYWORD' | 'BOOL' | 'DATETIME' | 'INT', IndexedValueTypeValue> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

const defaultLog: Log = (msg) => process.stderr.write(`[temporal] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const exeName = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fsp.stat(file);
    if (!stat.isFile()) return false;
    await fsp.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exeName(name));
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

// Go is often installed under /usr/local/go without being on a non-login shell's PATH.
async function findGo(): Promise<string | undefined> {
  const onPath = await findOnPath('go');
  if (onPath) return onPath;
  const fallback = path.join('/usr/local/go/bin', exeName('go'));
  return (await isExecutableFile(fallback)) ? fallback : undefined;
}

interface GoInfo {
  go: string;
  version: string;
  binDir: string;
}

async function goInfo(go: string): Promise<GoInfo | undefined> {
  try {
    const { stdout } = await execFileAsync(go, ['env', 'GOVERSION', 'GOBIN', 'GOPATH']);
    const [version = '', gobin = '', gopath = ''] = stdout.split(/\r?\n/);
    const firstGopath = gopath.split(path.delimiter)[0] || path.join(os.homedir(), 'go');
    return { go, version: version.trim(), binDir: gobin.trim() || path.join(firstGopath.trim(), 'bin') };
  } catch {
    return undefined;
  }
}

function goIsRecentEnough(version: string): boolean {
  const match = /^go(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > MIN_GO[0] || (major === MIN_GO[0] && minor >= MIN_GO[1]);
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

// Test workers, the api and the worker may all boot at once on a fresh machine; without a lock each
// would start its own multi-minute `go install` of the same binary.
async function withInstallLock<T>(log: Log, alreadyDone: () => Promise<T | undefined>, work: () => Promise<T>): Promise<T> {
  const lockDir = path.join(os.tmpdir(), 'homeward-temporal-cli-install.lock');
  const pidFile = path.join(lockDir, 'pid');
  let waitingLogged = false;
  for (;;) {
    try {
      await fsp.mkdir(lockDir);
      await fsp.writeFile(pidFile, String(process.pid));
      break;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
      const done = await alreadyDone();
      if (done !== undefined) return done;
      const owner = Number(await fsp.readFile(pidFile, 'utf8').catch(() => ''));
      if (owner > 0 && !pidIsAlive(owner)) {
        await fsp.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!waitingLogged) {
        log(`another process (pid ${owner || '?'}) is building the Temporal CLI; waiting for it`);
        waitingLogged = true;
      }
      await sleep(2_000);
    }
  }
  try {
    return (await alreadyDone()) ?? (await work());
  } finally {
    await fsp.rm(lockDir, { recursive: true, force: true });
  }
}

function runStreaming(command: string, args: string[], log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split(/\r?\n/)) if (line.trim()) log(line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`)),
    );
  });
}

function missingCliError(reason: string): Error {
  return new Error(
    [
      `The Temporal CLI ("temporal") was not found: looked at $TEMPORAL_CLI, PATH and Go's bin folder. ${reason}`,
      'Ways to get a Temporal server:',
      `  - install Go >= ${MIN_GO.join('.')} (https://go.dev/dl/) and rerun; the CLI is then built with \`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}\``,
      '  - install the CLI from Temporal (https://temporal.io/setup/install-temporal-cli, e.g. `brew install temporal`) and put it on PATH or set TEMPORAL_CLI=/path/to/temporal',
      '  - run the whole stack in containers with `docker compose up`',
      '  - or use a server you already have: TEMPORAL_ADDRESS=host:7233',
    ].join('\n'),
  );
}

/** Path of a usable `temporal` CLI, building it with Go when that is the only way. */
export async function ensureTemporalCli(log: Log = defaultLog): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (await isExecutableFile(fromEnv)) return fromEnv;
    throw new Error(`TEMPORAL_CLI is set to "${fromEnv}", which is not an executable file`);
  }
  const onPath = await findOnPath('temporal');
  if (onPath) return onPath;

  const go = await findGo();
  const info = go ? await goInfo(go) : undefined;
  if (!info) throw missingCliError('Go is not installed, so it cannot be built here.');
  const built = path.join(info.binDir, exeName('temporal'));
  const existing = async () => ((await isExecutableFile(built)) ? built : undefined);
  const found = await existing();
  if (found) return found;
  if (!goIsRecentEnough(info.version)) {
    throw missingCliError(`Go here is ${info.version || 'of unknown version'}; building the CLI needs Go >= ${MIN_GO.join('.')}.`);
  }

  return withInstallLock(log, existing, async () => {
    log(
      `Temporal CLI not found; building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} with ${info.version} into ${info.binDir}. ` +
        'The first build takes several minutes; later runs reuse the binary.',
    );
    const started = Date.now();
    await runStreaming(info.go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], log);
    if (!(await isExecutableFile(built))) throw new Error(`go install finished but ${built} does not exist`);
    log(`built ${built} in ${Math.round((Date.now() - started) / 1000)} s`);
    return built;
  });
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
    server.once('error', (err) => (errorCode(err) === 'EADDRINUSE' ? resolve(false) : reject(err)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** True when a Temporal frontend answers at `address` (and has `namespace`, when given). */
async function answersAsTemporal(address: string, namespace?: string, timeoutMs = 2_000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    // No retry interceptor: a probe must fail fast so the caller's own loop decides how long to wait.
    connection = await Connection.connect({ address, connectTimeout: timeoutMs, interceptors: [] });
    if (namespace) {
      const conn = connection;
      await conn.withDeadline(Date.now() + timeoutMs, () => conn.workflowService.describeNamespace({ namespace }));
    }
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

// Children are killed when this process goes away, so a crashed test run or Ctrl-C never leaves a
// server holding port 7233 or the SQLite file.
const liveServers = new Map<ChildProcess, { persistent: boolean }>();
let exitHooksInstalled = false;

function killLiveServers(): void {
  for (const [child, { persistent }] of liveServers) {
    // A persisted server gets SIGTERM so it can shut down cleanly on its own after we are gone;
    // an in-memory one has nothing worth saving.
    child.kill(persistent ? 'SIGTERM' : 'SIGKILL');
  }
  liveServers.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killLiveServers);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // If the application handles this signal itself, it decides when to stop (and 'exit' still
      // cleans up). Otherwise Node would die without emitting 'exit', so clean up and re-raise.
      if (process.listenerCount(signal) > 1) return;
      killLiveServers();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

async function logTail(file: string, fromOffset: number, maxLines = 40): Promise<string> {
  try {
    const handle = await fsp.open(file, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(fromOffset, size - 16_384);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      return buffer.toString('utf8').split(/\r?\n/).slice(-maxLines).join('\n').trim();
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

/** Spawns `temporal server start-dev` and resolves once its frontend serves the namespace. */
export async function startTemporalDevServer(opts: DevServerOptions = {}): Promise<TemporalServerHandle> {
  const log = opts.log ?? defaultLog;
  const cli = await ensureTemporalCli(log);
  const namespace = opts.namespace ?? 'default';
  const port = opts.port === 0 ? await freePort() : (opts.port ?? DEFAULT_PORT);
  const uiPort = opts.uiPort === undefined || opts.uiPort === false ? false : opts.uiPort === 0 ? await freePort() : opts.uiPort;
  const address = `127.0.0.1:${port}`;

  // Checked here because the readiness probe would otherwise happily talk to whatever already owns
  // the port while our own server dies on the bind.
  if (!(await portIsFree(port))) throw new Error(`cannot start Temporal: port ${port} on 127.0.0.1 is already in use`);

  const dbFile = opts.dbFile ? path.resolve(opts.dbFile) : undefined;
  let logFile: string;
  if (dbFile) {
    await fsp.mkdir(path.dirname(dbFile), { recursive: true });
    logFile = path.join(path.dirname(dbFile), `${path.basename(dbFile, path.extname(dbFile))}.log`);
  } else {
    logFile = path.join(os.tmpdir(), `homeward-temporal-${port}.log`);
  }

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  args.push(...(uiPort === false ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (dbFile) args.push('--db-filename', dbFile);
  // The dev server always creates `default`; naming it again would only repeat that work.
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) {
    // The CLI parses each value as JSON, so strings need their quotes.
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  args.push('--log-level', 'warn');

  // A persisted server keeps one growing log next to its data; an in-memory one starts fresh.
  const logFd = fs.openSync(logFile, dbFile ? 'a' : 'w');
  const logStart = fs.fstatSync(logFd).size;
  fs.writeSync(logFd, `\n--- ${new Date().toISOString()} ${cli} ${args.join(' ')}\n`);
  const env = { ...process.env };
  // These configure the CLI's client commands; they must not leak into the server we start.
  delete env.TEMPORAL_ADDRESS;
  delete env.TEMPORAL_NAMESPACE;
  let child: ChildProcess;
  try {
    // Output goes straight to the file descriptor so a busy or paused parent never blocks the server.
    child = spawn(cli, args, { stdio: ['ignore', logFd, logFd], env });
  } finally {
    fs.closeSync(logFd);
  }

  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      liveServers.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      exitInfo = `spawn error: ${err.message}`;
      liveServers.delete(child);
      resolve();
    });
  });
  liveServers.set(child, { persistent: Boolean(dbFile) });
  installExitHooks();
  // The server must not keep its parent alive: a script that forgets stop() should still end, and
  // the exit hook then takes the server down with it.
  child.unref();

  const stop = async (): Promise<void> => {
    if (exitInfo !== undefined) return;
    child.kill('SIGTERM');
    const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!graceful) {
      log(`Temporal server (pid ${child.pid}) ignored SIGTERM for ${STOP_GRACE_MS / 1000} s; killing it`);
      child.kill('SIGKILL');
      await exited;
    }
    // Every test run uses a new port, so in-memory servers' logs would pile up in the temp folder;
    // once such a server has been stopped on purpose its log has nothing left to explain.
    if (!dbFile) await fsp.rm(logFile, { force: true });
  };

  log(`starting Temporal dev server on ${address} (${dbFile ? `data ${dbFile}` : 'in memory'}; log ${logFile})`);
  const started = Date.now();
  const deadline = started + READY_TIMEOUT_MS;
  for (;;) {
    if (exitInfo !== undefined) {
      const tail = await logTail(logFile, logStart);
      throw new Error(`Temporal dev server exited during startup (${exitInfo}). Log ${logFile}:\n${tail}`);
    }
    if (await answersAsTemporal(address, namespace, 1_000)) break;
    if (Date.now() > deadline) {
      await stop();
      const tail = await logTail(logFile, logStart);
      throw new Error(`Temporal dev server did not answer on ${address} within ${READY_TIMEOUT_MS / 1000} s. Log ${logFile}:\n${tail}`);
    }
    await sleep(250);
  }
  // The probe can succeed against a foreign server that grabbed the port after our check.
  if (exitInfo !== undefined) {
    throw new Error(`Temporal dev server exited during startup (${exitInfo}). Log ${logFile}:\n${await logTail(logFile, logStart)}`);
  }
  const uiUrl = uiPort === false ? undefined : `http://127.0.0.1:${uiPort}`;
  log(`Temporal dev server ready on ${address} in ${((Date.now() - started) / 1000).toFixed(1)} s${uiUrl ? `; UI ${uiUrl}` : ''}`);
  // For fault tests: no shutdown hooks run, so what survives is what the data file already holds.
  const kill = async (): Promise<void> => {
    if (exitInfo !== undefined) return;
    child.kill('SIGKILL');
    await exited;
  };
  return { address, namespace, uiUrl, logFile, stop, kill };
}

type SearchAttributeMap = Record<string, IndexedValueTypeValue>;

async function listCustomSearchAttributes(connection: Connection, namespace: string): Promise<SearchAttributeMap> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return { ...(response.customAttributes ?? {}) };
}

function typeName(type: IndexedValueTypeValue): string {
  return String(IndexedValueType[type] ?? type).replace('INDEXED_VALUE_TYPE_', '');
}

/**
 * Registers Homeward's custom search attributes in `namespace`, adding only missing ones, and
 * returns once the server lists them all (registration is asynchronous on the server).
 */
export async function ensureSearchAttributes(address: string, namespace: string, log: Log = defaultLog): Promise<void> {
  const wanted: SearchAttributeMap = Object.fromEntries(
    Object.entries(CUSTOM_SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]]),
  );
  const connection = await Connection.connect({ address, connectTimeout: 10_000 });
  try {
    const missingFrom = (existing: SearchAttributeMap) => Object.keys(wanted).filter((name) => !(name in existing));
    const existing = await listCustomSearchAttributes(connection, namespace);
    // A type cannot be changed once registered, and upserts with the wrong type would fail later
    // inside workflows, so a mismatch is a setup error to fix now.
    const conflicts = Object.keys(wanted).filter((name) => name in existing && existing[name] !== wanted[name]);
    if (conflicts.length > 0) {
      const details = conflicts.map((n) => `${n} is ${typeName(existing[n])}, expected ${typeName(wanted[n])}`).join('; ');
      throw new Error(`search attributes in namespace "${namespace}" have the wrong type: ${details}`);
    }
    const missing = missingFrom(existing);
    if (missing.length === 0) return;

    log(`registering search attributes in namespace "${namespace}": ${missing.join(', ')}`);
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, wanted[name]])),
      });
    } catch (err) {
      // Another process (api, worker, a parallel test) may have registered them a moment ago.
      const alreadyExists =
        (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) || /already exists/i.test(String((err as Error)?.message));
      if (!alreadyExists) throw err;
    }

    const deadline = Date.now() + SEARCH_ATTRIBUTES_VISIBLE_TIMEOUT_MS;
    for (;;) {
      const stillMissing = missingFrom(await listCustomSearchAttributes(connection, namespace));
      if (stillMissing.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`search attributes still not visible in namespace "${namespace}" after registration: ${stillMissing.join(', ')}`);
      }
      await sleep(250);
    }
  } finally {
    await connection.close();
  }
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number (0 picks a free one), got "${raw}"`);
  return port;
}

/**
 * The one entry point for the rest of Homeward: an existing server from TEMPORAL_ADDRESS, one
 * already running on the dev port, or a dev server started here with its state under the data dir.
 */
export async function bootTemporal(opts: { log?: Log } = {}): Promise<TemporalServerHandle> {
  const log = opts.log ?? defaultLog;
  const namespace = process.env.TEMPORAL_NAMESPACE?.trim() || 'default';
  const noop = async () => undefined;

  const external = process.env.TEMPORAL_ADDRESS?.trim();
  if (external) {
    log(`using the Temporal server at ${external} from TEMPORAL_ADDRESS; not starting one`);
    await ensureSearchAttributes(external, namespace, log);
    return { address: external, namespace, stop: noop };
  }

  const port = envPort('TEMPORAL_PORT', DEFAULT_PORT);
  const uiRaw = process.env.TEMPORAL_UI_PORT?.trim().toLowerCase();
  const uiPort = uiRaw === 'off' || uiRaw === 'false' || uiRaw === 'none' ? false : envPort('TEMPORAL_UI_PORT', DEFAULT_UI_PORT);

  // A second `npm start` or a leftover `npm run temporal` already serves the same data; sharing it
  // beats failing on the port.
  if (port !== 0 && !(await portIsFree(port))) {
    const address = `127.0.0.1:${port}`;
    if (!(await answersAsTemporal(address))) {
      throw new Error(`port ${port} is in use by something that is not a Temporal server; stop it or set TEMPORAL_PORT`);
    }
    log(`reusing the Temporal server already listening on ${address}`);
    await ensureSearchAttributes(address, namespace, log);
    return { address, namespace, stop: noop };
  }

  const dataDir = path.resolve(process.env.HOMEWARD_DATA_DIR?.trim() || path.join(REPO_ROOT, '.data'));
  const server = await startTemporalDevServer({ port, uiPort, dbFile: path.join(dataDir, 'temporal.db'), namespace, log });
  try {
    await ensureSearchAttributes(server.address, namespace, log);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

function isRunDirectly(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return fs.realpathSync(path.resolve(entry)) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--ensure-cli-only')) {
    const cli = await ensureTemporalCli();
    process.stdout.write(`${cli}\n`);
    return;
  }
  const server = await bootTemporal();
  defaultLog(
    `Temporal is up: address ${server.address}, namespace ${server.namespace}` +
      (server.uiUrl ? `, UI ${server.uiUrl}` : '') +
      '. Ctrl-C stops it.',
  );
  // The server child is unref'd and signal listeners hold nothing open, so keep the loop alive.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  clearInterval(keepAlive);
  defaultLog(`${signal} received; stopping`);
  await server.stop();
}

if (isRunDirectly()) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`[temporal] ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
