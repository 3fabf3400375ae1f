// The cache of verified bearer tokens (api/middleware/verified-tokens.ts) behind the verifier of
// api/middleware/auth.ts: it answers only for the exact token it verified, never past that token's
// exp nor past its own maximum age, never for a failure, and holds a bounded number of tokens. The
// clock is injected, so expiry is tested without waiting.
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { type Auth, bearerVerifier } from '../../api/middleware/auth.js';
import { ApiError } from '../../api/errors.js';
import { MAX_AGE_MS, verifiedTokens } from '../../api/middleware/verified-tokens.js';

const SECRET = 'a-secret-for-the-verified-tokens-test-0123456789';
const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

async function sign(claims: Record<string, unknown>, expSeconds: number, secret = SECRET) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('cw-1')
    .setIssuedAt(Math.floor(T0 / 1000))
    .setExpirationTime(expSeconds)
    .sign(new TextEncoder().encode(secret));
}

function verifierAt(start: number) {
  const clock = { now: start };
  const verified = verifiedTokens<Auth>(3);
  const verify = bearerVerifier({ jwtSecret: SECRET }, { now: () => clock.now, verified });
  return { clock, verified, verify: (token: string) => verify(`Bearer ${token}`) };
}

const officeOf = (auth: Auth | undefined) => (auth as { office?: string } | undefined)?.office;

async function refusal(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return (err as ApiError).code;
}

/** The token with one character of part `part` (0 header, 1 payload, 2 signature) changed. */
function tampered(token: string, part: 0 | 1 | 2) {
  const parts = token.split('.');
  const s = parts[part]!;
  const i = Math.floor(s.length / 2);
  parts[part] = `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
  return parts.join('.');
}

describe('verified bearer tokens', () => {
  it('when a cached token reaches its exp, then it is refused although it was accepted before', async () => {
    const v = verifierAt(T0);
    const exp = Math.floor(T0 / 1000) + 30;
    const token = await sign({ role: 'caseworker', office: 'office-a' }, exp);
    expect(await v.verify(token)).toMatchObject({ sub: 'cw-1', role: 'caseworker', office: 'office-a' });
    expect(v.verified.size).toBe(1);

    v.clock.now = exp * 1000 - 1;
    expect((await v.verify(token)).sub).toBe('cw-1');
    v.clock.now = exp * 1000;
    expect(await refusal(v.verify(token))).toBe('unauthenticated');
    v.clock.now = exp * 1000 + 3_600_000;
    expect(await refusal(v.verify(token))).toBe('unauthenticated');
    expect(v.verified.size).toBe(0);
  });

  it('when the signature, payload or header of a cached token is tampered with, then it is refused and never cached', async () => {
    const v = verifierAt(T0);
    const token = await sign({ role: 'caseworker', office: 'office-a' }, Math.floor(T0 / 1000) + 3600);
    await v.verify(token);
    for (const part of [0, 1, 2] as const) {
      const bad = tampered(token, part);
      expect(bad).not.toBe(token);
      expect(await refusal(v.verify(bad))).toBe('unauthenticated');
    }
    // A payload rewritten to every office, keeping the genuine signature.
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'cw-1', role: 'supervisor', office: '*', exp: Math.floor(T0 / 1000) + 3600 })).toString('base64url')}.${signature}`;
    expect(await refusal(v.verify(forged))).toBe('unauthenticated');
    expect(v.verified.size).toBe(1);
    expect((await v.verify(token)).role).toBe('caseworker');
  });

  it('when a token fails verification or lacks claims, then it is refused every time and nothing is cached', async () => {
    const v = verifierAt(T0);
    const exp = Math.floor(T0 / 1000) + 3600;
    const wrongKey = await sign({ role: 'caseworker', office: 'office-a' }, exp, 'another-secret-of-at-least-32-characters!!');
    const noOffice = await sign({ role: 'caseworker' }, exp);
    const expired = await sign({ role: 'caseworker', office: 'office-a' }, Math.floor(T0 / 1000) - 1);
    for (const token of [wrongKey, noOffice, expired, wrongKey, noOffice, expired]) {
      expect(await refusal(v.verify(token))).toBe('unauthenticated');
    }
    expect(v.verified.size).toBe(0);
  });

  it('when the claims of a cached token are changed by a caller, then the change is refused', async () => {
    const v = verifierAt(T0);
    const token = await sign({ role: 'caseworker', office: 'office-a' }, Math.floor(T0 / 1000) + 3600);
    const auth = await v.verify(token);
    expect(() => Object.assign(auth, { office: '*' })).toThrow(TypeError);
    expect(officeOf(await v.verify(token))).toBe('office-a');
  });

  it('when more tokens are verified than the cache holds, then the least recently used is dropped and the size stays bounded', async () => {
    const v = verifierAt(T0);
    const exp = Math.floor(T0 / 1000) + 3600;
    const tokens = await Promise.all(['a', 'b', 'c', 'd'].map((o) => sign({ role: 'caseworker', office: `office-${o}` }, exp)));
    await v.verify(tokens[0]!);
    await v.verify(tokens[1]!);
    await v.verify(tokens[2]!);
    await v.verify(tokens[0]!); // a is now the most recently used; b the least
    await v.verify(tokens[3]!);
    expect(v.verified.size).toBe(3);
    expect(v.verified.get(tokens[1]!, T0)).toBeUndefined();
    expect(officeOf(v.verified.get(tokens[0]!, T0))).toBe('office-a');
    // A dropped token is still good: it is verified again.
    expect(officeOf(await v.verify(tokens[1]!))).toBe('office-b');
  });

  it('when an entry is older than the maximum age, then it is no longer answered, whatever its exp', () => {
    const cache = verifiedTokens<string>(10);
    cache.remember('t', 'claims', T0 + 24 * 3_600_000, T0);
    expect(cache.get('t', T0 + MAX_AGE_MS - 1)).toBe('claims');
    expect(cache.get('t', T0 + MAX_AGE_MS)).toBeUndefined();
    cache.remember('expired', 'claims', T0, T0);
    expect(cache.size).toBe(0);
  });
});
