// No input can poison a case (issue #7): strings PostgreSQL or JSON cannot hold (NUL, lone UTF-16
// surrogates) anywhere in a request, URLs that do not decode, tampered cursors and absurdly nested
// JSON are a 400 in the error contract, never a 500, and never a step the case takes and then cannot
// record. After each refusal the case still takes a normal action and its history has no failed
// workflow task. On the real app, PostgreSQL and Temporal.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerMalformedRequests } from '../../api/errors.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { actionUpdates, decideApprovalUpdate, rejectTaskUpdate } from '../../workflows/definitions.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { allRuns, workflowTaskFailures } from '../support/histories.js';
import {
  act,
  bearer,
  caseInConsularContact,
  countCasesOfOffice,
  countEvents,
  expectError,
  expectValidation,
  openBody,
  openCase,
  tasksOf,
} from './support.js';

let h: Harness;
let consulateId: string;
let caseworker: string;
let consul: string;
let supervisor: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
  consul = await h.token('agency_officer', { agency: consulateId });
  supervisor = await h.token('supervisor', { office: h.office });
});
afterAll(async () => {
  await h?.stop();
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const NUL_MESSAGE = /NUL/;
const SURROGATE_MESSAGE = /surrogate/;

/** The case takes a normal action (a note that lands in its timeline) and no workflow task of it ever failed. */
async function expectStillActs(caseId: string) {
  const text = `still here ${randomUUID()}`;
  const res = await act(h, caseworker, caseId, { type: 'add_note', text });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const timeline = await h.http.get(`/v1/cases/${caseId}/timeline`).query({ limit: 500 }).set(bearer(caseworker));
  expect(timeline.status).toBe(200);
  expect(JSON.stringify(timeline.body.items)).toContain(text);
  const runs = await allRuns(h.temporal, caseWorkflowId(caseId));
  expect(runs.flatMap((r) => workflowTaskFailures(r.history))).toEqual([]);
}

async function newCase() {
  return (await openCase(h, caseworker, openBody(consulateId))).id;
}

/** Sends a hand-written HTTP/1.1 request to a server of its own around the app; returns status and parsed body. */
async function rawRequest(server: http.Server, text: string): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as net.AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(text, 'latin1'));
      let buf = '';
      socket.on('data', (d) => (buf += d.toString('utf8')));
      socket.on('end', () => resolve(buf));
      socket.on('error', reject);
    });
    const [head, ...rest] = raw.split('\r\n\r\n');
    const [statusLine, ...headerLines] = head!.split('\r\n');
    const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const bodyText = rest.join('\r\n\r\n');
    return { status: Number(statusLine!.split(' ')[1]), headers, body: bodyText ? JSON.parse(bodyText) : undefined };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The same checks as expectError, on a raw answer. */
function expectRawValidation(res: { status: number; headers: Record<string, string>; body: unknown }, path: string, message: RegExp) {
  const dump = JSON.stringify(res);
  expect(res.status, dump).toBe(400);
  expect(res.headers['content-type'], dump).toMatch(/^application\/json/);
  const error = (res.body as { error: { code: string; message: string; requestId: string; details: Array<{ path: string; message: string }> } }).error;
  expect(Object.keys(res.body as object), dump).toEqual(['error']);
  expect(error.code, dump).toBe('validation_failed');
  expect(error.requestId, dump).toBe(res.headers['x-request-id']);
  expect(error.details.map((d) => d.path), dump).toEqual([path]);
  expect(error.details[0]!.message, dump).toMatch(message);
}

