// The OpenAPI document is true to what the API answers: a whole lifecycle runs against the real
// servers (a case from open to closed and erased, the inboxes, approvals, a raid, retention, the
// codec), and every answer is parsed with the very schema the document was generated from (the
// route's response schema, strict objects; or the error schema of its code, which the document must
// list for that endpoint). Parsing must give back the answer unchanged, so a default cannot fill in
// a field the API left out. Every endpoint must have been seen answering successfully.
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../domain/errors.js';
import { TASK_TYPES } from '../../domain/schemas.js';
import { STATUS } from '../../api/errors.js';
import { type AnyRoute, registry } from '../../api/http.js';
import { errorCodesOf } from '../../api/openapi/errors.js';
import { ERROR_EXAMPLES, errorSchemas } from '../../api/responses/errors.js';
import { codecAnswerSchema, healthSchema, notReadySchema, readySchema } from '../../api/responses/platform.js';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { bearer, openBody, settled, uniqueDocNumber } from './support.js';
import { startReceiver } from '../support/webhooks.js';

let h: Harness;
let p: drive.People;
let admin: string;
let otherSupervisor: string;
let consulateId: string;

beforeAll(async () => {
  h = await startHarness();
  admin = await h.token('admin', { sub: 'root' });
  otherSupervisor = await h.token('supervisor', { office: h.office, sub: 'sup-cruz' });
});
afterAll(async () => {
  await h?.stop();
});

const routes = (): AnyRoute[] => registry.filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i);
const keyOf = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
const pattern = (path: string) => new RegExp(`^${path.replace(/:[A-Za-z]+/g, '[^/]+')}$`);

function routeOf(method: string, url: string): AnyRoute {
  const path = url.split('?')[0]!;
  const found = routes().find((r) => r.method === method && pattern(r.path).test(path));
  if (!found) throw new Error(`${method} ${path} is not a declared route`);
  return found;
}

/** Parses with the documented schema; the parse must be the identity (no defaults, no stripping). */
function conforms(schema: z.ZodType, body: unknown, where: string): void {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`${where}: the answer does not match the documented schema:\n${z.prettifyError(parsed.error)}\n${JSON.stringify(body).slice(0, 2_000)}`);
  expect(parsed.data, `${where}: parsing changed the answer (a default or a transform fills what the API left out)`).toEqual(body);
}

const seen = new Set<string>();
const errorsSeen = new Set<string>();

/** Checks any answer of a declared route against the document: its success schema, or a documented error. */
function conform(method: string, url: string, res: Response): void {
  const r = routeOf(method, url);
  const where = `${keyOf(r)} → ${res.status}`;
  if (res.status === r.success.status) {
    // A CSV answer is text, checked against the schema of its media type.
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
    const schema = r.success.alternatives?.[type] ?? r.success.schema;
    conforms(schema, type === 'application/json' ? res.body : res.text, where);
    seen.add(keyOf(r));
    return;
  }
  const code = res.body?.error?.code as ErrorCode | undefined;
  expect(code && (ERROR_CODES as readonly string[]).includes(code), `${where}: neither the documented success nor an error of the contract: ${JSON.stringify(res.body)}`).toBe(true);
  expect(STATUS[code!], where).toBe(res.status);
  expect(errorCodesOf(r), `${where}: the document does not list ${code} for this endpoint`).toContain(code);
  conforms(errorSchemas[code!], res.body, `${where} ${code}`);
  errorsSeen.add(`${keyOf(r)} ${code}`);
}

async function call(method: 'get' | 'post' | 'delete', url: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  let req = method === 'get' ? h.http.get(url) : method === 'delete' ? h.http.delete(url) : h.http.post(url);
  if (token) req = req.set(bearer(token));
  req = req.set(headers);
  const res = body === undefined ? await req : await req.send(body as object);
  conform(method, url, res);
  return res;
}

/** A call that must succeed; its answer has been checked against the document already. */
async function ok(method: 'get' | 'post' | 'delete', url: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await call(method, url, token, body, headers);
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(routeOf(method, url).success.status);
  return res.body;
}

