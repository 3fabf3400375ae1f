// A database that fails in the middle of opening a case (injected with a trigger on the real
// PostgreSQL, for this test's offices only): the caller gets 503 or 500 in the contract shape,
// nothing is half-done, and the logs carry no personal data.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { createDb } from '../../db/client.js';
import { REDACT_PATHS } from '../../api/logger.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { bearer, countCasesOfOffice, countRows, expectError, openBody, uniqueDocNumber } from './support.js';

let h: Harness;
let consulateId: string;
let http: ReturnType<typeof supertest>;
const logs: string[] = [];
// Unique per run, so no other test's office can ever match the trigger.
const tag = `fault${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  // The app as in production, but with a logger whose lines the test can read.
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  http = supertest(createApp({ config: h.config, db: h.db, temporal: h.temporal, hasher: h.hasher, logger }));
  await h.db.$client.query(`
    create or replace function ${tag}_fail() returns trigger language plpgsql as $$
    begin
      if new.office = '${tag}-down' then raise exception 'injected: shutting down' using errcode = '57P01'; end if;
      if new.office = '${tag}-bug' then raise exception 'injected: internal' using errcode = 'XX000'; end if;
      return new;
    end $$`);
  await h.db.$client.query(`create trigger ${tag}_fail before insert on cases for each row execute function ${tag}_fail()`);
});
afterAll(async () => {
  await h?.db.$client.query(`drop trigger if exists ${tag}_fail on cases`);
  await h?.db.$client.query(`drop function if exists ${tag}_fail()`);
  await h?.stop();
});

describe('a database fault while opening a case', () => {
  for (const [suffix, status, code] of [
    ['down', 503, 'unavailable'],
    ['bug', 500, 'internal'],
  ] as const) {
    it(`when PostgreSQL fails the insert (${suffix}), then ${status} ${code}, nothing is written, and no log line holds the person's data`, async () => {
      const office = `${tag}-${suffix}`;
      const token = await h.token('caseworker', { office });
      const fullName = `Zebulon Faultline ${randomUUID().slice(0, 4)}`;
      const number = uniqueDocNumber('F');
      const key = `fault-${randomUUID()}`;
      logs.length = 0;
      const res = await http
        .post('/v1/cases')
        .set(bearer(token))
        .set('Idempotency-Key', key)
        .send(openBody(consulateId, {}, { fullName, documents: [{ type: 'passport', number, issuingCountry: 'PH' }] }));
      const error = expectError(res, status, code);
      expect(error.message).not.toMatch(/injected|insert|params|select/i);
      if (status === 503) expect(res.headers['retry-after']).toMatch(/^\d+$/);

      expect(await countCasesOfOffice(h, office)).toBe(0);
      expect(await countRows(h, 'select count(*) as n from idempotency_keys where key = $1', [key])).toBe(0);
      expect(await countRows(h, 'select count(*) as n from identity_documents where number_hash = $1', [h.hasher.numberHash(number)])).toBe(0);

      const logged = logs.join('\n');
      expect(logged).toContain(error.requestId);
      // Still useful to an operator: the SQLSTATE is logged.
      expect(logged).toContain(suffix === 'down' ? '57P01' : 'XX000');
      expect(logged).not.toContain(fullName);
      expect(logged).not.toContain(number);
      expect(logged).not.toContain('1996-04-12');
    });
  }
});

describe('a database whose every pooled connection is in use', () => {
  it('when a request waits out the pool, then 503 says PostgreSQL is busy (not down) with Retry-After, and once a connection is free the same request answers', async () => {
    const db = createDb(h.config.databaseUrl, 1);
    const busyHttp = supertest(createApp({ config: h.config, db, temporal: h.temporal, hasher: h.hasher, logger: pino({ level: 'silent' }) }));
    const token = await h.token('caseworker', { office: `${tag}-busy` });
    const held = await db.$client.connect();
    try {
      const res = await busyHttp.get('/v1/cases').set(bearer(token));
      const error = expectError(res, 503, 'unavailable');
      expect(error.message).toMatch(/PostgreSQL is busy/);
      expect(error.message).not.toMatch(/unavailable/);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      held.release();
    }
    expect((await busyHttp.get('/v1/cases').set(bearer(token))).status).toBe(200);
    await db.$client.end();
  });
});
