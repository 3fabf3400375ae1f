// The worker and the API as child processes, and the cleanup that kills whatever was started if the
// parent goes away. No vitest here: the benchmarks (bench/) run workers as processes too, as
// production does.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Config } from '../../config/index.js';
import { workflowBundle } from '../../worker/worker.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- cleanup when the test process dies without its afterAll ----

const onExit = new Set<() => void>();
let exitHookInstalled = false;
export function atExit(fn: () => void): () => void {
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

