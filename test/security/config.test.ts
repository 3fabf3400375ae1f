// Safe configuration (issue #8): production refuses the secrets published in this repository, short
// secrets, tokens without issuer and audience, and keys over plain HTTP, with one line naming the
// setting, both through loadConfig and as the real API and worker processes. A good production
// configuration starts and serves; `npm run secrets` writes one; compose publishes on loopback only.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from '../../scripts/temporal-server.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, DEV_DATA_KEY, DEV_HASH_KEY, DEV_JWT_SECRET, DEV_PAYLOAD_KEY, loadConfig } from '../../config/index.js';
import { mintToken } from '../../scripts/token.js';
import { freshSecrets, writeSecrets } from '../../scripts/secrets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const freshKey = () => randomBytes(32).toString('base64');

/** A production environment that must start: what `npm run secrets` writes, plus the servers. */
function goodProduction(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'production',
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    LOG_LEVEL: 'silent',
    ...freshSecrets(),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

// Each bad setting, and the variable the refusal must name.
const BAD: Array<[string, Record<string, string | undefined>, string]> = [
  ['the development JWT secret', { AUTH_JWT_SECRET: DEV_JWT_SECRET }, 'AUTH_JWT_SECRET'],
  ['a short JWT secret', { AUTH_JWT_SECRET: 'x'.repeat(20) }, 'AUTH_JWT_SECRET'],
  ['the development payload key', { HOMEWARD_PAYLOAD_KEYS: DEV_PAYLOAD_KEY }, 'HOMEWARD_PAYLOAD_KEYS'],
  ['the development payload key under another id, beside a fresh one', { HOMEWARD_PAYLOAD_KEYS: `old:${DEV_PAYLOAD_KEY.split(':')[1]},new:${freshKey()}` }, 'HOMEWARD_PAYLOAD_KEYS'],
  ['no payload keys', { HOMEWARD_PAYLOAD_KEYS: undefined }, 'HOMEWARD_PAYLOAD_KEYS'],
  ['the development identity-hash key', { HOMEWARD_IDENTITY_HASH_KEY: DEV_HASH_KEY }, 'HOMEWARD_IDENTITY_HASH_KEY'],
  ['a short identity-hash key', { HOMEWARD_IDENTITY_HASH_KEY: 'y'.repeat(16) }, 'HOMEWARD_IDENTITY_HASH_KEY'],
  ['no identity-hash key', { HOMEWARD_IDENTITY_HASH_KEY: undefined }, 'HOMEWARD_IDENTITY_HASH_KEYS'],
  ['the development identity-hash key in the key list', { HOMEWARD_IDENTITY_HASH_KEYS: `h1:${DEV_HASH_KEY}` }, 'HOMEWARD_IDENTITY_HASH_KEYS'],
  ['the development data key', { HOMEWARD_DATA_KEYS: DEV_DATA_KEY }, 'HOMEWARD_DATA_KEYS'],
  ['no data keys', { HOMEWARD_DATA_KEYS: undefined }, 'HOMEWARD_DATA_KEYS'],
  ['no JWT issuer', { AUTH_ISSUER: undefined }, 'AUTH_ISSUER'],
  ['no JWT audience', { AUTH_AUDIENCE: undefined }, 'AUTH_AUDIENCE'],
  ['a JWKS URL over plain HTTP', { AUTH_JWKS_URL: 'http://idp.example.org/.well-known/jwks.json', AUTH_JWT_SECRET: undefined }, 'AUTH_JWKS_URL'],
  ['neither a JWT secret nor a JWKS URL', { AUTH_JWT_SECRET: undefined }, 'AUTH_JWKS_URL'],
  ['a codec CORS origin over plain HTTP', { HOMEWARD_CODEC_CORS_ORIGIN: 'http://temporal-ui.example.org' }, 'HOMEWARD_CODEC_CORS_ORIGIN'],
];

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig in production', () => {
  it.each(BAD)('when started with %s, then it refuses in one line naming the setting', (_what, overrides, setting) => {
    const err = refusal(goodProduction(overrides));
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(new RegExp(`^Invalid configuration: .*\\b${setting}: `));
    expect(err.issues.map((i) => i.setting)).toContain(setting);
    // The refusal names the setting, never the secret's value.
    for (const value of Object.values(overrides)) if (value && value.length >= 16) expect(err.message).not.toContain(value);
  });

  it('when every production setting is good, then the configuration loads with those values', () => {
    const env = goodProduction({ HOMEWARD_CODEC_CORS_ORIGIN: 'https://temporal-ui.example.org' });
    const config = loadConfig(env);
    expect(config.env).toBe('production');
    expect(config.auth).toMatchObject({ jwtSecret: env.AUTH_JWT_SECRET, issuer: 'homeward', audience: 'homeward-api' });
    expect(config.identityHashKey).toBe(env.HOMEWARD_IDENTITY_HASH_KEY);
    expect(config.payloadKeys).toHaveLength(1);
    expect(config.codec.corsOrigin).toBe('https://temporal-ui.example.org');
  });

  it('when production uses a JWKS URL over HTTPS without a shared secret, then it loads', () => {
    const config = loadConfig(goodProduction({ AUTH_JWT_SECRET: undefined, AUTH_JWKS_URL: 'https://idp.example.org/.well-known/jwks.json' }));
    expect(config.auth.jwksUrl).toBe('https://idp.example.org/.well-known/jwks.json');
    expect(config.auth.jwtSecret).toBeUndefined();
  });

  it('when not in production, then the development defaults still start `npm start` and the tests', () => {
    for (const NODE_ENV of ['development', 'test', undefined]) {
      const config = loadConfig(NODE_ENV ? { NODE_ENV } : {});
      expect(config.auth.jwtSecret).toBe(DEV_JWT_SECRET);
      expect(config.identityHashKey).toBe(DEV_HASH_KEY);
    }
  });
});

