// A dependency that is down: the API answers 503 `unavailable` with Retry-After, and nothing is
// half-written. Temporal "down" is an address where nothing listens; PostgreSQL "down" likewise.
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../api/logger.js';
import { createDb } from '../../db/client.js';
import { createIdentityHasher } from '../../db/identity.js';
import { createTemporalClient } from '../../temporal/client.js';
import { type Harness, createConsulate, personBody, startHarness, testConfig } from '../support/harness.js';

let h: Harness;
let consulateId: string;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  consulateId = await createConsulate(h);
});
afterAll(async () => {
  await h?.stop();
});

function appWith(overrides: { temporalAddress?: string; databaseUrl?: string }) {
  const config = testConfig(overrides.databaseUrl ? { DATABASE_URL: overrides.databaseUrl, TEMPORAL_ADDRESS: h.config.temporal.address! } : {});
  const db = overrides.databaseUrl ? createDb(overrides.databaseUrl, 2) : h.db;
  const temporal = overrides.temporalAddress ? createTemporalClient(Connection.lazy({ address: overrides.temporalAddress }), config) : h.temporal;
  const app = createApp({ config, db, temporal, hasher: createIdentityHasher(config), logger: createLogger('silent') });
  return { http: supertest(app), db };
}

describe('when a dependency is down', () => {
  it('when Temporal cannot be reached, then opening a case answers 503 with Retry-After and writes nothing', async () => {
    const { http } = appWith({ temporalAddress: '127.0.0.1:1' });
    const token = await h.token('caseworker', { office: h.office });
    const number = `T${randomUUID().slice(0, 10)}`;
    const res = await http
      .post('/v1/cases')
      .set('Authorization', `Bearer ${token}`)
      .send({ person: personBody({ documents: [{ type: 'passport', number, issuingCountry: 'PH' }] }), consulateId });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'unavailable' });
    expect(res.headers['retry-after']).toBeDefined();
    const rows = await h.db.$client.query('select count(*)::int as n from cases where office = $1', [h.office]);
    expect(rows.rows[0].n).toBe(0);
    // The document is not reserved either: the same person can be opened once Temporal is back.
    const docs = await h.db.$client.query('select count(*)::int as n from identity_documents where number_hash = $1', [h.hasher.numberHash(number)]);
    expect(docs.rows[0].n).toBe(0);

    const ready = await http.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ postgres: 'ok', temporal: 'down', worker: 'unknown' });
    expect(ready.body.reasons).toEqual([expect.stringMatching(/^temporal: /)]);
  }, 90_000);

  it('when PostgreSQL cannot be reached, then reads and writes answer 503 and readiness says so', async () => {
    const { http, db } = appWith({ databaseUrl: 'postgres://postgres@127.0.0.1:1/homeward' });
    try {
      const token = await h.token('caseworker', { office: h.office });
      const list = await http.get('/v1/cases').set('Authorization', `Bearer ${token}`);
      expect(list.status).toBe(503);
      expect(list.body.error.code).toBe('unavailable');
      const open = await http.post('/v1/cases').set('Authorization', `Bearer ${token}`).send({ person: personBody(), consulateId });
      expect(open.status).toBe(503);
      const ready = await http.get('/readyz');
      expect(ready.status).toBe(503);
      // This file runs no worker, so readiness names that too.
      expect(ready.body.checks).toEqual({ postgres: 'down', temporal: 'ok', worker: 'down' });
      expect(ready.body.reasons).toEqual([expect.stringMatching(/^postgres: /), expect.stringMatching(/^worker: /)]);
      expect((await http.get('/healthz')).status).toBe(200);
    } finally {
      await db.$client.end();
    }
  }, 60_000);
});
