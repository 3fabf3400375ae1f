// Finds the `temporal` CLI, whose dev server `npm start`, the tests and CI run. In order: TEMPORAL_CLI,
// PATH, Go's bin folder, a copy fetched earlier into the data folder; then it builds the pinned
// version with Go (ours: a machine with Go needs no internet access beyond Go's module proxy); then
// it fetches the CLI from temporal.download the way the SDK's test environment does
// (@temporalio/testing); and only then gives up, saying what it tried and what else would work.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../config/index.js';
import type { Log } from '../temporal/search-attributes.js';

const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
// Pinned so every developer and CI run the same server version; v1.5.1 needs Go >= 1.25 to build.
const CLI_VERSION = 'v1.5.1';
const MIN_GO: readonly [number, number] = [1, 25];

export interface CliLookup {
  /** TEMPORAL_CLI: when set, the only candidate. */
  cli?: string;
  /** PATH, from the configuration. */
  searchPath: string;
  /** Where the SDK's download goes, and is found again on later starts. */
  downloadDir: string;
}

export function cliLookup(config: Pick<Config, 'temporalDevServer' | 'dataDir'>): CliLookup {
  return { cli: config.temporalDevServer.cli, searchPath: config.temporalDevServer.searchPath, downloadDir: path.join(config.dataDir, 'temporal-cli') };
}

const execFileAsync = promisify(execFile);
const exeName = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorCode = (err: unknown) => (typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await fsp.stat(file)).isFile()) return false;
    await fsp.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, exeName(name));
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

interface Go {
  go: string;
  version: string;
  binDir: string;
}

async function findGo(searchPath: string): Promise<Go | undefined> {
  const go = await findOnPath('go', searchPath);
  if (!go) return undefined;
  try {
    const { stdout } = await execFileAsync(go, ['env', 'GOVERSION', 'GOBIN', 'GOPATH']);
    const [version = '', gobin = '', gopath = ''] = stdout.split(/\r?\n/);
    const firstGopath = gopath.split(path.delimiter)[0]?.trim() || path.join(os.homedir(), 'go');
    return { go, version: version.trim(), binDir: gobin.trim() || path.join(firstGopath, 'bin') };
  } catch {
    return undefined;
  }
}

function goIsRecentEnough(version: string): boolean {
  const match = /^go(\d+)\.(\d+)/.exec(version);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  return major > MIN_GO[0] || (major === MIN_GO[0] && minor >= MIN_GO[1]);
}

/** The SDK names its download `temporal-<sdk>-<version>`; the folder is ours, so any such file is it. */
async function downloaded(downloadDir: string): Promise<string | undefined> {
  const names = await fsp.readdir(downloadDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('temporal') && !n.endsWith('.downloading')).sort().reverse()) {
    if (await isExecutableFile(path.join(downloadDir, name))) return path.join(downloadDir, name);
  }
  return undefined;
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
      if (!waitingLogged) log(`another process (pid ${owner || '?'}) is building the Temporal CLI; waiting for it`);
      waitingLogged = true;
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
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`))));
  });
}

async function buildWithGo(go: Go, log: Log): Promise<string> {
  const built = path.join(go.binDir, exeName('temporal'));
  const existing = async () => ((await isExecutableFile(built)) ? built : undefined);
  return withInstallLock(log, existing, async () => {
    log(`Temporal CLI not found; building ${CLI_MODULE}@${CLI_VERSION} with ${go.version} into ${go.binDir}. The first build takes several minutes; later runs reuse the binary.`);
    const started = Date.now();
    await runStreaming(go.go, ['install', `${CLI_MODULE}@${CLI_VERSION}`], log);
    if (!(await isExecutableFile(built))) throw new Error(`go install finished but ${built} does not exist`);
    log(`built ${built} in ${Math.round((Date.now() - started) / 1000)} s`);
    return built;
  });
}

// The SDK fetches the CLI only on its way to starting a server, so one is started and stopped here.
async function downloadWithSdk(downloadDir: string, log: Log): Promise<string> {
  await fsp.mkdir(downloadDir, { recursive: true });
  log(`fetching the Temporal CLI from temporal.download, as the Temporal SDK's test environment does, into ${downloadDir}`);
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir } } });
  await env.teardown();
  const found = await downloaded(downloadDir);
  if (!found) throw new Error(`the download finished but no temporal executable is in ${downloadDir}`);
  log(`fetched ${found}`);
  return found;
}

/** Path of a usable `temporal` CLI (see the top of this file for the order), or an error that says what to do. */
export async function ensureTemporalCli(lookup: CliLookup, log: Log): Promise<string> {
  if (lookup.cli) {
    if (await isExecutableFile(lookup.cli)) return lookup.cli;
    throw new Error(`TEMPORAL_CLI is set to "${lookup.cli}", which is not an executable file`);
  }
  const onPath = await findOnPath('temporal', lookup.searchPath);
  if (onPath) return onPath;
  const go = await findGo(lookup.searchPath);
  const goBuilt = go ? path.join(go.binDir, exeName('temporal')) : undefined;
  if (goBuilt && (await isExecutableFile(goBuilt))) return goBuilt;
  const fetched = await downloaded(lookup.downloadDir);
  if (fetched) return fetched;

  const tried: string[] = [];
  if (!go) tried.push('Go: not on PATH, so nothing was built');
  else if (!goIsRecentEnough(go.version)) tried.push(`Go: ${go.version || 'of unknown version'} is too old to build the CLI (needs Go >= ${MIN_GO.join('.')})`);
  else {
    try {
      return await buildWithGo(go, log);
    } catch (err) {
      tried.push(`Go: building the CLI failed: ${messageOf(err)}`);
      log(`${tried.at(-1)}; trying the download next`);
    }
  }
  try {
    return await downloadWithSdk(lookup.downloadDir, log);
  } catch (err) {
    tried.push(`download from temporal.download (as @temporalio/testing does) failed: ${messageOf(err)}`);
  }
  throw new Error(
    [
      `No Temporal CLI ("temporal"): looked at TEMPORAL_CLI, PATH, Go's bin folder and ${lookup.downloadDir}.`,
      ...tried.map((t) => `  - ${t}`),
      'Ways to get a Temporal server:',
      `  - install Go >= ${MIN_GO.join('.')} (https://go.dev/dl/) and rerun; the CLI is then built with \`go install ${CLI_MODULE}@${CLI_VERSION}\``,
      '  - install the CLI from Temporal (https://temporal.io/setup/install-temporal-cli, e.g. `brew install temporal`) and put it on PATH or set TEMPORAL_CLI=/path/to/temporal',
      '  - rerun with internet access: the CLI is then fetched from temporal.download',
      '  - run the whole stack in containers with `docker compose up`',
      '  - or use a server you already have: TEMPORAL_ADDRESS=host:7233',
    ].join('\n'),
  );
}