/** A call that must fail with this code; checked against the document already. */
async function fails(code: ErrorCode, method: 'get' | 'post', url: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await call(method, url, token, body, headers);
  expect(res.body?.error?.code, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(code);
  return res.body.error as { code: string; details?: unknown };
}

const act = (caseId: string, body: Record<string, unknown>, token = p.caseworker) => ok('post', `/v1/cases/${caseId}/actions`, token, body);
const tasksOf = async (token: string, caseId: string, query = '') =>
  ((await ok('get', `/v1/tasks?caseId=${caseId}&status=open${query}`, token)) as { items: Array<{ id: string; type: string }> }).items;

describe('the OpenAPI document against the real API', () => {
  it('when a case goes from open to closed and erased with every kind of step, then every answer matches its documented schema', async () => {
    const agency = `consulate-${randomUUID().slice(0, 8)}`;
    await ok('post', '/v1/agencies', admin, { id: agency, kind: 'consulate', name: `Consulate ${agency}`, country: 'TH', city: 'Bangkok' });
    consulateId = agency;
    p = await drive.people(h, consulateId);
    await ok('get', '/v1/agencies', p.consul);

    // Open, with an Idempotency-Key, and the replay of it.
    const key = `contract-${randomUUID()}`;
    const body = openBody(consulateId, { riskFlags: ['abused'] });
    const opened = (await ok('post', '/v1/cases', p.caseworker, body, { 'Idempotency-Key': key })) as { id: string; version: number };
    await ok('post', '/v1/cases', p.caseworker, body, { 'Idempotency-Key': key });
    const id = opened.id;
    await settled(h, id);
    await ok('get', '/v1/cases?limit=5', p.caseworker);
    await ok('get', `/v1/cases/${id}`, p.caseworker);
    await ok('get', `/v1/cases/${id}/actions`, p.caseworker);

    await act(id, { type: 'add_note', text: 'family called the hotline again' });
    await act(id, { type: 'assign', assignee: 'cw-ana' });
    await act(id, { type: 'set_priority', priority: 'high', reason: 'abuse reported' });
    await act(id, { type: 'record_consent', consularNotification: 'granted', dataSharing: 'granted' });
    await act(id, { type: 'record_screening', outcome: 'victim', basis: 'interview on arrival' });
    await act(id, { type: 'record_sighting', location: { country: 'MM', region: 'Kayin', site: 'Compound 7' }, observedAt: '2026-10-01T10:00:00+07:00', source: 'a fellow worker' });
    await act(id, { type: 'confirm_location', location: { country: 'MM', region: 'Kayin', site: 'Compound 7', latitude: 16.7, longitude: 98.5 } });
    await act(id, { type: 'request_extraction', partner: 'Partner police unit', reference: 'REQ-881' });
    await act(id, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Border reception desk', injured: true, medicalNeeds: 'a sprained wrist' });

    // On hold, the next deadline is shown paused with the time it has left.
    await act(id, { type: 'hold', reason: 'the person asked for a pause' });
    const held = (await ok('get', `/v1/cases/${id}`, p.caseworker)) as { nextDeadline: { paused?: boolean } };
    expect(held.nextDeadline.paused).toBe(true);
    await act(id, { type: 'resume' });

    // The consulate's inbox: read, claim, give back, claim again, complete; one task rejected, and
    // the supervisor's review of it waives it.
    const consular = await tasksOf(p.consul, id);
    expect(consular.map((t) => t.type).sort()).toEqual(['arrange_medical_check', 'arrange_shelter', 'issue_travel_document', 'verify_nationality']);
    for (const t of consular) {
      await ok('get', `/v1/tasks/${t.id}`, p.consul);
      await ok('post', `/v1/tasks/${t.id}/claim`, p.consul);
      if (t.type === 'arrange_shelter') {
        await ok('post', `/v1/tasks/${t.id}/unclaim`, p.consul);
        await ok('post', `/v1/tasks/${t.id}/reject`, p.consul, { reason: 'no shelter place in the city this month' });
        continue;
      }
      await ok('post', `/v1/tasks/${t.id}/complete`, p.consul, { result: drive.CONSULAR_RESULTS[t.type] });
    }
    await ok('get', `/v1/tasks?caseId=${id}`, p.consul);
    const [review] = await tasksOf(p.supervisor, id, '&type=supervisor_review');
    expect(review).toBeDefined();
    await ok('post', `/v1/tasks/${review!.id}/claim`, p.supervisor);
    const reviewed = (await ok('post', `/v1/tasks/${review!.id}/complete`, p.supervisor, { result: { decision: 'proceed', notes: 'family will host her' } })) as { type: string };
    expect(reviewed.type).toBe('supervisor_review');
    expect(((await ok('get', `/v1/cases/${id}`, p.caseworker)) as { stage: string }).stage).toBe('return');

    await act(id, { type: 'book_return', departureAt: '2026-11-02T06:00:00Z', arrivalPort: 'MNL', carrier: 'Example Air', flightNumber: 'EX731', manifestId: 'M-17' });
    await act(id, { type: 'record_departure', departedAt: '2026-11-02T06:10:00Z' });
    await act(id, { type: 'record_arrival', arrivedAt: '2026-11-02T10:00:00Z', port: 'MNL', receivedBy: 'reception desk' });

    // The immigration authority restricts exit for two years: the case shows the restriction.
    const [exitReview] = await tasksOf(p.immigration, id);
    await ok('post', `/v1/tasks/${exitReview!.id}/claim`, p.immigration);
    const today = new Date().toISOString().slice(0, 10);
    const until = `${new Date().getUTCFullYear() + 2}-06-30`;
    await ok('post', `/v1/tasks/${exitReview!.id}/complete`, p.immigration, {
      result: { decision: 'restricted', basis: 'art. 12 review', from: today, until, noticeServedAt: today },
    });
    const employed = (await ok('get', `/v1/cases/${id}`, p.caseworker)) as { stage: string; exitRestriction: { status: string } };
    expect(employed).toMatchObject({ stage: 'employment_assistance', exitRestriction: { status: 'active' } });

    await act(id, { type: 'record_assessment', skills: ['sewing', 'bookkeeping'], education: 'secondary', preferredRegion: 'NCR', needs: ['counselling'] });
    await act(id, { type: 'record_referral', kind: 'training', organisation: 'Skills centre', description: 'bookkeeping course' });
    // Abroad while restricted: refused, with the restriction in the details.
    const abroad = await fails('invalid_transition', 'post', `/v1/cases/${id}/actions`, p.caseworker, { type: 'record_placement', employer: 'Far Away Ltd', position: 'clerk', startDate: today, abroad: true });
    expect(abroad.details).toMatchObject({ exitRestriction: { until } });
    await act(id, { type: 'record_placement', employer: 'Example Garments', position: 'seamstress', startDate: today, abroad: false });
    await act(id, { type: 'request_closure', reason: 'reintegrated', comment: 'employed, stable housing' });

    const pending = (await ok('get', '/v1/approvals?status=pending&limit=200', p.supervisor)) as { items: Array<{ id: string; caseId: string }> };
    const approval = pending.items.find((a) => a.caseId === id)!;
    await ok('post', `/v1/approvals/${approval.id}/decision`, p.supervisor, { decision: 'approved', comment: 'well done' });

    // Closed: the read model's snapshot, the whole timeline, and who read it.
    expect(((await ok('get', `/v1/cases/${id}`, p.caseworker)) as { status: string }).status).toBe('closed');
    await ok('get', `/v1/cases/${id}/timeline?limit=500`, p.caseworker);
    const firstPage = (await ok('get', `/v1/cases/${id}/access-log?limit=2`, p.supervisor)) as { nextCursor: string | null };
    expect(firstPage.nextCursor).not.toBeNull();
    await ok('get', `/v1/cases/${id}/access-log?limit=500&cursor=${firstPage.nextCursor}`, admin);
    await ok('get', '/v1/stats', p.supervisor);
    // The same person trafficked again: a new case linked to the closed one.
    const reopened = (await ok('post', `/v1/cases/${id}/reopen`, p.supervisor, { reason: 'found again at another compound' })) as { previousCaseId: string };
    expect(reopened.previousCaseId).toBe(id);

    // Retention: a legal hold set and cleared, then erasure; the erased case still matches.
    await ok('get', `/v1/cases/${id}/retention`, admin);
    await ok('post', `/v1/cases/${id}/legal-hold`, admin, { hold: true, reason: 'court order 2027-CV-0113' });
    await ok('post', `/v1/cases/${id}/legal-hold`, admin, { hold: false, reason: 'order lifted' });
    await ok('post', `/v1/cases/${id}/erase`, admin, { reason: 'request ER-2027-5' });
    const erased = (await ok('get', `/v1/cases/${id}`, p.caseworker)) as { anonymised?: { basis: string } };
    expect(erased.anonymised?.basis).toBe('erasure');
    await ok('get', `/v1/cases/${id}/timeline?limit=500`, p.caseworker);
  });

  it('when a raid includes people who already have a case, in scope and outside it, then the operation and the cases it opened match their documented schemas', async () => {
    const mine = { type: 'passport', number: uniqueDocNumber('M'), issuingCountry: 'PH' };
    const theirs = { type: 'passport', number: uniqueDocNumber('T'), issuingCountry: 'PH' };
    const twice = { type: 'passport', number: uniqueDocNumber('D'), issuingCountry: 'PH' };
    await ok('post', '/v1/cases', p.caseworker, openBody(consulateId, {}, { documents: [mine] }));
    const otherOffice = await h.token('caseworker', { office: `${h.office}-b`, sub: 'cw-bo' });
    await ok('post', '/v1/cases', otherOffice, openBody(consulateId, {}, { documents: [theirs] }));

    const started = (await ok('post', '/v1/operations', p.caseworker, {
      name: 'Raid at Compound 9',
      country: 'MM',
      site: 'Compound 9',
      date: '2026-10-19',
      consulateId,
      persons: [
        { person: personBody({ documents: [mine] }) },
        { person: personBody({ documents: [theirs] }) },
        { person: personBody({ documents: [twice] }), riskFlags: ['injured'], location: { country: 'MM', site: 'Compound 9' } },
        { person: personBody({ documents: [twice] }) },
        { person: personBody({ documents: [{ type: 'national_id', number: uniqueDocNumber('N'), issuingCountry: 'PH' }] }) },
      ],
    })) as { id: string };
    const done = await drive.waitFor('the operation to complete', async () => {
      const op = (await ok('get', `/v1/operations/${started.id}`, p.caseworker)) as { status: string };
      return op.status === 'completed' ? op : undefined;
    }, 60_000, 250);
    // linkedExisting counts the person listed twice too (merged is a part of it): the counts add up to total.
    expect(done).toMatchObject({ opened: 2, linkedExisting: 3, merged: 1, failed: 0, pending: 0, total: 5 });
    expect((done as unknown as { existingCases: Array<{ inScope: boolean }> }).existingCases.map((e) => e.inScope).sort()).toEqual([false, true]);

    const raided = (await ok('get', `/v1/cases?operationId=${started.id}`, p.caseworker)) as { items: Array<{ id: string }> };
    expect(raided.items.length).toBe(2);
    await ok('get', `/v1/cases/${raided.items[0]!.id}`, p.caseworker);

    const listed = (await ok('get', '/v1/operations?limit=50', p.caseworker)) as { items: Array<{ id: string }> };
    expect(listed.items.map((o) => o.id)).toContain(started.id);
    // A bulk action over the raid: one case takes the note, the other refuses the departure (wrong stage).
    const bulk = (await ok('post', `/v1/operations/${started.id}/actions`, p.caseworker, { type: 'add_note', text: 'everyone met the consul' })) as { id: string };
    const bulkDone = (await drive.waitFor('the bulk action to complete', async () => {
      const b = (await ok('get', `/v1/operations/${started.id}/actions/${bulk.id}`, p.caseworker)) as { status: string };
      return b.status === 'completed' ? b : undefined;
    }, 60_000, 250)) as unknown as { succeeded: number; total: number };
    expect(bulkDone.succeeded).toBe(bulkDone.total);
    const refused = (await ok('post', `/v1/operations/${started.id}/actions`, p.caseworker, { type: 'record_departure', departedAt: '2026-11-02T06:10:00Z' })) as { id: string };
    const refusedDone = (await drive.waitFor('the refused bulk action to complete', async () => {
      const b = (await ok('get', `/v1/operations/${started.id}/actions/${refused.id}`, p.caseworker)) as { status: string };
      return b.status === 'completed' ? b : undefined;
    }, 60_000, 250)) as unknown as { failed: Array<{ error: { code: string } }> };
    expect(refusedDone.failed.map((f) => f.error.code)).toContain('invalid_transition');
  });

  it('when requests fail in each way a caller can cause, then each error is one the document lists for that endpoint, in the documented shape', async () => {
    const dup = { type: 'passport', number: uniqueDocNumber('X'), issuingCountry: 'PH' };
    const key = `contract-err-${randomUUID()}`;
    const created = (await ok('post', '/v1/cases', p.caseworker, openBody(consulateId, {}, { documents: [dup] }), { 'Idempotency-Key': key })) as { id: string; version: number };
    const id = created.id;
    await settled(h, id);

    await fails('unauthenticated', 'get', '/v1/cases');
    await fails('forbidden', 'get', '/v1/cases', p.consul);
    await fails('not_found', 'get', `/v1/cases/${randomUUID()}`, p.caseworker);
    await fails('validation_failed', 'get', '/v1/cases?limit=0', p.caseworker);
    await fails('validation_failed', 'post', '/v1/cases', p.caseworker, { person: {} });
    await fails('validation_failed', 'post', `/v1/tasks/${randomUUID()}/complete`, p.consul, { result: 'done' });
    await fails('duplicate_person', 'post', '/v1/cases', p.caseworker, openBody(consulateId, {}, { documents: [dup] }));
    await fails('idempotency_key_reused', 'post', '/v1/cases', p.caseworker, openBody(consulateId), { 'Idempotency-Key': key });
    await fails('invalid_transition', 'post', `/v1/cases/${id}/actions`, p.caseworker, { type: 'record_departure', departedAt: '2026-11-02T06:10:00Z' });
    await fails('version_mismatch', 'post', `/v1/cases/${id}/actions`, p.caseworker, { type: 'add_note', text: 'late' }, { 'If-Match': String(created.version + 5) });
    await fails('payload_too_large', 'post', `/v1/cases/${id}/actions`, p.caseworker, { type: 'add_note', text: 'x'.repeat(1_100_000) });
    await fails('conflict', 'post', `/v1/cases/${id}/legal-hold`, admin, { hold: true, reason: 'too early' });
    await fails('conflict', 'post', '/v1/agencies', admin, { id: consulateId, kind: 'consulate', name: 'again' });
    await fails('not_found', 'get', `/v1/operations/${randomUUID()}`, p.caseworker);

    // Four eyes: whoever asked for the closure cannot decide it.
    await act(id, { type: 'request_closure', reason: 'duplicate' }, p.supervisor);
    const pending = (await ok('get', '/v1/approvals?status=pending&limit=200', p.supervisor)) as { items: Array<{ id: string; caseId: string }> };
    const approval = pending.items.find((a) => a.caseId === id)!;
    const fourEyes = await fails('forbidden', 'post', `/v1/approvals/${approval.id}/decision`, p.supervisor, { decision: 'approved' });
    expect(fourEyes.details).toEqual({ reason: 'four_eyes' });
    await ok('post', `/v1/approvals/${approval.id}/decision`, otherSupervisor, { decision: 'rejected', comment: 'not a duplicate' });
    await fails('conflict', 'post', `/v1/approvals/${approval.id}/decision`, otherSupervisor, { decision: 'approved' });

    // A task someone else holds.
    const other = await h.token('agency_officer', { agency: consulateId, sub: 'consul-dee' });
    const withTasks = (await ok('post', '/v1/cases', p.caseworker, openBody(consulateId, { location: { country: 'MM', site: 'Compound 3', confirmed: true } }))) as { id: string };
    await settled(h, withTasks.id);
    await act(withTasks.id, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Border reception desk' });
    const [task] = await tasksOf(p.consul, withTasks.id);
    await ok('post', `/v1/tasks/${task!.id}/claim`, p.consul);
    await fails('conflict', 'post', `/v1/tasks/${task!.id}/claim`, other);
    await fails('validation_failed', 'post', `/v1/tasks/${task!.id}/complete`, p.consul, { result: { verified: 'yes' } });

    // The exports, as a supervisor of the office gets them.
    await ok('get', '/v1/exports/cases.csv?status=open', p.supervisor);
    await ok('get', '/v1/exports/anonymised?format=json', p.supervisor);
    await ok('get', '/v1/exports/anonymised?format=csv&k=20', p.supervisor);
    await fails('validation_failed', 'get', '/v1/exports/anonymised?k=2', p.supervisor);

    expect(errorsSeen.size).toBeGreaterThanOrEqual(15);
  });

  it('when the platform endpoints and the codec answer, then they match their documented schemas', async () => {
    conforms(healthSchema, (await h.http.get('/healthz')).body, 'GET /healthz');
    const ready = await drive.waitFor('/readyz to be 200', async () => {
      const res = await h.http.get('/readyz');
      return res.status === 200 ? res : undefined;
    }, 30_000, 250);
    conforms(readySchema, ready.body, 'GET /readyz');
    // The same checks, as a probe sees them when no worker polls the queue.
    const idle = await startHarness({ worker: false });
    try {
      const res = await idle.http.get('/readyz');
      expect(res.status).toBe(503);
      conforms(notReadySchema, res.body, 'GET /readyz → 503');
    } finally {
      await idle.stop();
    }

    const encoded = await h.http.post('/codec/encode').set(bearer(p.supervisor)).send({
      payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"stage":"locating"}').toString('base64') }],
    });
    expect(encoded.status, JSON.stringify(encoded.body)).toBe(200);
    conforms(codecAnswerSchema, encoded.body, 'POST /codec/encode');
    const decoded = await h.http.post('/codec/decode').set(bearer(p.supervisor)).send(encoded.body);
    expect(decoded.status).toBe(200);
    conforms(codecAnswerSchema, decoded.body, 'POST /codec/decode');
  });

  it('when a consulate subscribes to webhooks and gets deliveries, then the subscription, the lists, the delivery log and the deletion match their documented schemas', async () => {
    const consulate = await createConsulate(h);
    const people = await drive.people(h, consulate);
    const secret = `contract-secret-${randomUUID()}`;
    const receiver = await startReceiver(secret);
    try {
      const hook = (await ok('post', '/v1/webhooks', people.consul, { url: receiver.url, events: ['task.created'], secret })) as { id: string };
      await ok('get', '/v1/webhooks', people.consul);
      const c = await drive.openCase(h.http, people.caseworker, consulate);
      await drive.toConsularContact(h.http, people, c.id);
      await drive.waitFor('a delivery', async () => receiver.got.length > 0, 20_000);
      const log = (await ok('get', `/v1/webhooks/${hook.id}/deliveries?limit=1`, people.consul)) as { items: unknown[] };
      expect(log.items).toHaveLength(1);
      await ok('delete', `/v1/webhooks/${hook.id}`, people.consul);
      await fails('validation_failed', 'post', '/v1/webhooks', people.consul, { url: 'ftp://x.example.org/', events: ['task.created'], secret });
    } finally {
      await receiver.down();
    }
  });

  it('when the runs above are done, then every endpoint of the document was seen answering successfully', () => {
    expect(routes().map(keyOf).filter((k) => !seen.has(k))).toEqual([]);
  });
});

describe('the served OpenAPI document', () => {
  it('when /openapi.json is fetched, then every response of every operation has a schema, and each task type has its task and result schemas, each a body of the complete endpoint', async () => {
    const res = await h.http.get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const empty: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          for (const [type, media] of Object.entries(response.content ?? { none: {} })) {
            if (!media.schema || Object.keys(media.schema).length === 0) empty.push(`${method} ${path} ${status} ${type}`);
          }
        }
      }
    }
    expect(empty).toEqual([]);
    for (const type of TASK_TYPES) {
      const name = type.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
      expect(doc.components.schemas, type).toHaveProperty(`${name}Task`);
      expect(doc.components.schemas, type).toHaveProperty(`${name}Result`);
      expect(JSON.stringify(doc.paths['/v1/tasks/{id}/complete']!.post!.requestBody), type).toContain(`"#/components/schemas/${name}Result"`);
    }
  });
});

describe('the examples of the OpenAPI document', () => {
  const exampleOf = (schema: z.ZodType) => (z.globalRegistry.get(schema) as { example?: unknown } | undefined)?.example;

  it('when every endpoint is declared, then its success answer has an example, and the example matches the schema it illustrates', () => {
    for (const r of routes()) {
      const example = exampleOf(r.success.schema);
      expect(example, `${keyOf(r)}: no example`).toBeDefined();
      conforms(r.success.schema, example, `${keyOf(r)} example`);
    }
    for (const schema of [healthSchema, readySchema, notReadySchema, codecAnswerSchema]) conforms(schema, exampleOf(schema), 'platform example');
  });

  it('when every error code has an example, then it matches the schema of its code', () => {
    for (const code of ERROR_CODES) conforms(errorSchemas[code], ERROR_EXAMPLES[code], `${code} example`);
  });
});
