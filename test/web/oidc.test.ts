// OpenID Connect for real: an in-process OpenID Provider (oidc-provider, a certified implementation)
// on 127.0.0.1 is the console's issuer (HOMEWARD_OIDC_ISSUER, HOMEWARD_OIDC_CLIENT_ID) and the API's
// (AUTH_JWKS_URL at its JWKS, AUTH_ISSUER, AUTH_AUDIENCE). Its access tokens are JWTs for the API's
// audience, signed with its keys and carrying sub, role and office. A caseworker signs in through the
// authorization code flow with PKCE in Chromium, and the console lists the office's cases with that
// token. No development sign-in exists on this server (the API has a JWKS).
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { bearer, uniqueDocNumber } from '../api/support.js';
import { buildConsole, expectAccessible, haveChromium, launch, screenshot } from './support.js';

const AUDIENCE = 'urn:homeward:api';
const CLIENT_ID = 'homeward-console';

let idp: Server;
let issuer: string;
let h: Harness;
let server: Server;
let baseUrl: string;
let browser: Browser;
let office: string;
let dist: string;
/** The people the provider knows: their login and the claims their access tokens carry. */
const accounts = new Map<string, Record<string, string>>();

/** Listens on an ephemeral port of 127.0.0.1 with a handler set later (the issuer URL needs the port). */
async function reserve(): Promise<{ server: Server; url: string; handle(fn: http.RequestListener): void }> {
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const s = http.createServer((req, res) => handler(req, res));
  s.listen(0, '127.0.0.1');
  await new Promise<void>((done) => s.once('listening', done));
  return { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, handle: (fn) => (handler = fn) };
}

beforeAll(async () => {
  if (!haveChromium) return;
  dist = mkdtempSync(path.join(tmpdir(), 'homeward-web-oidc-'));
  await buildConsole(dist);
  const idpHost = await reserve();
  const apiHost = await reserve();
  idp = idpHost.server;
  issuer = idpHost.url;
  server = apiHost.server;
  baseUrl = apiHost.url;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none', // a public client: the browser holds no secret; PKCE instead
        redirect_uris: [`${baseUrl}/auth/callback`],
        post_logout_redirect_uris: [`${baseUrl}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'homeward-test', use: 'sig', alg: 'RS256' }] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'homeward'],
    findAccount: (_ctx: unknown, sub: string) => (accounts.has(sub) ? { accountId: sub, claims: () => ({ sub }) } : undefined),
    features: {
      devInteractions: { enabled: true }, // the provider's own login and consent pages
      resourceIndicators: {
        enabled: true,
        // Every access token is for the API: a JWT for its audience, not an opaque token.
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== AUDIENCE) throw new Error(`unknown resource ${resource}`);
          return { scope: 'homeward', audience: AUDIENCE, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // role, office or agency: what the API authorises by (api/middleware/auth.ts).
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string; kind?: string }) => (token.kind === 'AccessToken' && token.accountId ? accounts.get(token.accountId) : undefined),
  });
  idpHost.handle(provider.callback());

  h = await startHarness({
    config: {
      AUTH_JWKS_URL: `${issuer}/jwks`,
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: AUDIENCE,
      HOMEWARD_OIDC_ISSUER: issuer,
      HOMEWARD_OIDC_CLIENT_ID: CLIENT_ID,
      HOMEWARD_OIDC_SCOPE: 'openid homeward',
      HOMEWARD_WEB_DIST: dist,
    },
  });
  office = h.office;
  accounts.set('cw-oidc', { role: 'caseworker', office });
  apiHost.handle(h.app as unknown as http.RequestListener);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const s of [server, idp]) if (s) await new Promise<void>((done) => s.close(() => done()));
  await h?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe(`OpenID Connect sign-in${haveChromium ? '' : ' (skipped: /usr/bin/chromium is missing)'}`, () => {
  it.skipIf(!haveChromium)('when a caseworker signs in at the issuer with the authorization code and PKCE, then the console holds its JWT access token and lists the office cases with it', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, locale: 'en-GB', timezoneId: 'Asia/Manila' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    const authorize: URL[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${issuer}/auth`)) authorize.push(new URL(r.url()));
    });
    await page.goto('/cases');
    await page.waitForURL('**/sign-in?next=*');
    // No development sign-in on a server whose tokens come from an issuer.
    expect(await page.getByRole('heading', { name: 'Development sign-in' }).count()).toBe(0);
    expect((await h.http.post('/dev/token').send({ role: 'supervisor', office: '*', sub: 'x' })).status).toBe(404);
    await expectAccessible(page, 'sign-in with OpenID Connect');
    await page.getByRole('button', { name: 'Sign in with your organisation' }).click();

    // The provider's login and consent pages.
    await page.waitForURL(`${issuer}/**`);
    await page.locator('input[name="login"]').fill('cw-oidc');
    await page.locator('input[name="password"]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    // Back at the console: the code exchanged (with the PKCE verifier) and the page asked for shown.
    await page.waitForURL(`${baseUrl}/cases`);
    await page.getByRole('heading', { name: `Cases of office ${office}` }).waitFor();
    expect(authorize[0]!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize[0]!.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize[0]!.searchParams.get('response_type')).toBe('code');

    const token = (await page.evaluate("sessionStorage.getItem('homeward.token')")) as string;
    const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'RS256', kid: 'homeward-test', typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: issuer, aud: AUDIENCE, sub: 'cw-oidc', role: 'caseworker', office, client_id: CLIENT_ID });

    // The API takes the issuer's token: a case opened with it appears in the console's list.
    const doc = uniqueDocNumber();
    // The admin API would want an admin's token from the issuer too: the consulate goes straight into the table.
    const consulateId = `consulate-${doc.toLowerCase()}`;
    await h.db.$client.query("insert into agencies (id, kind, name, country, city) values ($1, 'consulate', $1, 'TH', 'Bangkok')", [consulateId]);
    const opened = await h.http.post('/v1/cases').set(bearer(token)).send({ person: { fullName: 'Dalisay Ramos', nationality: 'PH', documents: [{ type: 'passport', number: doc, issuingCountry: 'PH' }] }, consulateId });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    await page.reload();
    await page.getByRole('link', { name: opened.body.reference }).waitFor();
    expect(await page.getByText('cw-oidc · Caseworker').count()).toBe(1);
    // A token the provider did not sign is refused.
    const forged = `${token.split('.').slice(0, 2).join('.')}.${Buffer.from('not-the-signature').toString('base64url')}`;
    expect((await h.http.get('/v1/cases').set(bearer(forged))).status).toBe(401);
    await expectAccessible(page, 'cases after OpenID Connect sign-in');
    await screenshot(page, 'oidc-cases');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