describe('text a case cannot store, in a body', () => {
  it('when a hold reason holds a NUL, then the action is refused with 400 naming reason, nothing is recorded and the case still acts', async () => {
    const id = await newCase();
    const before = await countEvents(h, id);
    const details = expectValidation(await act(h, caseworker, id, { type: 'hold', reason: 'x\u0000y' }), ['reason']);
    expect(details[0]!.message).toMatch(NUL_MESSAGE);
    expect(await countEvents(h, id)).toBe(before);
    await expectStillActs(id);
  });

  it('when a hold reason holds a lone surrogate (high or low), then 400 naming reason and the case still acts, not on hold', async () => {
    const id = await newCase();
    for (const reason of ['waiting \ud800', '\udc00 for family', 'a\udbff\u0041']) {
      const details = expectValidation(await act(h, caseworker, id, { type: 'hold', reason }), ['reason']);
      expect(details[0]!.message).toMatch(SURROGATE_MESSAGE);
    }
    const view = await h.http.get(`/v1/cases/${id}`).set(bearer(caseworker));
    expect(view.body.onHold).toBe(false);
    // A well-formed pair (an emoji) is text like any other.
    expect((await act(h, caseworker, id, { type: 'add_note', text: 'family called 👍' })).status).toBe(200);
    await expectStillActs(id);
  });

  it('when an agency rejects a task with a NUL in the reason, then 400 naming reason, the task stays open and the case still acts', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId);
    const [task] = await tasksOf(h, consul, id, { type: 'verify_nationality' });
    expect((await h.http.post(`/v1/tasks/${task!.id}/claim`).set(bearer(consul))).status).toBe(200);
    const res = await h.http.post(`/v1/tasks/${task!.id}/reject`).set(bearer(consul)).set('Idempotency-Key', randomUUID()).send({ reason: 'no record\u0000' });
    expect(expectValidation(res, ['reason'])[0]!.message).toMatch(NUL_MESSAGE);
    const [after] = await tasksOf(h, consul, id, { type: 'verify_nationality' });
    expect(after!.status).toBe('claimed');
    // …and a task result with a NUL deep inside is refused the same way.
    const complete = await h.http.post(`/v1/tasks/${task!.id}/complete`).set(bearer(consul)).send({ result: { verified: true, notes: 'seen\u0000' } });
    expectValidation(complete, ['result.notes']);
    await expectStillActs(id);
  });

  it('when a new case holds NUL and lone surrogates in nested fields, then 400 names each path and no case is opened', async () => {
    const office = `hostile-${randomUUID().slice(0, 8)}`;
    const token = await h.token('caseworker', { office });
    const body = openBody(consulateId, { location: { country: 'MM', site: 'KK\u0000Park' } }, {
      fullName: 'Maria \ud83d Santos',
      documents: [{ type: 'passport', number: 'P12\u000034', issuingCountry: 'PH' }],
    });
    const res = await h.http.post('/v1/cases').set(bearer(token)).send(body);
    expectValidation(res, ['person.fullName', 'person.documents[0].number', 'location.site']);
    expect(await countCasesOfOffice(h, office)).toBe(0);
  });

  it('when a field name holds a NUL or a lone surrogate, then 400 names it with the character escaped', async () => {
    const id = await newCase();
    const res = await h.http
      .post(`/v1/cases/${id}/actions`)
      .set(bearer(caseworker))
      .type('json')
      .send('{"type":"add_note","text":"ok","x\\u0000y":1,"nested":{"\\ud800":2}}');
    const details = expectValidation(res, ['x\\u0000y', 'nested.\\ud800']);
    // The answer itself is well-formed JSON a strict decoder accepts: no raw NUL, no lone surrogate.
    expect(JSON.stringify(details).includes('\u0000')).toBe(false);
    expect(JSON.stringify(details)).not.toMatch(/[\ud800-\udfff]/);
    expect(details.find((d) => d.path === 'x\\u0000y')!.message).toMatch(NUL_MESSAGE);
    await expectStillActs(id);
  });

  it('when the JSON is malformed or nested absurdly deep, then 400 (with an Idempotency-Key too) and the case still acts', async () => {
    const id = await newCase();
    for (const text of ['{"type":"hold","reason":"x"', '{"type":"hold","reason":"\u0000"}', "{'type':'hold'}", '{"type":"hold","reason":"\\ud800"', '\u0000']) {
      expectValidation(await h.http.post(`/v1/cases/${id}/actions`).set(bearer(caseworker)).type('json').send(text), ['(root)']);
    }
    // 100,000 levels: the recursive code behind the edge (the idempotency fingerprint) would overflow its stack.
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const id2 = await caseInConsularContact(h, caseworker, consulateId);
    const [task] = await tasksOf(h, consul, id2, { type: 'verify_nationality' });
    const res = await h.http
      .post(`/v1/tasks/${task!.id}/complete`)
      .set(bearer(consul))
      .set('Idempotency-Key', randomUUID())
      .type('json')
      .send(`{"result":{"verified":true,"notes":${deep}}}`);
    const [detail] = expectValidation(res, [`result.notes${'[0]'.repeat(30)}`]);
    expect(detail!.message).toMatch(/nested more than 32 levels/);
    await expectStillActs(id);
    await expectStillActs(id2);
  });

  it('when the body does not inflate under its Content-Encoding (deflate, gzip, br), then 400, not 500, and the case still acts', async () => {
    const id = await newCase();
    for (const encoding of ['deflate', 'gzip', 'br']) {
      const res = await h.http.post(`/v1/cases/${id}/actions`).set(bearer(caseworker)).set('Content-Encoding', encoding).type('json').send('{"type":"add_note","text":"x"}');
      expectValidation(res, ['(root)']);
    }
    await expectStillActs(id);
  });

  it('when a validly signed token carries a NUL in its sub, then 401 and the case still acts', async () => {
    const id = await newCase();
    const poisoned = await h.token('caseworker', { office: h.office, sub: 'cw\u0000ana' });
    expectError(await h.http.post(`/v1/cases/${id}/actions`).set(bearer(poisoned)).send({ type: 'add_note', text: 'hello' }), 401, 'unauthenticated');
    await expectStillActs(id);
  });
});

