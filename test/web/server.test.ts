// How the API serves the console: the development sign-in exists only outside production, the
// console's settings tell the browser how to sign in, and the console's files and its page fallback
// never shadow the API or the platform endpoints. Against the real stack (no browser needed).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../api/logger.js';
import { loadConfig } from '../../config/index.js';
import { freshSecrets } from '../../scripts/secrets.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
let dist: string;
const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-3f9a1c.js"></script></head><body></body></html>';
/** A hashed asset, large enough to be worth compressing. */
const APP_JS = `${'export const messages = ["Verify nationality", "Issue travel document"];\n'.repeat(200)}`;

beforeAll(async () => {
  // A console build of its own, so this file does not depend on (or race) `npm run build:web`.
  dist = mkdtempSync(path.join(tmpdir(), 'homeward-web-'));
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'assets', 'app-3f9a1c.js'), APP_JS);
  h = await startHarness({ worker: false, config: { HOMEWARD_WEB_DIST: dist } });
});
afterAll(async () => {
  await h?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/** The same servers, under a production configuration that starts (what `npm run secrets` writes). */
function productionApp(extra: Record<string, string> = {}) {
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: h.config.databaseUrl,
    TEMPORAL_ADDRESS: h.config.temporal.address!,
    LOG_LEVEL: 'silent',
    HOMEWARD_WEB_DIST: dist,
    ...freshSecrets(),
    ...extra,
  });
  return supertest(createApp({ config, db: h.db, temporal: h.temporal, hasher: h.hasher, logger: createLogger('silent') }));
}

describe('development sign-in', () => {
  it('when a development server is asked for a token, then it mints one the API accepts, with the claims asked for', async () => {
    const res = await h.http.post('/dev/token').send({ role: 'caseworker', office: h.office, sub: 'cw-dev' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const cases = await h.http.get('/v1/cases').set('Authorization', `Bearer ${res.body.token}`);
    expect(cases.status).toBe(200);
    const [, payload] = (res.body.token as string).split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ sub: 'cw-dev', role: 'caseworker', office: h.office });
  });

  it('when the body names no office for a caseworker, then the answer is a 400 at the field', async () => {
    const res = await h.http.post('/dev/token').send({ role: 'caseworker', sub: 'cw-dev' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['office']);
  });

  it('when the API runs in production, then there is no development sign-in, whatever the body', async () => {
    const prod = productionApp();
    const res = await prod.post('/dev/token').send({ role: 'supervisor', office: '*', sub: 'intruder' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(res.body.token).toBeUndefined();
    const settings = await prod.get('/console/config.json');
    expect(settings.body).toEqual({ signIn: 'none', oidc: null });
  });

  it('when production configures an OpenID Connect issuer, then the console is told to sign in there and the CSP lets it call the issuer', async () => {
    const prod = productionApp({ HOMEWARD_OIDC_ISSUER: 'https://idp.example.org/realms/homeward', HOMEWARD_OIDC_CLIENT_ID: 'homeward-console' });
    const settings = await prod.get('/console/config.json');
    expect(settings.body).toEqual({ signIn: 'oidc', oidc: { issuer: 'https://idp.example.org/realms/homeward', clientId: 'homeward-console', scope: 'openid profile' } });
    expect(settings.headers['content-security-policy']).toContain("connect-src 'self' https://idp.example.org");
    expect(settings.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('when only one of the issuer and the client id is set, then the configuration is refused naming the missing one', () => {
    expect(() => loadConfig({ HOMEWARD_OIDC_ISSUER: 'https://idp.example.org/' })).toThrow(/HOMEWARD_OIDC_CLIENT_ID/);
  });
});

describe('the console at /', () => {
  it('when a browser asks for any page of the console, then it gets index.html', async () => {
    for (const page of ['/', '/cases/0b9c2f4e-6a51-4d3e-9f0a-2c7d1e8b5a60', '/inbox']) {
      const res = await h.http.get(page).set('Accept', 'text/html,application/xhtml+xml');
      expect(res.status, page).toBe(200);
      expect(res.text, page).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it("when a browser that accepts gzip asks for a hashed asset, then it comes compressed and cached for a year, and the API's own answers are not compressed by the console", async () => {
    const res = await h.http.get('/assets/app-3f9a1c.js').set('Accept-Encoding', 'gzip');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.text).toBe(APP_JS);
    const plain = await h.http.get('/assets/app-3f9a1c.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(APP_JS));
    const page = await h.http.get('/inbox').set('Accept', 'text/html').set('Accept-Encoding', 'gzip');
    expect(page.headers['cache-control']).toBe('no-cache');
    const doc = await h.http.get('/openapi.json').set('Accept-Encoding', 'gzip');
    expect(doc.headers['content-encoding']).toBeUndefined();
  });

  it('when a browser asks for an API or platform path, then the API answers, never the console', async () => {
    const html = { Accept: 'text/html' };
    const v1 = await h.http.get('/v1/cases').set(html);
    expect(v1.status).toBe(401);
    expect(v1.body.error.code).toBe('unauthenticated');
    const missing = await h.http.get('/v1/no-such-thing').set(html).set('Authorization', `Bearer ${await h.token('caseworker', { office: h.office })}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await h.http.get('/healthz').set(html)).body).toMatchObject({ status: 'ok' });
    expect((await h.http.get('/openapi.json').set(html)).body.openapi).toBe('3.1.0');
    expect((await h.http.get('/metrics').set(html)).text).toContain('# HELP');
    expect((await h.http.get('/docs').set(html)).text).toContain('swagger-ui');
    const codec = await h.http.get('/codec/nothing').set(html);
    expect(codec.status).toBe(401);
    expect(codec.body.error.code).toBe('unauthenticated');
  });

  it('when a client asks for JSON at an unknown path, then it gets the JSON 404 of the contract', async () => {
    const res = await h.http.get('/no-such-page').set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
