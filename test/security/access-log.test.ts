// The access log (docs/api.md "Access log"; issue #8): every response that carries a person's data writes
// who read which case, as what, under which request id, before it is sent; lists write one entry per
// case of the page in one insert; entries can never be changed or deleted; if the log cannot be
// written, the data is not served. Real Temporal, real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { CONFIRM, EXTRACTED, actOk, bearer, countRows, expectError, openBody, openCase } from '../api/support.js';

let h: Harness;
let consulateId: string;
let supervisor: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  supervisor = await h.token('supervisor', { office: h.office });
});
afterAll(async () => {
  await h?.stop();
});

type Entry = { at: string; sub: string; role: string; office?: string; agency?: string; what: string; requestId: string };

async function accessLogOf(caseId: string, token = supervisor): Promise<Entry[]> {
  const items: Entry[] = [];
  let cursor: string | null = null;
  do {
    const res = await h.http.get(`/v1/cases/${caseId}/access-log`).query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(bearer(token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...(res.body.items as Entry[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

const rid = (what: string) => `${what}-${randomUUID()}`;
const entriesOfRequest = (requestId: string) =>
  h.db.$client.query<{ case_id: string; at: Date; what: string }>('select case_id, at, what from access_log where request_id = $1 order by id', [requestId]).then((r) => r.rows);

/** Makes the access log refuse entries of one subject, as a full disk or a lost connection would. */
async function refuseEntriesOf(sub: string) {
  const name = `refuse_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await h.db.$client.query(`create function ${name}() returns trigger language plpgsql as $$
    begin if new.sub = '${sub}' then raise exception 'could not extend file' using errcode = '53100'; end if; return new; end $$`);
  await h.db.$client.query(`create trigger ${name} before insert on access_log for each row execute function ${name}()`);
  return async () => {
    await h.db.$client.query(`drop trigger ${name} on access_log`);
    await h.db.$client.query(`drop function ${name}()`);
  };
}

describe('the access log', () => {
  it('when a caseworker and a consul read a case, its timeline and its tasks, then each response is logged with who, role, office or agency, what and the request id, and the office\'s supervisor reads it oldest first', async () => {
    const sub = `cw-${randomUUID().slice(0, 6)}`;
    const caseworker = await h.token('caseworker', { office: h.office, sub });
    const consul = await h.token('agency_officer', { agency: consulateId, sub: `consul-${randomUUID().slice(0, 6)}` });
    const ids = { open: rid('open'), read: rid('read'), timeline: rid('timeline'), note: rid('note'), confirm: rid('confirm'), extract: rid('extract'), inbox: rid('inbox'), task: rid('task'), claim: rid('claim') };

    const opened = await h.http.post('/v1/cases').set(bearer(caseworker)).set('X-Request-Id', ids.open).send(openBody(consulateId));
    expect(opened.status).toBe(201);
    const caseId = opened.body.id as string;
    const ok = async (req: { status: number; body: unknown }) => expect(req.status, JSON.stringify(req.body)).toBe(200);
    await ok(await h.http.get(`/v1/cases/${caseId}`).set(bearer(caseworker)).set('X-Request-Id', ids.read));
    await ok(await h.http.get(`/v1/cases/${caseId}/timeline`).set(bearer(caseworker)).set('X-Request-Id', ids.timeline));
    // What carries no person's data is not logged.
    await ok(await h.http.get(`/v1/cases/${caseId}/actions`).set(bearer(caseworker)));
    await ok(await h.http.post(`/v1/cases/${caseId}/actions`).set(bearer(caseworker)).set('X-Request-Id', ids.note).send({ type: 'add_note', text: 'family called' }));
    await ok(await h.http.post(`/v1/cases/${caseId}/actions`).set(bearer(caseworker)).set('X-Request-Id', ids.confirm).send(CONFIRM));
    await ok(await h.http.post(`/v1/cases/${caseId}/actions`).set(bearer(caseworker)).set('X-Request-Id', ids.extract).send(EXTRACTED));
    const inbox = await h.http.get('/v1/tasks').query({ caseId }).set(bearer(consul)).set('X-Request-Id', ids.inbox);
    await ok(inbox);
    const taskId = inbox.body.items[0].id as string;
    await ok(await h.http.get(`/v1/tasks/${taskId}`).set(bearer(consul)).set('X-Request-Id', ids.task));
    await ok(await h.http.post(`/v1/tasks/${taskId}/claim`).set(bearer(consul)).set('X-Request-Id', ids.claim));

    const log = await accessLogOf(caseId);
    expect(log.map((e) => [e.requestId, e.what])).toEqual([
      [ids.open, 'case'],
      [ids.read, 'case'],
      [ids.timeline, 'timeline'],
      [ids.note, 'case'],
      [ids.confirm, 'case'],
      [ids.extract, 'case'],
      [ids.inbox, 'task'],
      [ids.task, 'task'],
      [ids.claim, 'task'],
    ]);
    expect(log[0]).toEqual({ at: expect.any(String), sub, role: 'caseworker', office: h.office, what: 'case', requestId: ids.open });
    for (const e of log.slice(6)) expect(e).toEqual({ at: expect.any(String), sub: expect.stringMatching(/^consul-/), role: 'agency_officer', agency: consulateId, what: 'task', requestId: e.requestId });
    expect(log.map((e) => e.at)).toEqual([...log.map((e) => e.at)].sort());
  });

  it('when a list is read, then one entry per case of the page is written in a single insert, and an inbox logs each case once however many of its tasks it shows', async () => {
    const office = `office-${randomUUID().slice(0, 8)}`;
    const caseworker = await h.token('caseworker', { office });
    const consulate = await createConsulate(h);
    const consul = await h.token('agency_officer', { agency: consulate });
    const opened = [];
    for (let i = 0; i < 3; i++) opened.push(await openCase(h, caseworker, openBody(consulate)));

    const first = rid('list');
    const page = await h.http.get('/v1/cases').query({ limit: 2 }).set(bearer(caseworker)).set('X-Request-Id', first);
    expect(page.status).toBe(200);
    const rows = await entriesOfRequest(first);
    expect(rows.map((r) => r.case_id).sort()).toEqual((page.body.items as Array<{ id: string }>).map((c) => c.id).sort());
    expect(rows.every((r) => r.what === 'case')).toBe(true);
    // One statement: PostgreSQL's now() is the same for every row of it.
    expect(new Set(rows.map((r) => r.at.toISOString())).size).toBe(1);
    const second = rid('list');
    const rest = await h.http.get('/v1/cases').query({ limit: 2, cursor: page.body.nextCursor }).set(bearer(caseworker)).set('X-Request-Id', second);
    expect((await entriesOfRequest(second)).map((r) => r.case_id)).toEqual((rest.body.items as Array<{ id: string }>).map((c) => c.id));

    for (const c of opened.slice(0, 2)) {
      await actOk(h, caseworker, c.id, CONFIRM);
      await actOk(h, caseworker, c.id, EXTRACTED);
    }
    const inboxId = rid('inbox');
    const inbox = await h.http.get('/v1/tasks').set(bearer(consul)).set('X-Request-Id', inboxId);
    expect(inbox.body.items).toHaveLength(4);
    const inboxRows = await entriesOfRequest(inboxId);
    expect(inboxRows.map((r) => r.case_id).sort()).toEqual(opened.slice(0, 2).map((c) => c.id).sort());
    expect(new Set(inboxRows.map((r) => r.at.toISOString())).size).toBe(1);

    const empty = rid('empty');
    expect((await h.http.get('/v1/cases').query({ stage: 'employment_assistance' }).set(bearer(caseworker)).set('X-Request-Id', empty)).body.items).toEqual([]);
    expect(await entriesOfRequest(empty)).toEqual([]);
  });

  it('when someone other than the office\'s supervisors and admins asks for a case\'s log, then 403 for the wrong role and 404 outside the office', async () => {
    const caseworker = await h.token('caseworker', { office: h.office });
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const otherSupervisor = await h.token('supervisor', { office: `office-${randomUUID().slice(0, 8)}` });
    const consul = await h.token('agency_officer', { agency: consulateId });
    expectError(await h.http.get(`/v1/cases/${id}/access-log`).set(bearer(caseworker)), 403, 'forbidden');
    expectError(await h.http.get(`/v1/cases/${id}/access-log`).set(bearer(consul)), 403, 'forbidden');
    expectError(await h.http.get(`/v1/cases/${id}/access-log`).set(bearer(otherSupervisor)), 404, 'not_found');
    const admin = await h.token('admin');
    expectError(await h.http.get(`/v1/cases/${randomUUID()}/access-log`).set(bearer(admin)), 404, 'not_found');
    expectError(await h.http.get(`/v1/cases/${id}/access-log`).query({ cursor: 'bm90LW91cnM' }).set(bearer(admin)), 400, 'validation_failed');
    for (const token of [admin, await h.token('supervisor', { office: '*' }), supervisor]) {
      expect((await accessLogOf(id, token)).map((e) => e.what)).toEqual(['case']);
    }
    // Reading the log is not itself a read of the person's data.
    expect(await accessLogOf(id)).toHaveLength(1);
    const openapi = await h.http.get('/openapi.json');
    expect(Object.keys(openapi.body.paths)).toContain('/v1/cases/{id}/access-log');
  });

  it('when the access log cannot be written, then the data is not served: a read gets 503, and a write says it was taken and a keyed retry gets its answer once the log is back', async () => {
    const sub = `cw-${randomUUID().slice(0, 6)}`;
    const caseworker = await h.token('caseworker', { office: h.office, sub });
    const opened = await openCase(h, caseworker, openBody(consulateId));
    const fullName = (opened.person as { fullName: string }).fullName;
    const restore = await refuseEntriesOf(sub);
    const key = `note-${randomUUID()}`;
    try {
      for (const req of [
        h.http.get(`/v1/cases/${opened.id}`),
        h.http.get('/v1/cases'),
        h.http.get(`/v1/cases/${opened.id}/timeline`),
      ]) {
        const res = await req.set(bearer(caseworker));
        expectError(res, 503, 'unavailable');
        expect(res.headers['retry-after']).toBeDefined();
        expect(JSON.stringify(res.body)).not.toContain(fullName);
      }
      // An empty page carries nobody's data: nothing to log, nothing to withhold.
      expect((await h.http.get('/v1/tasks').query({ caseId: opened.id }).set(bearer(caseworker))).body).toEqual({ items: [], nextCursor: null });
      const write = await h.http.post(`/v1/cases/${opened.id}/actions`).set(bearer(caseworker)).set('Idempotency-Key', key).send({ type: 'add_note', text: 'seen at the shelter' });
      const error = expectError(write, 503, 'unavailable');
      expect(error.details).toEqual({ applied: true, retry: 'same_idempotency_key' });
      expect(JSON.stringify(write.body)).not.toContain(fullName);
    } finally {
      await restore();
    }
    const retry = await h.http.post(`/v1/cases/${opened.id}/actions`).set(bearer(caseworker)).set('Idempotency-Key', key).send({ type: 'add_note', text: 'seen at the shelter' });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.person.fullName).toBe(fullName);
    expect(await countRows(h, `select count(*) as n from case_events where case_id = $1 and type = 'add_note'`, [opened.id])).toBe(1);
    const log = await accessLogOf(opened.id);
    expect(log.filter((e) => e.sub === sub).map((e) => e.what)).toEqual(['case', 'case']);
  });

  it('when anyone tries to change, delete or truncate entries, then the database refuses', async () => {
    const caseworker = await h.token('caseworker', { office: h.office });
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const refused = async (statement: string, params: unknown[] = []) => {
      const client = await h.db.$client.connect();
      try {
        await client.query('begin');
        const err = await client.query(statement, params).then(() => undefined, (e: { code?: string }) => e);
        expect(err, statement).toMatchObject({ code: '42501' });
      } finally {
        await client.query('rollback');
        client.release();
      }
    };
    await refused(`update access_log set sub = 'someone-else' where case_id = $1`, [id]);
    await refused('delete from access_log where case_id = $1', [id]);
    await refused('truncate access_log');
    expect(await countRows(h, 'select count(*) as n from access_log where case_id = $1', [id])).toBe(1);
  });
});
