// Repeats and races on the real app: idempotent opens, duplicate persons, optimistic concurrency with
// If-Match, and two officers claiming the same task.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import {
  act,
  actOk,
  bearer,
  caseInConsularContact,
  caseRowOf,
  countCasesOfOffice,
  countEvents,
  countRows,
  expectError,
  openBody,
  openCase,
  tasksOf,
  uniqueDocNumber,
} from './support.js';

let h: Harness;
let consulateId: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
});
afterAll(async () => {
  await h?.stop();
});

/** A caseworker in an office of their own, so counting that office's cases counts this test's cases. */
async function freshOffice() {
  const office = `conc-${randomUUID().slice(0, 8)}`;
  return { office, token: await h.token('caseworker', { office, sub: `cw-${randomUUID().slice(0, 6)}` }) };
}

describe('Idempotency-Key', () => {
  it('when the same key and body are sent twice, then one case is opened and both answers are equal', async () => {
    const { office, token } = await freshOffice();
    const key = `key-${randomUUID()}`;
    const body = openBody(consulateId);
    const first = await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', key).send(body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const second = await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', key).send(body);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(await countCasesOfOffice(h, office)).toBe(1);
    expect(await countRows(h, 'select count(*) as n from idempotency_keys where key = $1', [key])).toBe(1);
  });

  it('when the same key and body are sent concurrently, then exactly one case is opened and every answer is the same 201', async () => {
    const { office, token } = await freshOffice();
    const key = `key-${randomUUID()}`;
    const body = openBody(consulateId);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', key).send(body)),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(201);
    for (const r of results.slice(1)) expect(r.body).toEqual(results[0]!.body);
    expect(await countCasesOfOffice(h, office)).toBe(1);
    // Exactly one workflow too: the case id answered is the one in the database.
    const rows = await h.db.$client.query<{ id: string }>('select id from cases where office = $1', [office]);
    expect(rows.rows[0]!.id).toBe(results[0]!.body.id);
  });

  it('when the same key comes with a different body, then 422 idempotency_key_reused and nothing more is opened', async () => {
    const { office, token } = await freshOffice();
    const key = `key-${randomUUID()}`;
    const body = openBody(consulateId);
    expect((await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', key).send(body)).status).toBe(201);
    const changed = { ...body, riskFlags: ['minor'] };
    expectError(await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', key).send(changed), 422, 'idempotency_key_reused');
    const otherPerson = openBody(consulateId);
    expectError(await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', key).send(otherPerson), 422, 'idempotency_key_reused');
    expect(await countCasesOfOffice(h, office)).toBe(1);
  });

  it('when the same body is sent with a different key, then it is a new request (and a duplicate person)', async () => {
    const { office, token } = await freshOffice();
    const body = openBody(consulateId);
    const first = await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', `key-${randomUUID()}`).send(body);
    expect(first.status).toBe(201);
    const second = await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', `key-${randomUUID()}`).send(body);
    expect(expectError(second, 409, 'duplicate_person').details).toEqual({ caseId: first.body.id });
    expect(await countCasesOfOffice(h, office)).toBe(1);
  });
});

describe('duplicate persons', () => {
  it('when an open case already has the identity document, then 409 duplicate_person with that case id, however the number is written', async () => {
    const { office, token } = await freshOffice();
    const digits = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
    const number = `E${digits}`;
    const first = await openCase(h, token, openBody(consulateId, {}, { documents: [{ type: 'passport', number, issuingCountry: 'PH' }] }));
    const variants = [number, number.toLowerCase(), `E ${digits.slice(0, 3)} ${digits.slice(3)}`, `e-${digits.slice(0, 4)}-${digits.slice(4)}`, ` ${number} `, `E.${digits}`];
    for (const variant of variants) {
      // Another person's name, another document type: the document itself is what matches.
      const body = openBody(consulateId, {}, { documents: [{ type: 'national_id', number: variant, issuingCountry: 'PH' }] });
      const res = await h.http.post('/v1/cases').set(bearer(token)).send(body);
      expect(expectError(res, 409, 'duplicate_person').details, variant).toEqual({ caseId: first.id });
    }
    // The match is on the document within one issuing country: the same number from another country is another document.
    const foreign = await h.http.post('/v1/cases').set(bearer(token)).send(openBody(consulateId, {}, { documents: [{ type: 'passport', number, issuingCountry: 'ID' }] }));
    expect(foreign.status, JSON.stringify(foreign.body)).toBe(201);
    expect(await countCasesOfOffice(h, office)).toBe(2);
  });

  it('when the duplicate is the second of several documents, then 409 names the first case', async () => {
    const { token } = await freshOffice();
    const number = uniqueDocNumber('N');
    const first = await openCase(h, token, openBody(consulateId, {}, { documents: [{ type: 'national_id', number, issuingCountry: 'PH' }] }));
    const body = openBody(consulateId, {}, {
      documents: [
        { type: 'passport', number: uniqueDocNumber(), issuingCountry: 'PH' },
        { type: 'national_id', number: number.toLowerCase(), issuingCountry: 'PH' },
      ],
    });
    expect(expectError(await h.http.post('/v1/cases').set(bearer(token)).send(body), 409, 'duplicate_person').details).toEqual({ caseId: first.id });
  });

  it('when two cases with the same document are opened at the same moment, then one opens and the other is 409 naming it', async () => {
    const { office, token } = await freshOffice();
    const number = uniqueDocNumber();
    const body = () => openBody(consulateId, {}, { documents: [{ type: 'passport', number, issuingCountry: 'PH' }] });
    const results = await Promise.all(Array.from({ length: 4 }, () => h.http.post('/v1/cases').set(bearer(token)).send(body())));
    const created = results.filter((r) => r.status === 201);
    expect(created, JSON.stringify(results.map((r) => [r.status, r.body]))).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(expectError(r, 409, 'duplicate_person').details).toEqual({ caseId: created[0]!.body.id });
    }
    expect(await countCasesOfOffice(h, office)).toBe(1);
  });

  it('when the earlier case is closed, then a new case with the same document may open', async () => {
    const { office, token } = await freshOffice();
    const supervisor = await h.token('supervisor', { office });
    const number = uniqueDocNumber();
    const docs = [{ type: 'passport', number, issuingCountry: 'PH' }];
    const first = await openCase(h, token, openBody(consulateId, {}, { documents: docs }));
    const closing = await actOk(h, token, first.id, { type: 'request_closure', reason: 'duplicate' });
    const approvalId = (closing.pendingApprovals as Array<{ id: string }>)[0]!.id;
    const decided = await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(supervisor)).send({ decision: 'approved' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect((await caseRowOf(h, first.id))!.status).toBe('closed');
    const again = await h.http.post('/v1/cases').set(bearer(token)).send(openBody(consulateId, {}, { documents: docs }));
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.id).not.toBe(first.id);
  });
});

describe('If-Match', () => {
  it('when If-Match is stale, then 412 version_mismatch and the case is unchanged', async () => {
    const { token } = await freshOffice();
    const opened = await openCase(h, token, openBody(consulateId));
    const noted = await actOk(h, token, opened.id, { type: 'add_note', text: 'first' });
    expect(noted.version).toBe(2);
    const events = await countEvents(h, opened.id);
    for (const stale of ['1', '"1"', 'W/"1"', '3']) {
      const res = await act(h, token, opened.id, { type: 'set_priority', priority: 'low', reason: 'stale view' }, { 'If-Match': stale });
      expect(expectError(res, 412, 'version_mismatch').details).toEqual({ version: 2 });
    }
    const row = await caseRowOf(h, opened.id);
    expect(row).toMatchObject({ version: 2, priority: 'normal' });
    expect(await countEvents(h, opened.id)).toBe(events);
    const live = await h.http.get(`/v1/cases/${opened.id}`).set(bearer(token));
    expect(live.body).toMatchObject({ version: 2, priority: 'normal' });
    expect(live.headers.etag).toBe('"2"');
  });

  it('when If-Match equals the current version (plain, quoted or weak), then 200 and the version moves on', async () => {
    const { token } = await freshOffice();
    const opened = await openCase(h, token, openBody(consulateId));
    const a = await act(h, token, opened.id, { type: 'add_note', text: 'one' }, { 'If-Match': '1' });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.version).toBe(2);
    expect(a.headers.etag).toBe('"2"');
    const b = await act(h, token, opened.id, { type: 'add_note', text: 'two' }, { 'If-Match': '"2"' });
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    const c = await act(h, token, opened.id, { type: 'set_priority', priority: 'high', reason: 'r' }, { 'If-Match': 'W/"3"' });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body).toMatchObject({ version: 4, priority: 'high' });
    expect((await caseRowOf(h, opened.id))!.version).toBe(4);
  });

  it('when two actions race with the same If-Match, then exactly one wins and the other is 412', async () => {
    const { token } = await freshOffice();
    const opened = await openCase(h, token, openBody(consulateId));
    const results = await Promise.all(
      ['a', 'b', 'c'].map((who) => act(h, token, opened.id, { type: 'assign', assignee: `cw-${who}` }, { 'If-Match': '1' })),
    );
    const won = results.filter((r) => r.status === 200);
    expect(won, JSON.stringify(results.map((r) => [r.status, r.body]))).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 412, 'version_mismatch');
    const row = await caseRowOf(h, opened.id);
    expect(row).toMatchObject({ version: 2, assignee: won[0]!.body.assignee });
  });
});

