// The production build as the image runs it (issue #10). Where a Docker engine answers, the image is
// built from the Dockerfile and its containers run against this run's Temporal server and database;
// elsewhere the Dockerfile's steps run outside Docker: `npm run build` into a folder that holds no
// TypeScript, then the compiled migration, worker and API start with plain node, in production mode
// with fresh secrets. Either way the same checks follow: /healthz, /readyz, a case opened and acted
// on over authenticated HTTP. The compose file is validated when a compose client exists.
// IMAGE_CHECK=node or IMAGE_CHECK=docker forces one way.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../config/index.js';
import { dropDatabase } from '../../db/migrate.js';
import { runtimeImportProblems } from '../../scripts/build.js';
import { freshSecrets, renderEnv } from '../../scripts/secrets.js';
import { mintToken } from '../../scripts/token.js';
import { freePort, watchChild } from '../support/processes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const IMAGE = 'homeward:ci';
// Creating a container can take minutes on engines without a copy-on-write storage driver (vfs).
const CONTAINER_TIMEOUT_MS = 10 * 60_000;

/** Exit code and output of a command, never a throw: a missing program is exit code 127. */
async function run(cmd: string, args: string[], opts: { cwd?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, { cwd: opts.cwd ?? ROOT, timeout: opts.timeout ?? 30_000, env: opts.env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 127, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

const dockerAnswers = async () => (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 })).code === 0;

/** One compiled process (the migration, the worker or the API), in a container or not. */
interface Launched {
  readonly exitInfo: string | undefined;
  output(): string;
  exited: Promise<void>;
  stop(): Promise<void>;
}

type Role = 'migrate' | 'worker' | 'api';
const COMMANDS: Record<Role, string> = { migrate: 'dist/db/migrate.js', worker: 'dist/worker/main.js', api: 'dist/api/server.js' };

function watch(child: ChildProcess, stop: () => Promise<void>): Launched {
  const watched = watchChild(child);
  return {
    get exitInfo() {
      return watched.exitInfo();
    },
    output: watched.output,
    exited: watched.exited,
    stop,
  };
}

/** How the compiled code is started: the image's command in a container, or the same file with node. */
interface Runner {
  kind: 'docker' | 'node';
  start(role: Role, env: Record<string, string>): Launched;
}

function nodeRunner(appDir: string): Runner {
  return {
    kind: 'node',
    start(role, env) {
      // Only what the settings give: nothing of this test process's environment (NODE_ENV=test, keys) leaks in.
      const child = spawn(process.execPath, [COMMANDS[role]], { cwd: appDir, env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const launched = watch(child, async () => {
        if (launched.exitInfo !== undefined) return;
        child.kill('SIGTERM');
        await Promise.race([launched.exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
        await launched.exited;
      });
      return launched;
    },
  };
}

function dockerRunner(): Runner {
  return {
    kind: 'docker',
    start(role, env) {
      const name = `homeward-ci-${role}-${process.pid}-${randomUUID().slice(0, 6)}`;
      // Host networking: the container reaches this run's Temporal server and PostgreSQL on 127.0.0.1.
      // `-e NAME` takes each value from the docker client's environment, so no secret is on a command line.
      const args = ['run', '--rm', '--init', '--name', name, '--network', 'host', ...Object.keys(env).flatMap((k) => ['-e', k]), IMAGE, 'node', COMMANDS[role]];
      const child = spawn('docker', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const launched = watch(child, async () => {
        await run('docker', ['rm', '-f', name], { timeout: CONTAINER_TIMEOUT_MS });
        await launched.exited;
      });
      return launched;
    },
  };
}

async function waitFor<T>(what: string, launched: Launched[], probe: () => Promise<T | undefined>, timeoutMs = mode === 'docker' ? CONTAINER_TIMEOUT_MS : 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = launched.find((l) => l.exitInfo !== undefined);
    if (dead) throw new Error(`a process exited (${dead.exitInfo}) while waiting for ${what}:\n${dead.output()}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${launched.map((l) => l.output()).join('\n---\n')}`);
    await sleep(250);
  }
}

const mode = process.env.IMAGE_CHECK ?? ((await dockerAnswers()) ? 'docker' : 'node');
let runner: Runner;
let appDir: string | undefined;
let buildMs = 0;

beforeAll(async () => {
  const started = Date.now();
  if (mode === 'docker') {
    const built = await run('docker', ['build', '--network', 'host', '-t', IMAGE, '.'], { timeout: 30 * 60_000 });
    expect(built.code, `${built.stdout.slice(-4_000)}${built.stderr.slice(-4_000)}`).toBe(0);
    runner = dockerRunner();
  } else {
    // The image's layout, outside Docker: package.json, dependencies and dist/, and no sources.
    appDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'homeward-image-'));
    const built = await run('npm', ['run', '-s', 'build', '--', '--out', path.join(appDir, 'dist')], { timeout: 10 * 60_000 });
    expect(built.code, `${built.stdout}${built.stderr}`).toBe(0);
    await fsp.copyFile(path.join(ROOT, 'package.json'), path.join(appDir, 'package.json'));
    await fsp.symlink(path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
    runner = nodeRunner(appDir);
  }
  buildMs = Date.now() - started;
}, 30 * 60_000);

afterAll(async () => {
  if (appDir) await fsp.rm(appDir, { recursive: true, force: true });
});

describe(`the production build (${mode})`, () => {
  it('when built, then it ships compiled JavaScript and the workflow bundle, and no TypeScript', async () => {
    console.log(`production build (${mode}) took ${(buildMs / 1000).toFixed(1)} s`);
    if (runner.kind === 'docker') {
      const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{json .Config}}', IMAGE], { timeout: CONTAINER_TIMEOUT_MS });
      const config = JSON.parse(stdout) as { User: string; Env: string[]; Healthcheck?: { Test: string[] }; Cmd: string[] };
      expect(config.User).toBe('node');
      expect(config.Env).toContain('NODE_ENV=production');
      expect(config.Healthcheck?.Test.join(' ')).toMatch(/\/healthz/);
      expect(config.Cmd).toEqual(['node', 'dist/api/server.js']);
      const listing = await run('docker', ['run', '--rm', '--entrypoint', 'sh', IMAGE, '-c', 'find /app -name "*.ts" -not -path "/app/node_modules/*"; ls -d /app/dist/workflow-bundle.js /app/dist/db/migrations/meta/_journal.json; ls /app/node_modules/tsx /app/node_modules/typescript 2>&1 | head -2'], { timeout: CONTAINER_TIMEOUT_MS });
      const lines = listing.stdout.trim().split('\n');
      expect(lines.filter((l) => l.endsWith('.ts')), listing.stderr).toEqual([]);
      expect(lines).toEqual(expect.arrayContaining(['/app/dist/workflow-bundle.js', '/app/dist/db/migrations/meta/_journal.json']));
      expect(listing.stdout).toMatch(/node_modules\/tsx'?: No such file/);
    } else {
      const files = (await fsp.readdir(appDir!, { recursive: true })).filter((f) => !f.startsWith('node_modules'));
      expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
      expect(files).toEqual(expect.arrayContaining(['dist/workflow-bundle.js', 'dist/db/migrations/meta/_journal.json', 'dist/temporal/failure-converter.cjs', 'dist/api/server.js']));
    }
  }, CONTAINER_TIMEOUT_MS);

  // The image installs only "dependencies": a devDependency reached at run time would fail only there.
  // (In Docker, `npm run build` ran the same check inside the image.)
  it.skipIf(mode === 'docker')('when compiled code imports a package outside "dependencies", then the build names it', async () => {
    const outDir = path.join(appDir!, 'dist');
    const { dependencies } = JSON.parse(await fsp.readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(await runtimeImportProblems(outDir, dependencies)).toEqual([]);
    const { jose: _jose, ...withoutJose } = dependencies;
    expect(await runtimeImportProblems(outDir, withoutJose)).toEqual(expect.arrayContaining([expect.stringMatching(/^api\/middleware\/auth\.js imports jose, which is not in package.json "dependencies"$/)]));
  });

  it('when the compiled migration, worker and API run in production mode, then they are healthy, ready and serve an authenticated case', async () => {
    const base = new URL(inject('databaseUrl'));
    base.pathname = `${base.pathname}_image`;
    const databaseUrl = base.toString();
    const secrets = freshSecrets();
    const port = await freePort();
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      TEMPORAL_TASK_QUEUE: `image-${randomUUID()}`,
      AUTH_JWT_SECRET: secrets.AUTH_JWT_SECRET!,
      AUTH_ISSUER: secrets.AUTH_ISSUER!,
      AUTH_AUDIENCE: secrets.AUTH_AUDIENCE!,
      HOMEWARD_PAYLOAD_KEYS: secrets.HOMEWARD_PAYLOAD_KEYS!,
      HOMEWARD_DATA_KEYS: secrets.HOMEWARD_DATA_KEYS!,
      HOMEWARD_IDENTITY_HASH_KEY: secrets.HOMEWARD_IDENTITY_HASH_KEY!,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    const started: Launched[] = [];
    try {
      // The one-shot job first, as compose runs it; it must have exited before the others start.
      const migrate = runner.start('migrate', env);
      await migrate.exited;
      expect(migrate.exitInfo, migrate.output()).toBe('exit code 0');
      expect(migrate.output()).toMatch(/migrated \S+_image/);

      const worker = runner.start('worker', env);
      started.push(worker);
      await waitFor('the worker to poll', [worker], async () => (worker.output().includes('worker polling') ? true : undefined));
      const api = runner.start('api', env);
      started.push(api);
      const url = `http://127.0.0.1:${port}`;
      const healthz = await waitFor('/healthz', started, async () => {
        const res = await fetch(`${url}/healthz`);
        return res.ok ? res : undefined;
      });
      expect(healthz.status).toBe(200);
      const ready = await waitFor('/readyz to say ready', started, async () => {
        const res = await fetch(`${url}/readyz`);
        return res.status === 200 ? ((await res.json()) as unknown) : undefined;
      });
      expect(ready).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok', worker: 'ok' } });

      const scope = { issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
      const token = (role: string, claims: { office?: string } = {}) => mintToken(env.AUTH_JWT_SECRET!, { sub: `${role}-image`, role, ...claims }, 600, scope);
      const call = async (method: string, route: string, bearer: string, body?: unknown) => {
        const res = await fetch(`${url}${route}`, {
          method,
          headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };

      // The API checks tokens against the configured secret, never the development one of this repository.
      const forged = await mintToken(DEV_JWT_SECRET, { sub: 'mallory', role: 'admin' }, 600, scope);
      expect((await call('GET', '/v1/agencies', forged)).status).toBe(401);

      const consulateId = `consulate-${randomUUID().slice(0, 8)}`;
      const agency = await call('POST', '/v1/agencies', await token('admin'), { id: consulateId, kind: 'consulate', name: 'Consulate (image test)', country: 'TH', city: 'Bangkok' });
      expect(agency.status, JSON.stringify(agency.body)).toBe(201);

      // Opening a case and acting on it runs the workflow from the prebuilt bundle in the compiled worker.
      const caseworker = await token('caseworker', { office: `office-${randomUUID().slice(0, 8)}` });
      const opened = await call('POST', '/v1/cases', caseworker, {
        person: { fullName: 'Image Test Person', sex: 'female', nationality: 'PH', documents: [{ type: 'passport', number: `P${randomUUID().slice(0, 8).toUpperCase()}`, issuingCountry: 'PH' }] },
        location: { country: 'MM', region: 'Kayin', site: 'KK Park' },
        source: { type: 'family_report' },
        riskFlags: [],
        consulateId,
      });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const noted = await call('POST', `/v1/cases/${String(opened.body.id)}/actions`, caseworker, { type: 'add_note', text: 'seen by the image test' });
      expect(noted.status, JSON.stringify(noted.body)).toBe(200);
      expect(noted.body).toMatchObject({ id: opened.body.id, stage: 'locating', person: { fullName: 'Image Test Person' } });
      expect(noted.body.version as number).toBeGreaterThan(opened.body.version as number);

      // What the compiled API serves beside /v1: the console, the API reference and the metrics.
      const page = await fetch(`${url}/`, { headers: { Accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">|<script type="module"/);
      const docs = await fetch(`${url}/docs`);
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toMatch(/text\/html/);
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/homeward_http_request_duration_seconds_bucket\{/);
    } finally {
      for (const launched of started.reverse()) await launched.stop();
      await dropDatabase(databaseUrl);
    }
  }, mode === 'docker' ? 3 * CONTAINER_TIMEOUT_MS : 240_000);
});

/** `docker compose` (v2) or `docker-compose` (v1), whichever answers first. */
async function composeClient(): Promise<string[] | undefined> {
  if ((await run('docker', ['compose', 'version'], { timeout: 10_000 })).code === 0) return ['docker', 'compose'];
  if ((await run('docker-compose', ['version'], { timeout: 10_000 })).code === 0) return ['docker-compose'];
  return undefined;
}

const namesInEnvExample = (text: string) => new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
const namesReadByCompose = (text: string) =>
  new Set([...text.replace(/\$\$/g, '').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));

describe('docker-compose.yml', () => {
  const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');

  it('when compared with .env.example, then every variable compose reads is there, and nothing else', () => {
    expect([...namesInEnvExample(example)].sort()).toEqual([...namesReadByCompose(compose)].sort());
  });

  it('when a compose client validates it, then it passes with fresh secrets and stops at once without them', async (ctx) => {
    const client = await composeClient();
    if (!client) return ctx.skip('no docker compose or docker-compose on this machine');
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'homeward-compose-'));
    try {
      const envFile = path.join(dir, '.env');
      await fsp.writeFile(envFile, renderEnv(freshSecrets()), { mode: 0o600 });
      const [cmd, ...pre] = client;
      const valid = await run(cmd!, [...pre, '--env-file', envFile, '-f', 'docker-compose.yml', 'config', '-q']);
      expect(valid.code, valid.stderr).toBe(0);

      // The template leaves every secret empty: compose refuses it, naming what to do.
      const template = await run(cmd!, [...pre, '--env-file', path.join(ROOT, '.env.example'), '-f', 'docker-compose.yml', 'config', '-q']);
      expect(template.code).not.toBe(0);
      expect(template.stderr).toMatch(/run npm run secrets/);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
