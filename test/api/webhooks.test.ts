// The webhook subscription endpoints (API.md "Notifications"): who may subscribe whom, what a bad
// body gets (the error contract, never a 500), that a secret is never answered, that lists and
// delivery logs keep to the caller's scope and page with a cursor, and that a deleted subscription
// gets nothing more. Real Temporal and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { startReceiver } from '../support/webhooks.js';
import { bearer, expectError, expectValidation } from './support.js';

const SECRET = `test-secret-${randomUUID()}`;
let h: Harness;
let consulateA: string;
let consulateB: string;
let p: drive.People;
let officerB: string;

beforeAll(async () => {
  h = await startHarness({ config: { HOMEWARD_WEBHOOK_POLL_MS: '300' } });
  consulateA = await createConsulate(h);
  consulateB = await createConsulate(h);
  p = await drive.people(h, consulateA);
  officerB = await h.token('agency_officer', { agency: consulateB });
});
afterAll(async () => {
  await h?.stop();
});

const body = (extra: Record<string, unknown> = {}) => ({ url: 'https://consulate.example.org/hooks', events: ['task.created'], secret: SECRET, ...extra });
const post = (token: string, b: unknown, headers: Record<string, string> = {}) => h.http.post('/v1/webhooks').set(bearer(token)).set(headers).send(b as object);

describe('subscribing', () => {
  it('when a body is invalid (a URL that is not http(s), with credentials, or no URL; an unknown or repeated event; a short or missing secret; an unknown field), then 400 naming each field', async () => {
    expectValidation(await post(p.consul, body({ url: 'ftp://consulate.example.org/x' })), ['url']);
    expectValidation(await post(p.consul, body({ url: 'javascript:alert(1)' })), ['url']);
    expectValidation(await post(p.consul, body({ url: 'not a url' })), ['url']);
    expectValidation(await post(p.consul, body({ url: 'https://user:pass@consulate.example.org/x' })), ['url']);
    expectValidation(await post(p.consul, body({ events: ['task.deleted'] })), ['events[0]']);
    expectValidation(await post(p.consul, body({ events: [] })), ['events']);
    expectValidation(await post(p.consul, body({ events: ['task.created', 'task.created'] })), ['events']);
    expectValidation(await post(p.consul, body({ secret: 'short' })), ['secret']);
    expectValidation(await post(p.consul, { url: 'https://x.example.org/', events: ['case.closed'] }), ['secret']);
    expectValidation(await post(p.consul, body({ colour: 'blue' })), ['colour']);
  });

  it('when a caseworker subscribes, an officer subscribes another agency or an office, or a supervisor another office or an agency, then 403; an admin who names neither an agency nor an office, or an unknown agency, gets 400', async () => {
    expectError(await post(p.caseworker, body()), 403, 'forbidden');
    expectError(await post(p.consul, body({ agencyId: consulateB })), 403, 'forbidden');
    expectError(await post(p.consul, body({ office: h.office })), 403, 'forbidden');
    expectError(await post(p.supervisor, body({ office: `${h.office}-other` })), 403, 'forbidden');
    expectError(await post(p.supervisor, body({ agencyId: consulateA })), 403, 'forbidden');
    const admin = await h.token('admin');
    expectValidation(await post(admin, body()), ['agencyId']);
    expectValidation(await post(admin, body({ agencyId: 'no-such-agency-here' })), ['agencyId']);
    expectValidation(await post(admin, body({ agencyId: consulateA, office: h.office })), ['office']);
    const all = await h.token('supervisor', { office: '*' });
    expectValidation(await post(all, body()), ['office']);
  });

  it('when an officer subscribes with an Idempotency-Key twice, then one subscription, its secret never answered, listed for its agency only', async () => {
    const key = `hook-${randomUUID()}`;
    const first = await post(p.consul, body(), { 'Idempotency-Key': key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ agencyId: consulateA, office: null, events: ['task.created'], deletedAt: null });
    const again = await post(p.consul, body(), { 'Idempotency-Key': key });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expectError(await post(p.consul, body({ events: ['case.closed'] }), { 'Idempotency-Key': key }), 422, 'idempotency_key_reused');

    const mine = await h.http.get('/v1/webhooks').query({ limit: 200 }).set(bearer(p.consul));
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((w: { id: string }) => w.id)).toContain(first.body.id);
    expect(JSON.stringify(mine.body)).not.toContain(SECRET);
    const theirs = await h.http.get('/v1/webhooks').query({ limit: 200 }).set(bearer(officerB));
    expect(theirs.body.items.map((w: { id: string }) => w.id)).not.toContain(first.body.id);
    // Stored secrets are sealed at rest.
    const row = await h.db.$client.query<{ secret: string }>('select secret from webhooks where id = $1', [first.body.id]);
    expect(row.rows[0]!.secret).toMatch(/^hwenc:v1:/);
  });

  it('when the list has more than a page, then a cursor leads through every subscription once; a tampered cursor is a 400', async () => {
    const admin = await h.token('admin');
    const office = `hooks-${randomUUID().slice(0, 8)}`;
    const sup = await h.token('supervisor', { office });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await post(sup, body()).expect(201)).body.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await h.http.get('/v1/webhooks').query({ limit: 1, ...(cursor ? { cursor } : {}) }).set(bearer(sup));
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((w: { id: string }) => w.id));
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(ids.sort());
    expectValidation(await h.http.get('/v1/webhooks').query({ cursor: 'abc' }).set(bearer(admin)), ['cursor']);
  });
});