describe('claiming a task', () => {
  let caseworker: string;
  beforeAll(async () => {
    caseworker = await h.token('caseworker', { office: h.office });
  });

  it('when two officers of the consulate claim one task at once, then one gets 200 and the other 409 conflict, and the loser cannot complete it', async () => {
    const caseId = await caseInConsularContact(h, caseworker, consulateId);
    const ana = await h.token('agency_officer', { agency: consulateId, sub: 'consul-ana' });
    const bo = await h.token('agency_officer', { agency: consulateId, sub: 'consul-bo' });
    const task = (await tasksOf(h, ana, caseId)).find((t) => t.type === 'verify_nationality')!;

    const [ra, rb] = await Promise.all([h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(ana)), h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(bo))]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses, JSON.stringify([ra.body, rb.body])).toEqual([200, 409]);
    const [winner, winnerSub, loserRes, loser] = ra.status === 200 ? [ana, 'consul-ana', rb, bo] : [bo, 'consul-bo', ra, ana];
    expectError(loserRes, 409, 'conflict');

    const row = await h.db.$client.query<{ status: string; claimed_by: string }>('select status, claimed_by from tasks where id = $1', [task.id]);
    expect(row.rows[0]).toEqual({ status: 'claimed', claimed_by: winnerSub });

    const events = await countEvents(h, caseId);
    expectError(await h.http.post(`/v1/tasks/${task.id}/complete`).set(bearer(loser)).send({ result: { verified: true } }), 409, 'conflict');
    expectError(await h.http.post(`/v1/tasks/${task.id}/reject`).set(bearer(loser)).send({ reason: 'mine now' }), 409, 'conflict');
    expectError(await h.http.post(`/v1/tasks/${task.id}/unclaim`).set(bearer(loser)), 409, 'conflict');
    expectError(await h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(loser)), 409, 'conflict');
    expect(await countEvents(h, caseId)).toBe(events);

    // The winner re-claiming is harmless, and completing works.
    expect((await h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(winner))).status).toBe(200);
    const done = await h.http.post(`/v1/tasks/${task.id}/complete`).set(bearer(winner)).send({ result: { verified: true } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe('completed');
    // Once completed, nobody can claim it any more.
    expectError(await h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(loser)), 409, 'conflict');
  });

  it('when many officers race for one task, then exactly one claim succeeds', async () => {
    const caseId = await caseInConsularContact(h, caseworker, consulateId);
    const officers = await Promise.all(Array.from({ length: 6 }, (_, i) => h.token('agency_officer', { agency: consulateId, sub: `racer-${i}` })));
    const task = (await tasksOf(h, officers[0]!, caseId)).find((t) => t.type === 'issue_travel_document')!;
    const results = await Promise.all(officers.map((t) => h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(t))));
    const won = results.filter((r) => r.status === 200);
    expect(won, JSON.stringify(results.map((r) => r.status))).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 409, 'conflict');
    const row = await h.db.$client.query<{ claimed_by: string }>('select claimed_by from tasks where id = $1', [task.id]);
    expect(row.rows[0]!.claimed_by).toBe(won[0]!.body.claimedBy);
  });

  it('when the holder unclaims, then another officer can claim it', async () => {
    const caseId = await caseInConsularContact(h, caseworker, consulateId);
    const ana = await h.token('agency_officer', { agency: consulateId, sub: 'consul-ana' });
    const bo = await h.token('agency_officer', { agency: consulateId, sub: 'consul-bo' });
    const [task] = await tasksOf(h, ana, caseId);
    expect((await h.http.post(`/v1/tasks/${task!.id}/claim`).set(bearer(ana))).status).toBe(200);
    expectError(await h.http.post(`/v1/tasks/${task!.id}/claim`).set(bearer(bo)), 409, 'conflict');
    const released = await h.http.post(`/v1/tasks/${task!.id}/unclaim`).set(bearer(ana));
    expect(released.body).toMatchObject({ status: 'open', claimedBy: null });
    const taken = await h.http.post(`/v1/tasks/${task!.id}/claim`).set(bearer(bo));
    expect(taken.body).toMatchObject({ status: 'claimed', claimedBy: 'consul-bo' });
  });
});