describe('text a case cannot store, in the URL', () => {
  it('when q or assignee is %00 (or holds a NUL), then 400 naming it, never 500', async () => {
    for (const query of ['q=%00', 'q=HW%00', 'assignee=%00', 'assignee=cw-ana%00']) {
      const name = query.split('=')[0]!;
      const details = expectValidation(await h.http.get(`/v1/cases?${query}`).set(bearer(caseworker)), [name]);
      expect(details[0]!.message).toMatch(NUL_MESSAGE);
    }
    expectValidation(await h.http.get('/v1/tasks?status=%00').set(bearer(consul)), ['status']);
    expectValidation(await h.http.get('/v1/approvals?status=open%00').set(bearer(supervisor)), ['status']);
  });

  it('when a URL has a malformed percent-escape in its path or query, then 400, never 500, and the case still acts', async () => {
    const id = await newCase();
    expectValidation(await h.http.get(`/v1/cases/${id.slice(0, 30)}%E0%A4%A`).set(bearer(caseworker)), ['(path)']);
    expectValidation(await h.http.post('/v1/cases/%/actions').set(bearer(caseworker)).send({ type: 'add_note', text: 'x' }), ['(path)']);
    expectValidation(await h.http.get('/v1/tasks/%C0%AF').set(bearer(consul)), ['(path)']);
    // UTF-8 of a lone surrogate (ED A0 80) is not UTF-8: refused, not turned into U+FFFD.
    expectValidation(await h.http.get('/v1/cases?q=%ED%A0%80').set(bearer(caseworker)), ['q']);
    expectValidation(await h.http.get('/v1/cases?q=100%').set(bearer(caseworker)), ['q']);
    expectValidation(await h.http.get('/v1/cases?%zz=1').set(bearer(caseworker)), ['(query)']);
    expectValidation(await h.http.get(`/v1/cases/${id}/timeline?cursor=%E0%A4%A`).set(bearer(caseworker)), ['cursor']);
    await expectStillActs(id);
  });

  it('when a route param holds a NUL, then 400 names id with the NUL message', async () => {
    const details = expectValidation(await h.http.post('/v1/cases/%00/actions').set(bearer(caseworker)).send({ type: 'add_note', text: 'x' }), ['id']);
    expect(details[0]!.message).toMatch(NUL_MESSAGE);
  });
});

describe('tampered cursors', () => {
  it('when a priority cursor holds a rank beyond smallint ([99999, uuid]), then 400 names cursor; one the API issued still pages on', async () => {
    for (const rank of [99_999, 32_768, -32_769, 1.5, 1e308]) {
      expectValidation(await h.http.get(`/v1/cases?sort=priority&cursor=${b64url([rank, randomUUID()])}`).set(bearer(caseworker)), ['cursor']);
      expectValidation(await h.http.get(`/v1/cases?sort=-priority&cursor=${b64url([rank, randomUUID()])}`).set(bearer(caseworker)), ['cursor']);
    }
    await newCase();
    await newCase();
    const first = await h.http.get('/v1/cases?sort=-priority&limit=1').set(bearer(caseworker));
    expect(first.body.nextCursor, JSON.stringify(first.body)).toEqual(expect.any(String));
    expect((await h.http.get(`/v1/cases?sort=-priority&limit=1&cursor=${first.body.nextCursor}`).set(bearer(caseworker))).status).toBe(200);
  });

  it('when a timeline cursor holds a seq beyond integer ([2147483648]), then 400 names cursor and the case still acts', async () => {
    const id = await newCase();
    for (const seq of [2_147_483_648, -2_147_483_649, 9_007_199_254_740_991, 0.5]) {
      expectValidation(await h.http.get(`/v1/cases/${id}/timeline?cursor=${b64url([seq])}`).set(bearer(caseworker)), ['cursor']);
    }
    await expectStillActs(id);
    const page = await h.http.get(`/v1/cases/${id}/timeline?limit=1`).set(bearer(caseworker));
    expect(page.body.nextCursor, JSON.stringify(page.body)).toEqual(expect.any(String));
    expect((await h.http.get(`/v1/cases/${id}/timeline?limit=1&cursor=${page.body.nextCursor}`).set(bearer(caseworker))).status).toBe(200);
  });

  it('when a date cursor holds a date PostgreSQL cannot (year -271821, +275760) or not as issued, then 400 names cursor on every list', async () => {
    const dates = ['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-01-01', 'Tue, 1 Jan 2026'];
    for (const date of dates) {
      const cursor = b64url([date, randomUUID()]);
      expectValidation(await h.http.get(`/v1/tasks?cursor=${cursor}`).set(bearer(consul)), ['cursor']);
      expectValidation(await h.http.get(`/v1/approvals?cursor=${cursor}`).set(bearer(supervisor)), ['cursor']);
      expectValidation(await h.http.get(`/v1/cases?cursor=${cursor}`).set(bearer(caseworker)), ['cursor']);
      expectValidation(await h.http.get(`/v1/cases?sort=stageEnteredAt&cursor=${cursor}`).set(bearer(caseworker)), ['cursor']);
    }
  });
});