describe('deleting and the delivery log', () => {
  it('when another agency reads or deletes a subscription, then 404; when its own officer deletes it, then nothing more is delivered and its log stays readable', async () => {
    const receiver = await startReceiver(SECRET);
    try {
      const hook = (await post(p.consul, body({ url: receiver.url, events: ['task.created'] })).expect(201)).body as { id: string };
      expectError(await h.http.delete(`/v1/webhooks/${hook.id}`).set(bearer(officerB)), 404, 'not_found');
      expectError(await h.http.get(`/v1/webhooks/${hook.id}/deliveries`).set(bearer(officerB)), 404, 'not_found');
      expectError(await h.http.get(`/v1/webhooks/${hook.id}/deliveries`).set(bearer(p.supervisor)), 404, 'not_found');

      const c1 = await drive.openCase(h.http, p.caseworker, consulateA);
      await drive.toConsularContact(h.http, p, c1.id);
      const tasks = await drive.openTasksOf(h.http, p.consul, c1.id);
      await drive.waitFor('the first case\'s deliveries', async () => receiver.got.filter((d) => d.body.data.caseId === c1.id).length >= tasks.length, 20_000);

      // The log, a page at a time, newest first; never a body.
      const page1 = await h.http.get(`/v1/webhooks/${hook.id}/deliveries`).query({ limit: 1 }).set(bearer(p.consul));
      expect(page1.status).toBe(200);
      expect(page1.body.items).toHaveLength(1);
      expect(page1.body.items[0]).toMatchObject({ event: 'task.created', caseId: c1.id, status: 'delivered', lastStatusCode: 204, lastError: null });
      expect(page1.body.items[0].attempts).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(page1.body)).not.toContain('input');
      const page2 = await h.http.get(`/v1/webhooks/${hook.id}/deliveries`).query({ limit: 1, cursor: page1.body.nextCursor }).set(bearer(p.consul));
      expect(page2.body.items).toHaveLength(1);
      expect(Number(page2.body.items[0].id)).toBeLessThan(Number(page1.body.items[0].id));

      const deleted = await h.http.delete(`/v1/webhooks/${hook.id}`).set(bearer(p.consul));
      expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
      expect(deleted.body.deletedAt).not.toBeNull();
      expect((await h.http.delete(`/v1/webhooks/${hook.id}`).set(bearer(p.consul))).status).toBe(200);
      const listed = await h.http.get('/v1/webhooks').query({ limit: 200 }).set(bearer(p.consul));
      expect(listed.body.items.map((w: { id: string }) => w.id)).not.toContain(hook.id);

      const before = receiver.got.length;
      const c2 = await drive.openCase(h.http, p.caseworker, consulateA);
      await drive.toConsularContact(h.http, p, c2.id);
      // The dispatcher polls every 300 ms: a few seconds would have been enough for a live subscription.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(receiver.got.length).toBe(before);
      const log = await h.http.get(`/v1/webhooks/${hook.id}/deliveries`).query({ limit: 200 }).set(bearer(p.consul));
      expect(log.status).toBe(200);
      expect(log.body.items.some((d: { caseId: string }) => d.caseId === c2.id)).toBe(false);
    } finally {
      await receiver.down();
    }
  }, 90_000);
});
