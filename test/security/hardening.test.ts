// Hardening of the HTTP edge (issue #8) on the real app: security headers, no caching of personal
// data, authentication before a large body is read, a per-IP limit for callers without a valid
// token, and a limit on the raids an office runs at once. (Server timeouts: test/security/config.test.ts,
// on the real process.)
import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { connect } from 'node:net';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../api/logger.js';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import { bearer, expectError } from '../api/support.js';

let h: Harness;
let consulateId: string;
let server: Server;
let port: number;

beforeAll(async () => {
  // No worker: operations stay running, which is what the per-office limit counts.
  h = await startHarness({ worker: false, config: { HOMEWARD_MAX_RUNNING_OPERATIONS_PER_OFFICE: '2' } });
  consulateId = await createConsulate(h);
  server = createServer(h.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await h?.stop();
});

describe('response headers', () => {
  it('when anything is answered, then the security headers are set and nothing names the server software', async () => {
    const admin = await h.token('admin');
    for (const res of [await h.http.get('/healthz'), await h.http.get('/v1/cases'), await h.http.get('/v1/agencies').set(bearer(admin))]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('when a /v1 response may carry personal data, or is an error, then no one may store it', async () => {
    const caseworker = await h.token('caseworker', { office: h.office });
    const responses = [
      await h.http.get('/v1/cases').set(bearer(caseworker)),
      await h.http.get(`/v1/cases/${randomUUID()}`).set(bearer(caseworker)),
      await h.http.post('/v1/cases').set(bearer(caseworker)).send({ person: { fullName: 'Only a name' } }),
      await h.http.get('/v1/cases'),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 404, 400, 401]);
    for (const res of responses) expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('authentication before bodies', () => {
  /** Sends the headers of a 32 MB POST and only the first 64 KB of its body; resolves with the first answer. */
  function startHugePost(headers: Record<string, string>): Promise<{ status: number; ms: number; sentBytes: number }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let sentBytes = 0;
      const socket = connect(port, '127.0.0.1', () => {
        const head = Object.entries({ Host: 'x', 'Content-Type': 'application/json', 'Content-Length': String(32 * 1024 * 1024), ...headers })
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n');
        socket.write(`POST /v1/operations HTTP/1.1\r\n${head}\r\n\r\n`);
        const chunk = `{"name":"${'x'.repeat(64 * 1024)}`;
        socket.write(chunk);
        sentBytes = chunk.length;
      });
      socket.once('data', (c: Buffer) => {
        resolve({ status: Number(c.toString().slice(9, 12)), ms: Date.now() - started, sentBytes });
        socket.destroy();
      });
      socket.on('error', reject);
      setTimeout(() => {
        socket.destroy();
        reject(new Error('no answer within 10 s: the server is waiting for the body'));
      }, 10_000).unref();
    });
  }

  it('when a 32 MB POST comes without a token or with a bad one, then 401 comes back before the body is sent', async () => {
    for (const headers of [{}, { Authorization: 'Bearer not.a.token' }] as Array<Record<string, string>>) {
      const answer = await startHugePost(headers);
      expect(answer.status).toBe(401);
      expect(answer.sentBytes).toBeLessThan(100 * 1024);
    }
  });

  it('when a caller with a valid token posts, then the body is read and validated as before', async () => {
    const caseworker = await h.token('caseworker', { office: h.office });
    const res = await h.http.post('/v1/operations').set(bearer(caseworker)).send({ name: 'No persons', country: 'MM', date: '2026-11-20', consulateId, persons: [] });
    expectError(res, 400, 'validation_failed');
  });
});

describe('per-IP limit for callers without a valid token', () => {
  it('when an address keeps calling without a valid token, then it gets 429 with Retry-After, while valid tokens and other addresses go on', async () => {
    // An app of its own with a low limit; addresses come from X-Forwarded-For (the test client is a
    // trusted loopback proxy).
    const config = { ...h.config, hardening: { ...h.config.hardening, anonymousRateLimitPerMinute: 5 } };
    const app = supertest(createApp({ config, db: h.db, temporal: h.temporal, hasher: h.hasher, logger: createLogger('silent') }));
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });
    const admin = await h.token('admin');

    for (let i = 0; i < 3; i++) expect((await app.get('/v1/agencies').set(from('203.0.113.7'))).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await app.get('/v1/agencies').set(from('203.0.113.7')).set(bearer('a.b.c'))).status).toBe(401);
    // Valid tokens do not count and are not limited.
    for (let i = 0; i < 3; i++) expect((await app.get('/v1/agencies').set(from('203.0.113.7')).set(bearer(admin))).status).toBe(200);

    const limited = await app.get('/v1/agencies').set(from('203.0.113.7'));
    const error = expectError(limited, 429, 'rate_limited');
    expect(limited.headers['cache-control']).toBe('no-store');
    expect(error.message).toMatch(/token/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await app.get('/readyz').set(from('203.0.113.7'))).status).toBe(429);
    expect((await app.get('/openapi.json').set(from('203.0.113.7'))).status).toBe(429);
    // Liveness probes are never refused.
    expect((await app.get('/healthz').set(from('203.0.113.7'))).status).toBe(200);
    expect((await app.post('/codec/decode').set(from('203.0.113.7')).send({ payloads: [] })).status).toBe(429);

    expect((await app.get('/v1/agencies').set(from('203.0.113.7')).set(bearer(admin))).status).toBe(200);
    expect((await app.get('/v1/agencies').set(from('198.51.100.20'))).status).toBe(401);
  });
});

