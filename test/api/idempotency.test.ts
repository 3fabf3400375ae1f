// Idempotency-Key on every write (docs/api.md "Idempotency on every write"), as a careful client
// uses it: a repeat after a lost answer, a timeout or a restart joins the first attempt and applies
// nothing twice. The case opening keys are covered in concurrency.test.ts; this file covers steps,
// tasks, approvals, claims, operations, and what a client is told when no answer comes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeConnection } from '@temporalio/worker';
import { type Harness, createConsulate, quietRuntime, startHarness } from '../support/harness.js';
import { allRuns, workflowTaskFailures } from '../support/histories.js';
import { raidPersons } from '../support/raid.js';
import { createCaseWorker } from '../../worker/worker.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { act, actOk, bearer, caseInConsularContact, caseRowOf, countRows, expectError, openBody, openCase, tasksOf, timelineRows } from './support.js';

let h: Harness;
let consulateId: string;
let caseworker: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office, sub: `cw-${randomUUID().slice(0, 6)}` });
});
afterAll(async () => {
  await h?.stop();
});

const key = () => `key-${randomUUID()}`;
const noteEvents = async (hh: Harness, caseId: string, text: string) =>
  (await timelineRows(hh, caseId)).filter((e) => e.type === 'add_note' && e.data.text === text).length;

describe('a case step with an Idempotency-Key', () => {
  it('when the same note is sent twice with one key, then it is added once and both answers are the same', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const k = key();
    const note = { type: 'add_note', text: `called the family ${k}` };
    const first = await act(h, caseworker, id, note, { 'Idempotency-Key': k });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await act(h, caseworker, id, note, { 'Idempotency-Key': k });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.version).toBe(first.body.version);
    expect(await noteEvents(h, id, note.text)).toBe(1);
    expect((await caseRowOf(h, id))!.version).toBe(first.body.version);
  });

  it('when a retry carries the If-Match of the first attempt after it was applied, then it still gets the first answer, not 412', async () => {
    const { id, version } = await openCase(h, caseworker, openBody(consulateId));
    const k = key();
    const note = { type: 'add_note', text: `If-Match retry ${k}` };
    const headers = { 'Idempotency-Key': k, 'If-Match': String(version) };
    const first = await act(h, caseworker, id, note, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const again = await act(h, caseworker, id, note, headers);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.version).toBe(version + 1);
    expect(await noteEvents(h, id, note.text)).toBe(1);
  });

  it('when five copies of one keyed step race, then it is applied once and every answer is that one', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const k = key();
    const note = { type: 'add_note', text: `race ${k}` };
    const results = await Promise.all(Array.from({ length: 5 }, () => act(h, caseworker, id, note, { 'Idempotency-Key': k })));
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(new Set(results.map((r) => r.body.version)).size).toBe(1);
    expect(await noteEvents(h, id, note.text)).toBe(1);
  });

  it('when the key is reused with another body or on another case, then 422 idempotency_key_reused and nothing is applied', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const other = await openCase(h, caseworker, openBody(consulateId));
    const k = key();
    expect((await act(h, caseworker, id, { type: 'add_note', text: 'first' }, { 'Idempotency-Key': k })).status).toBe(200);
    expectError(await act(h, caseworker, id, { type: 'add_note', text: 'second' }, { 'Idempotency-Key': k }), 422, 'idempotency_key_reused');
    expectError(await act(h, caseworker, other.id, { type: 'add_note', text: 'first' }, { 'Idempotency-Key': k }), 422, 'idempotency_key_reused');
    expect(await noteEvents(h, id, 'second')).toBe(0);
    expect((await caseRowOf(h, other.id))!.version).toBe(other.version);
  });

  it('when another user sends the same key, then it is their own request and is applied', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const colleague = await h.token('caseworker', { office: h.office, sub: `cw-${randomUUID().slice(0, 6)}` });
    const k = key();
    const note = { type: 'add_note', text: `two people ${k}` };
    expect((await act(h, caseworker, id, note, { 'Idempotency-Key': k })).status).toBe(200);
    expect((await act(h, colleague, id, note, { 'Idempotency-Key': k })).status).toBe(200);
    expect(await noteEvents(h, id, note.text)).toBe(2);
  });

  it('when the key is not printable ASCII or too long, then 400 naming the header', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const res = await act(h, caseworker, id, { type: 'add_note', text: 'x' }, { 'Idempotency-Key': 'x'.repeat(201) });
    const error = expectError(res, 400, 'validation_failed');
    expect(JSON.stringify(error.details)).toContain('Idempotency-Key');
  });
});