// ---- the real processes ----

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function run(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}


describe('the API and worker processes in production', () => {
  // A process start costs seconds here, so each setting is checked one by one through loadConfig
  // above, and the processes with all of them at once and with the commonest mistakes alone.
  it('when the API starts with every bad setting at once, then it exits non-zero with one line naming each', async () => {
    const env = goodProduction({
      PORT: '0',
      AUTH_JWT_SECRET: DEV_JWT_SECRET,
      AUTH_JWKS_URL: 'http://idp.example.org/.well-known/jwks.json',
      AUTH_ISSUER: undefined,
      AUTH_AUDIENCE: undefined,
      HOMEWARD_PAYLOAD_KEYS: DEV_PAYLOAD_KEY,
      HOMEWARD_IDENTITY_HASH_KEY: 'short-hash-key',
      HOMEWARD_CODEC_CORS_ORIGIN: 'http://temporal-ui.example.org',
    });
    const { code, stderr } = await run('api/server.ts', env).exited;
    expect(code).toBe(78);
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    for (const setting of ['AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'HOMEWARD_PAYLOAD_KEYS', 'HOMEWARD_IDENTITY_HASH_KEY', 'HOMEWARD_CODEC_CORS_ORIGIN']) {
      expect(lines[0]).toMatch(new RegExp(`\\b${setting}: `));
    }
    expect(lines[0]).not.toContain(DEV_JWT_SECRET);
  });

  it('when the API starts with only the development payload key, then it exits non-zero naming it', async () => {
    const { code, stderr } = await run('api/server.ts', goodProduction({ PORT: '0', HOMEWARD_PAYLOAD_KEYS: DEV_PAYLOAD_KEY })).exited;
    expect(code).toBe(78);
    expect(stderr.trim()).toMatch(/^Invalid configuration: HOMEWARD_PAYLOAD_KEYS: [^\n]+$/);
  });

  it('when the worker starts with the development JWT secret, then it exits non-zero naming it', async () => {
    const { code, stderr } = await run('worker/main.ts', goodProduction({ AUTH_JWT_SECRET: DEV_JWT_SECRET })).exited;
    expect(code).toBe(78);
    expect(stderr.trim()).toMatch(/^Invalid configuration: AUTH_JWT_SECRET: [^\n]+$/);
  });

  it('when the API starts with a good production configuration, then it serves tokens of its issuer and audience only, with the configured server timeouts', async () => {
    const port = await freePort();
    const env = goodProduction({ PORT: String(port), HOMEWARD_KEEP_ALIVE_TIMEOUT_MS: '1000', HOMEWARD_HEADERS_TIMEOUT_MS: '1000', HOMEWARD_REQUEST_TIMEOUT_MS: '2000' });
    const api = run('api/server.ts', env);
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (up) break;
      if (api.child.exitCode !== null || Date.now() > deadline) throw new Error(`the API did not start: ${JSON.stringify(api.output())}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    try {
      const claims = { sub: 'root', role: 'admin' };
      const good = await mintToken(env.AUTH_JWT_SECRET!, claims, 600, { issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE });
      const get = (token: string) => fetch(`${base}/v1/agencies`, { headers: { Authorization: `Bearer ${token}` } });
      expect((await get(good)).status).toBe(200);
      expect((await get(await mintToken(env.AUTH_JWT_SECRET!, claims, 600))).status).toBe(401);
      expect((await get(await mintToken(env.AUTH_JWT_SECRET!, claims, 600, { issuer: env.AUTH_ISSUER, audience: 'another-service' }))).status).toBe(401);
      expect((await get(await mintToken(DEV_JWT_SECRET, claims, 600, { issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE }))).status).toBe(401);

      // Timeouts, seen from a client: an idle keep-alive socket is closed after ~1 s (Node's default
      // is 5 s), and a client that never finishes its headers gets 408 and a closed socket (Node's
      // default would wait 60 s; the server checks every 30 s, hence the long wait).
      const idleClosedAfter = await new Promise<number>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`));
        let answeredAt = 0;
        socket.on('data', () => (answeredAt ||= Date.now()));
        socket.on('close', () => resolve(Date.now() - answeredAt));
        socket.on('error', reject);
      });
      expect(idleClosedAfter).toBeGreaterThan(500);
      expect(idleClosedAfter).toBeLessThan(4_000);

      const slow = await new Promise<{ reply: string; ms: number }>((resolve, reject) => {
        const started = Date.now();
        let reply = '';
        const socket = connect(port, '127.0.0.1', () => socket.write(`POST /v1/operations HTTP/1.1\r\nHost: x\r\n`));
        socket.on('data', (c: Buffer) => (reply += c.toString()));
        socket.on('close', () => resolve({ reply, ms: Date.now() - started }));
        socket.on('error', reject);
      });
      expect(slow.reply).toMatch(/^HTTP\/1\.1 408/);
      expect(slow.ms).toBeLessThan(45_000);
    } finally {
      api.child.kill('SIGTERM');
      const { code } = await api.exited;
      expect(code).toBe(0);
    }
  }, 120_000);
});