describe('text a case cannot store, in a header', () => {
  const request = (id: string, token: string, header: string) => {
    const body = JSON.stringify({ type: 'add_note', text: 'from a raw request' });
    return (
      `POST /v1/cases/${id}/actions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${header}\r\nConnection: close\r\n\r\n${body}`
    );
  };

  it('when a header holds a NUL that the HTTP parser lets through, then 400 names the header and nothing is recorded', async () => {
    const id = await newCase();
    const before = await countEvents(h, id);
    // A lenient parser (insecureHTTPParser, or a proxy that passes it on) hands the NUL to the app.
    const res = await rawRequest(http.createServer({ insecureHTTPParser: true }, h.app), request(id, caseworker, 'X-Note: a\u0000b'));
    expectRawValidation(res, 'X-Note', NUL_MESSAGE);
    expect(await countEvents(h, id)).toBe(before);
    await expectStillActs(id);
  });

  it("when Node's own HTTP parser refuses a header (NUL, control character), then the answer is 400 in the error contract", async () => {
    const id = await newCase();
    for (const header of ['X-Note: a\u0000b', 'X-Note: a\u0001b', 'X-N\u0000ote: a']) {
      const server = http.createServer(h.app);
      answerMalformedRequests(server);
      const res = await rawRequest(server, request(id, caseworker, header));
      expectRawValidation(res, '(headers)', /./);
    }
    await expectStillActs(id);
  });
});

describe('past the API: the case workflow itself', () => {
  /** The update's refusal by its validator (a validation_failed naming these paths), or the test fails; no hanging on an accepted one. */
  async function refused(update: Promise<unknown>, paths: string[]) {
    const err = await Promise.race([
      update.then(() => new Error('the update was accepted')),
      new Promise<Error>((resolve) => setTimeout(() => resolve(new Error('the update neither answered nor was refused in 15 s')), 15_000)),
    ]).catch((e: unknown) => e);
    expect(err, String(err)).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('validation_failed');
    expect((cause.details?.[0] as Array<{ path: string }>).map((d) => d.path).sort()).toEqual([...paths].sort());
  }

  it('when a NUL or lone surrogate reaches the workflow directly (action, task rejection, approval comment, sender), then its validator refuses it, nothing is recorded and the case still acts', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId);
    expect((await act(h, caseworker, id, { type: 'request_closure', reason: 'duplicate' })).status).toBe(200);
    const [task] = await tasksOf(h, consul, id, { type: 'verify_nationality' });
    const approvals = await h.http.get('/v1/approvals').query({ status: 'pending', limit: 200 }).set(bearer(supervisor));
    const approval = (approvals.body.items as Array<{ id: string; caseId: string }>).find((a) => a.caseId === id)!;
    const before = await countEvents(h, id);
    const handle = h.temporal.workflow.getHandle(caseWorkflowId(id));
    const actor = { sub: 'cw-direct', role: 'caseworker' as const };

    await refused(handle.executeUpdate(actionUpdates.hold, { args: [{ action: { type: 'hold', reason: 'x\u0000y' }, actor }] }), ['reason']);
    await refused(handle.executeUpdate(actionUpdates.add_note, { args: [{ action: { type: 'add_note', text: 'fine' }, actor: { sub: 'cw\u0000', role: 'caseworker' } }] }), ['actor.sub']);
    await refused(handle.executeUpdate(rejectTaskUpdate, { args: [{ taskId: task!.id, reason: 'no record\u0000', actor: { sub: 'consul', role: 'agency_officer' } }] }), ['reason']);
    await refused(
      handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: approval.id, decision: 'rejected', comment: 'no \ud800', actor: { sub: 'sup', role: 'supervisor' } }] }),
      ['comment'],
    );
    expect(await countEvents(h, id)).toBe(before);
    const [still] = await tasksOf(h, consul, id, { type: 'verify_nationality' });
    expect(still!.status).toBe('open');
    await expectStillActs(id);
  });
});
