// Tokens (issue #8): whatever a token gets wrong (issuer, audience, a claim that is not a role, a
// role without its office or agency, another HMAC algorithm, nbf, or a valid token sent anywhere but
// the Authorization header), the answer is 401 and nothing of a case. These run on the security
// matrix's world (test/security/matrix/): the app configured with an issuer and an audience as in
// production, and fixtures for every endpoint the matrix calls, so a token in the wrong place is
// tried on all of them with real ids.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectError } from '../api/support.js';
import { callers, consulateA, officeA } from './matrix/callers.js';
import { type Endpoint, OUTSIDE_REGISTRY, keyOf, registered, targetsOf } from './matrix/endpoints.js';
import { PROBES } from './matrix/probes.js';
import { call, inScope } from './matrix/run.js';
import { leaked } from './matrix/scope.js';
import { AUTH, h, setUpWorld, tearDownWorld, world } from './matrix/world.js';

beforeAll(setUpWorld, 240_000);
afterAll(tearDownWorld);

describe('tokens', () => {
  async function sign(claims: Record<string, unknown>, opts: { alg?: string; secret?: string; issuer?: string | null; audience?: string | string[] | null; notBefore?: number } = {}) {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
      .setSubject(`mx-token-${randomUUID().slice(0, 6)}`)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600);
    if (opts.issuer !== null) jwt.setIssuer(opts.issuer ?? AUTH.AUTH_ISSUER);
    if (opts.audience !== null) jwt.setAudience(opts.audience ?? AUTH.AUTH_AUDIENCE);
    if (opts.notBefore !== undefined) jwt.setNotBefore(opts.notBefore);
    return jwt.sign(new TextEncoder().encode(opts.secret ?? h.config.auth.jwtSecret!));
  }
  const supervisorAll = () => ({ role: 'supervisor', office: '*' });
  const readCase = (token: string) => h.http.get(`/v1/cases/${world.pick.cases[0]!.id}`).set(bearer(token));

  it('when a token is right in every claim (control), then it reads the case', async () => {
    expect((await readCase(await sign(supervisorAll()))).status).toBe(200);
    // An audience list that includes this API is a token for it too (RFC 7519 §4.1.3).
    expect((await readCase(await sign(supervisorAll(), { audience: ['another-api', AUTH.AUTH_AUDIENCE] }))).status).toBe(200);
  });

  it('when the token was issued by another issuer, for another audience, or names neither, then 401 and nothing of the case', async () => {
    const bad = [
      await sign(supervisorAll(), { issuer: 'https://evil.example/' }),
      await sign(supervisorAll(), { issuer: 'https://idp.homeward.test' }), // no trailing slash: another issuer
      await sign(supervisorAll(), { issuer: null }),
      await sign(supervisorAll(), { audience: 'another-api' }),
      await sign(supervisorAll(), { audience: ['another-api'] }),
      await sign(supervisorAll(), { audience: null }),
    ];
    for (const token of bad) {
      const res = await readCase(token);
      expectError(res, 401, 'unauthenticated');
      expect(leaked(JSON.stringify(res.body), [world.pick.cases[0]!.id, ...world.pick.cases[0]!.names])).toEqual([]);
    }
  });

  it('when the claims name a role that is not a token role, or a role without the office or agency it needs, then 401', async () => {
    const bad = [
      { role: 'system', office: '*' }, // the workflow's actor role, never a caller's
      { role: 'Supervisor', office: '*' },
      { role: ['supervisor'], office: '*' },
      { role: 'supervisor', office: '' },
      { role: 'supervisor', agency: consulateA },
      { role: 'caseworker', agency: consulateA },
      { role: 'agency_officer', office: officeA },
      { role: 'agency_officer', agency: ['x', consulateA] },
    ];
    for (const claims of bad) expectError(await h.http.get('/v1/agencies').set(bearer(await sign(claims))), 401, 'unauthenticated');
  });

  it('when the token is signed with another HMAC algorithm with the right secret, or is not valid yet, then 401', async () => {
    expectError(await readCase(await sign(supervisorAll(), { alg: 'HS512' })), 401, 'unauthenticated');
    expectError(await readCase(await sign(supervisorAll(), { alg: 'HS384' })), 401, 'unauthenticated');
    expectError(await readCase(await sign(supervisorAll(), { notBefore: Math.floor(Date.now() / 1000) + 600 })), 401, 'unauthenticated');
  });

  it('when a valid token travels anywhere but the Authorization header (query string, another header, a cookie), then every endpoint answers 401', async () => {
    const endpoints: Endpoint[] = [
      ...registered().map((r) => ({ method: r.method, path: r.path, roles: r.roles })),
      ...OUTSIDE_REGISTRY.filter((x) => x.roles).map((x) => ({ method: x.method, path: x.path, roles: x.roles })),
    ];
    let checked = 0;
    for (const e of endpoints) {
      const c = callers.find((x) => e.roles?.includes(x.role) && (x.office === '*' || x.role === 'admin' || x.role === 'agency_officer'))!;
      const targets = targetsOf(e, PROBES[keyOf(e)]);
      if (typeof targets === 'string') throw new Error(targets);
      const t = targets.find((x) => inScope(c, x)) ?? targets[0]!;
      const body = PROBES[keyOf(e)]?.body?.(c, t, true) ?? (e.method === 'post' ? {} : undefined);
      const ways: Array<{ query?: Record<string, string>; headers?: Record<string, string>; what: string }> = [
        { what: 'no token', headers: {} },
        { what: '?access_token=', query: { ...t.query, access_token: c.token } },
        { what: '?token=', query: { ...t.query, token: c.token } },
        { what: '?authorization=Bearer', query: { ...t.query, authorization: `Bearer ${c.token}` } },
        { what: 'X-Access-Token', headers: { 'X-Access-Token': c.token } },
        { what: 'Cookie', headers: { Cookie: `access_token=${c.token}; token=${c.token}` } },
      ];
      for (const way of ways) {
        const res = await call(e, { params: t.params, query: way.query ?? t.query, headers: way.headers, body });
        expect(`${keyOf(e)} ${way.what}: ${res.status}`).toBe(`${keyOf(e)} ${way.what}: 401`);
        expectError(res, 401, 'unauthenticated');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