describe('tasks, approvals, claims and operations with an Idempotency-Key', () => {
  it('when a consular officer completes a task twice with one key, then it is completed once and both answers match', async () => {
    const caseId = await caseInConsularContact(h, caseworker, consulateId);
    const officer = await h.token('agency_officer', { agency: consulateId, sub: `consul-${randomUUID().slice(0, 6)}` });
    const task = (await tasksOf(h, officer, caseId)).find((t) => t.type === 'verify_nationality')!;
    const k = key();
    const send = () => h.http.post(`/v1/tasks/${task.id}/complete`).set(bearer(officer)).set('Idempotency-Key', k).send({ result: { verified: true } });
    const first = await send();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await send();
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await countRows(h, `select count(*) as n from case_events where case_id = $1 and type = 'task_completed'`, [caseId])).toBe(1);
    // Without the key, a second completion is what it is: the task is no longer open.
    const plain = await h.http.post(`/v1/tasks/${task.id}/complete`).set(bearer(officer)).send({ result: { verified: true } });
    expect(plain.status).toBeGreaterThanOrEqual(400);
    expect(plain.status).toBeLessThan(500);
  });

  it('when an officer claims with one key twice, then both answers are the first one', async () => {
    const caseId = await caseInConsularContact(h, caseworker, consulateId);
    const officer = await h.token('agency_officer', { agency: consulateId, sub: `consul-${randomUUID().slice(0, 6)}` });
    const task = (await tasksOf(h, officer, caseId)).find((t) => t.type === 'verify_nationality')!;
    const k = key();
    const first = await h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(officer)).set('Idempotency-Key', k);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(officer)).set('Idempotency-Key', k);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  it('when a supervisor decides an approval twice with one key, then it is decided once and the case closes once', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const closing = await actOk(h, caseworker, id, { type: 'request_closure', reason: 'duplicate' });
    const approvalId = (closing.pendingApprovals as Array<{ id: string }>)[0]!.id;
    const supervisor = await h.token('supervisor', { office: h.office });
    const k = key();
    const send = () => h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(supervisor)).set('Idempotency-Key', k).send({ decision: 'approved' });
    const [first, second] = [await send(), await send()];
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await countRows(h, `select count(*) as n from case_events where case_id = $1 and type = 'closure_approved'`, [id])).toBe(1);
  });

  it('when a raid is submitted twice with one key, then one operation is created and its persons are opened once', async () => {
    const k = key();
    const body = { name: `Keyed raid ${k}`, country: 'MM', site: 'Shwe Kokko', date: '2026-11-20', consulateId, persons: raidPersons(5) };
    const results = await Promise.all([0, 1, 2].map(() => h.http.post('/v1/operations').set(bearer(caseworker)).set('Idempotency-Key', k).send(body)));
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await countRows(h, 'select count(*) as n from operations where name = $1', [body.name])).toBe(1);
    const opId = results[0]!.body.id as string;
    const until = Date.now() + 60_000;
    while ((await h.http.get(`/v1/operations/${opId}`).set(bearer(caseworker))).body.status !== 'completed') {
      if (Date.now() > until) throw new Error('the operation did not complete');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await countRows(h, 'select count(*) as n from cases where operation_id = $1', [opId])).toBe(5);
  });
});

describe('opening a case whose first answer was lost', () => {
  it('when the case was opened but the stored answer is gone, then a retry with the key answers with that case and opens no other', async () => {
    const office = `idem-${randomUUID().slice(0, 8)}`;
    const token = await h.token('caseworker', { office, sub: `cw-${randomUUID().slice(0, 6)}` });
    const k = key();
    const body = openBody(consulateId);
    const first = await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', k).send(body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // As if the commit of the answer had failed after the workflow started: the workflow's first
    // step wrote the case and its documents, but no answer is on record for the key.
    await h.db.$client.query('delete from idempotency_keys where key = $1', [k]);
    const retry = await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', k).send(body);
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(await countRows(h, 'select count(*) as n from cases where office = $1', [office])).toBe(1);
    // And the answer is on record again: the next retry replays it.
    expect(await countRows(h, 'select count(*) as n from idempotency_keys where key = $1 and status_code = 201', [k])).toBe(1);
  });
});