describe('npm run secrets', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'homeward-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const parseEnv = (text: string) =>
    Object.fromEntries(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

  it('when it writes a .env, then the file is private to its owner and its values start production', () => {
    const file = path.join(dir, 'fresh.env');
    writeSecrets(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const values = parseEnv(readFileSync(file, 'utf8'));
    expect(Object.keys(values)).toEqual(expect.arrayContaining(['AUTH_JWT_SECRET', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'HOMEWARD_PAYLOAD_KEYS', 'HOMEWARD_IDENTITY_HASH_KEY', 'POSTGRES_PASSWORD']));
    const config = loadConfig({ NODE_ENV: 'production', ...values });
    expect(config.payloadKeys[0]!.key).toHaveLength(32);
    // Fresh each time.
    const again = path.join(dir, 'again.env');
    writeSecrets(again);
    const other = parseEnv(readFileSync(again, 'utf8'));
    for (const k of ['AUTH_JWT_SECRET', 'HOMEWARD_PAYLOAD_KEYS', 'HOMEWARD_IDENTITY_HASH_KEY', 'POSTGRES_PASSWORD']) expect(other[k]).not.toBe(values[k]);
  });

  it('when a .env exists, then `npm run secrets` refuses to overwrite it, and --force keeps the old one as a backup', async () => {
    const file = path.join(dir, '.env');
    writeFileSync(file, 'AUTH_JWT_SECRET=keys-in-use\n', { mode: 0o600 });
    const cli = (args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/secrets.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
    };
    const first = await cli(['--out', file]);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toMatch(/exists/);
    expect(readFileSync(file, 'utf8')).toBe('AUTH_JWT_SECRET=keys-in-use\n');

    const forced = await cli(['--out', file, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(parseEnv(readFileSync(file, 'utf8')).AUTH_JWT_SECRET).not.toBe('keys-in-use');
    const backups = readdirSync(dir).filter((f) => f.startsWith('.env.') && f.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(path.join(dir, backups[0]!), 'utf8')).toBe('AUTH_JWT_SECRET=keys-in-use\n');
  });
});

describe('the container set-up', () => {
  const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');

  it('when docker compose publishes a port, then only on 127.0.0.1', () => {
    const published = [...compose.matchAll(/^\s+ports:\n((?:\s+(?:#.*|- .*)\n)+)/gm)].flatMap((m) => m[1]!.split('\n').filter((l) => /^\s+- /.test(l)));
    expect(published.length).toBeGreaterThanOrEqual(4);
    for (const line of published) expect(line).toMatch(/^\s+- "127\.0\.0\.1:/);
  });

  it('when docker compose passes secrets, then each comes from .env and none is written in the file', () => {
    for (const value of [DEV_JWT_SECRET, DEV_HASH_KEY, DEV_PAYLOAD_KEY.split(':')[1]!, 'homeward:homeward@', 'POSTGRES_PWD: homeward', 'POSTGRES_PASSWORD: homeward']) {
      expect(compose).not.toContain(value);
    }
    for (const name of ['AUTH_JWT_SECRET', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'HOMEWARD_PAYLOAD_KEYS', 'HOMEWARD_IDENTITY_HASH_KEY', 'POSTGRES_PASSWORD']) {
      expect(compose).toMatch(new RegExp(`\\$\\{${name}:\\?`));
      expect(compose).not.toMatch(new RegExp(`\\$\\{${name}:-`));
    }
  });

  it('when the image runs, then it runs in production, and .env stays out of git and the image', () => {
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^ENV NODE_ENV=production$/m);
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
    expect(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')).toMatch(/^\.env$/m);
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    for (const line of example.split('\n').filter((l) => /^(AUTH_JWT_SECRET|HOMEWARD_PAYLOAD_KEYS|HOMEWARD_IDENTITY_HASH_KEY|POSTGRES_PASSWORD)=/.test(l))) {
      expect(line).toMatch(/=$/);
    }
    expect(existsSync(path.join(ROOT, '.env.example'))).toBe(true);
  });
});