describe('running operations per office', () => {
  const raid = (name: string, office?: string) => ({ name, country: 'MM', date: '2026-11-20', consulateId, ...(office ? { office } : {}), persons: [{ person: personBody() }] });

  it('when an office already runs as many operations as it may, then another is refused with 429 and what is running; retries and other offices are unaffected', async () => {
    const caseworker = await h.token('caseworker', { office: h.office });
    const key = `op-${randomUUID()}`;
    const firstBody = raid('First');
    const first = await h.http.post('/v1/operations').set(bearer(caseworker)).set('Idempotency-Key', key).send(firstBody);
    const second = await h.http.post('/v1/operations').set(bearer(caseworker)).send(raid('Second'));
    expect([first.status, second.status]).toEqual([202, 202]);

    const third = await h.http.post('/v1/operations').set(bearer(caseworker)).send(raid('Third'));
    const error = expectError(third, 429, 'rate_limited');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(error.details).toEqual({ reason: 'running_operations_limit', office: h.office, limit: 2, running: expect.arrayContaining([first.body.id, second.body.id]) });
    const { rows } = await h.db.$client.query('select count(*)::int as n from operations where office = $1', [h.office]);
    expect(rows[0].n).toBe(2);

    // A retry of an accepted raid gets its first answer, not a refusal.
    const retry = await h.http.post('/v1/operations').set(bearer(caseworker)).set('Idempotency-Key', key).send(firstBody);
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(first.body.id);

    // Another office has its own places.
    const other = await h.token('caseworker', { office: `other-${randomUUID().slice(0, 8)}` });
    expect((await h.http.post('/v1/operations').set(bearer(other)).send(raid('Elsewhere'))).status).toBe(202);

    // When one completes, a place is free again.
    await h.db.$client.query(`update operations set status = 'completed', completed_at = now() where id = $1`, [second.body.id]);
    expect((await h.http.post('/v1/operations').set(bearer(caseworker)).send(raid('Fourth'))).status).toBe(202);
  });

  it('when several raids of one office arrive at once, then no more than the limit are accepted', async () => {
    const office = `burst-${randomUUID().slice(0, 8)}`;
    const supervisor = await h.token('supervisor', { office });
    const answers = await Promise.all([0, 1, 2, 3, 4].map((i) => h.http.post('/v1/operations').set(bearer(supervisor)).send(raid(`Burst ${i}`))));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 429, 429, 429]);
    const { rows } = await h.db.$client.query(`select count(*)::int as n from operations where office = $1 and status = 'running'`, [office]);
    expect(rows[0].n).toBe(2);
  });
});