describe('a keyed step across continue-as-new', () => {
  let small: Harness;
  beforeAll(async () => {
    small = await startHarness({ config: { HOMEWARD_MAX_MESSAGES_PER_RUN: '3' } });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it('when the case continued as new after a keyed step, then a retry of that step is not applied again', async () => {
    const consulate = await createConsulate(small);
    const token = await small.token('caseworker', { office: small.office, sub: `cw-${randomUUID().slice(0, 6)}` });
    const { id } = await openCase(small, token, openBody(consulate));
    const k = key();
    const note = { type: 'add_note', text: `before the new run ${k}` };
    const first = await act(small, token, id, note, { 'Idempotency-Key': k });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    for (let i = 0; i < 4; i++) await actOk(small, token, id, { type: 'add_note', text: `filler ${i}` });
    const until = Date.now() + 20_000;
    while ((await allRuns(small.temporal, caseWorkflowId(id))).length < 2) {
      if (Date.now() > until) throw new Error('the case never continued as new');
      await new Promise((r) => setTimeout(r, 100));
    }
    const retry = await act(small, token, id, note, { 'Idempotency-Key': k });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(await noteEvents(small, id, note.text)).toBe(1);
  });
});

describe('when no answer comes in time', () => {
  let away: Harness;
  beforeAll(async () => {
    // No worker: updates are accepted by nobody until one starts on this harness's task queue.
    away = await startHarness({ worker: false, config: { HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS: '1500' } });
  });
  afterAll(async () => {
    await away?.stop();
  });

  it('when a keyed step times out, then 503 says it may still apply and a retry with the key, once a worker is back, applies it once', async () => {
    const consulate = await createConsulate(away);
    const token = await away.token('caseworker', { office: away.office, sub: `cw-${randomUUID().slice(0, 6)}` });
    const opened = await away.http.post('/v1/cases').set(bearer(token)).send(openBody(consulate));
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const id = opened.body.id as string;
    const k = key();
    const note = { type: 'add_note', text: `while the worker was away ${k}` };

    const timedOut = await act(away, token, id, note, { 'Idempotency-Key': k });
    const error = expectError(timedOut, 503, 'unavailable');
    expect(error.details).toEqual({ applied: 'unknown', retry: 'same_idempotency_key' });
    expect(timedOut.headers['retry-after']).toBeDefined();
    expect(error.message).not.toMatch(/nothing was changed/);

    const unkeyed = await act(away, token, id, { type: 'add_note', text: 'unkeyed' });
    expect(expectError(unkeyed, 503, 'unavailable').details).toEqual({ applied: 'unknown', retry: 'check_case_first' });

    quietRuntime();
    const connection = await NativeConnection.connect({ address: away.config.temporal.address! });
    const worker = await createCaseWorker({ config: away.config, connection, db: away.db, hasher: away.hasher, temporal: away.temporal });
    const running = worker.run();
    try {
      let retry = await act(away, token, id, note, { 'Idempotency-Key': k });
      const until = Date.now() + 30_000;
      while (retry.status === 503 && Date.now() < until) retry = await act(away, token, id, note, { 'Idempotency-Key': k });
      expect(retry.status, JSON.stringify(retry.body)).toBe(200);
      expect(await noteEvents(away, id, note.text)).toBe(1);
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });
});

describe('a case whose workflow task keeps failing', () => {
  it('when an action reaches it, then 503 that nothing was applied, never 500', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const workflowId = caseWorkflowId(id);
    // A run that cannot take its first step (no case in its input) stands for any workflow task
    // that fails: a defect in workflow code, a nondeterminism after a bad deploy.
    await h.temporal.workflow.getHandle(workflowId).terminate('test: replace with a broken run');
    await h.temporal.workflow.start('caseWorkflow', { workflowId, taskQueue: h.config.temporal.taskQueue, args: [{ case: null }] });
    const until = Date.now() + 15_000;
    while (workflowTaskFailures(await h.temporal.workflow.getHandle(workflowId).fetchHistory()).length === 0) {
      if (Date.now() > until) throw new Error('the broken run never failed a workflow task');
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await act(h, caseworker, id, { type: 'add_note', text: 'hello?' }, { 'Idempotency-Key': key() });
    const error = expectError(res, 503, 'unavailable');
    expect((error.details as { applied: unknown }).applied).not.toBe(true);
    await h.temporal.workflow.getHandle(workflowId).terminate('test: done');
  });
});

describe('a case whose worker does not take up the step it was sent', () => {
  it('when the server rejects the step as unprocessed by the worker, then 503 that it may still apply, never 500, and nothing is applied', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const workflowId = caseWorkflowId(id);
    const namespace = h.config.temporal.namespace;
    // A run on a queue that only this test polls: it completes each workflow task without a word
    // about the update it carries, as a worker that drops an update does (seen once around a server
    // restart). The server then rejects the update itself ("UnprocessedUpdate").
    const taskQueue = `unprocessed-${randomUUID()}`;
    await h.temporal.workflow.getHandle(workflowId).terminate('test: replace with a run whose worker ignores updates');
    await h.temporal.workflow.start('caseWorkflow', { workflowId, taskQueue, args: [{ case: null }] });
    const k = key();
    const note = { type: 'add_note', text: `unprocessed ${k}` };
    let answered = false;
    const answer = act(h, caseworker, id, note, { 'Idempotency-Key': k }).finally(() => (answered = true));
    const service = h.temporal.workflowService;
    let ignored = 0;
    while (!answered) {
      const task = await h.temporal.connection
        .withDeadline(Date.now() + 3_000, () => service.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'test' }))
        .catch(() => undefined);
      if (!task?.taskToken?.length) continue;
      await service.respondWorkflowTaskCompleted({ namespace, taskToken: task.taskToken, identity: 'test', commands: [] });
      ignored += 1;
    }
    const res = await answer;
    expect(ignored).toBeGreaterThan(0);
    const error = expectError(res, 503, 'unavailable');
    expect(error.details).toEqual({ applied: 'unknown', retry: 'same_idempotency_key' });
    expect(res.headers['retry-after']).toBeDefined();
    await h.temporal.workflow.getHandle(workflowId).terminate('test: done');
    expect(await noteEvents(h, id, note.text)).toBe(0);
  });
});
