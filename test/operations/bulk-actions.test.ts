// Bulk actions on a raid (POST /v1/operations/:id/actions, GET …/actions/:bulkId) on the real
// servers: one action applied to the cases of an operation by one workflow, per-case results and
// errors, retries with an Idempotency-Key that apply nothing twice, and the refusals of the contract.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { bearer, expectError, expectValidation } from '../api/support.js';
import { EXTRACTION, type Raid, bulkDone, completeConsularTasks, eventCounts, flight, postBulk, raid, stagesOf, waitBulk } from '../support/bulk.js';
import { bulkActionWorkflowId } from '../../domain/ids.js';

let h: Harness;
let p: drive.People;
let consulateId: string;
beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  await h?.stop();
});

/** Executions (runs started by a request, not continue-as-new) of a bulk action's workflow, once visibility shows any. */
async function workflowsOf(bulkId: string): Promise<number> {
  return drive.waitFor('the bulk workflow in visibility', async () => {
    let n = 0;
    for await (const _ of h.temporal.workflow.list({ query: `WorkflowId = '${bulkActionWorkflowId(bulkId)}'` })) n++;
    return n;
  });
}

describe('bulk actions on a raid', () => {
  it('when record_extraction is sent for a whole raid, then every case moves on once, recorded as done by the requesting user', async () => {
    const r = await raid(h, p.caseworker, consulateId, 12);
    const before = await stagesOf(h, r.caseIds);
    // Raid cases open with their location confirmed: in extraction.
    expect([...before.values()]).toEqual(Array(12).fill('extraction'));

    const res = await postBulk(h.http, p.caseworker, r.id, EXTRACTION);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), operationId: r.id, status: 'running', total: 12 });
    const done = await waitBulk(h.http, p.caseworker, r.id, res.body.id);
    expect(done).toMatchObject({ id: res.body.id, type: 'record_extraction', status: 'completed', total: 12, succeeded: 12, failedCount: 0, pending: 0, failed: [], nextCursor: null });

    const after = await stagesOf(h, r.caseIds);
    expect([...after.values()]).toEqual(Array(12).fill('consular_contact'));
    expect([...(await eventCounts(h, r.caseIds, 'record_extraction')).values()]).toEqual(Array(12).fill(1));
    // The actor on each timeline is the person who asked, not the system.
    const actors = await h.db.$client.query<{ sub: string; role: string }>(
      `select distinct actor_sub as sub, actor_role as role from case_events where case_id = any($1::uuid[]) and type = 'record_extraction'`,
      [r.caseIds],
    );
    expect(actors.rows).toEqual([{ sub: 'cw-ana', role: 'caseworker' }]);
  });

  it('when a manifest is booked for cases of which some are not yet in return, then those fail with invalid_transition and the rest are booked', async () => {
    const r = await raid(h, p.caseworker, consulateId, 8);
    const ready = r.caseIds.slice(0, 5);
    const early = r.caseIds.slice(5);
    const extracted = await bulkDone(h.http, p.caseworker, r.id, { ...EXTRACTION, caseIds: ready });
    expect(extracted).toMatchObject({ total: 5, succeeded: 5, failedCount: 0 });
    await completeConsularTasks(h.http, p.consul, ready);
    expect([...(await stagesOf(h, ready)).values()]).toEqual(Array(5).fill('return'));

    // Default: every open case of the operation, the five in return and the three still in extraction.
    const booked = await bulkDone(h.http, p.supervisor, r.id, flight('MNL-PR731-1202'));
    expect(booked).toMatchObject({ type: 'book_return', status: 'completed', total: 8, succeeded: 5, failedCount: 3, pending: 0 });
    expect(booked.failed.map((f) => f.caseId).sort()).toEqual([...early].sort());
    for (const f of booked.failed) {
      expect(f.error).toEqual({ code: 'invalid_transition', message: 'book_return is not allowed now (stage extraction)' });
    }
    for (const id of ready) {
      const c = await h.http.get(`/v1/cases/${id}`).set(bearer(p.caseworker));
      expect(c.body.returnTrip).toMatchObject({ manifestId: 'MNL-PR731-1202', flightNumber: 'PR731' });
    }
    expect([...(await eventCounts(h, early, 'book_return')).values()]).toEqual([0, 0, 0]);

    // The failed list is paged.
    const page1 = await h.http.get(`/v1/operations/${r.id}/actions/${booked.id}`).query({ limit: 2 }).set(bearer(p.caseworker));
    expect(page1.body.failed).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await h.http.get(`/v1/operations/${r.id}/actions/${booked.id}`).query({ limit: 2, cursor: page1.body.nextCursor }).set(bearer(p.caseworker));
    expect(page2.body.failed).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect([...page1.body.failed, ...page2.body.failed].map((f: { caseId: string }) => f.caseId).sort()).toEqual([...early].sort());
    const tampered = await h.http.get(`/v1/operations/${r.id}/actions/${booked.id}`).query({ cursor: 'eyJ4IjoxfQ' }).set(bearer(p.caseworker));
    expectValidation(tampered, ['cursor']);
  });

  it('when a case of the list is closed, then it fails as closed, and no result row holds the action\'s text', async () => {
    const r = await raid(h, p.caseworker, consulateId, 3);
    const [closing, ...open] = r.caseIds as [string, ...string[]];
    await drive.act(h.http, p.caseworker, closing, { type: 'request_closure', reason: 'duplicate' });
    await drive.approveClosure(h.http, p, closing);
    const secret = `Met ${randomUUID()} at the shelter gate`;
    const done = await bulkDone(h.http, p.caseworker, r.id, { type: 'add_note', text: secret, caseIds: r.caseIds });
    expect(done).toMatchObject({ total: 3, succeeded: 2, failedCount: 1 });
    expect(done.failed).toEqual([{ caseId: closing, error: { code: 'invalid_transition', message: 'add_note is not allowed: the case is closed' } }]);
    expect([...(await eventCounts(h, open, 'add_note')).values()]).toEqual([1, 1]);
    const rows = await h.db.$client.query('select b.*, r.* from bulk_actions b join bulk_action_results r on r.bulk_id = b.id where b.id = $1', [done.id]);
    expect(rows.rows).toHaveLength(3);
    expect(JSON.stringify(rows.rows)).not.toContain(secret.slice(4, 40));
  });

  it('when a bulk action is retried with the same Idempotency-Key, then the first answer comes back and each case takes the action once', async () => {
    const r = await raid(h, p.caseworker, consulateId, 4);
    const key = `bulk-${randomUUID()}`;
    const body = { type: 'add_note', text: 'Family informed by phone' };
    const [a, b] = await Promise.all([postBulk(h.http, p.caseworker, r.id, body, { 'Idempotency-Key': key }), postBulk(h.http, p.caseworker, r.id, body, { 'Idempotency-Key': key })]);
    const answered = [a, b].filter((x) => x.status === 202);
    expect(answered.length, JSON.stringify([a.body, b.body])).toBeGreaterThanOrEqual(1);
    const id = answered[0]!.body.id as string;
    for (const x of answered) expect(x.body).toEqual({ id, operationId: r.id, status: 'running', total: 4 });
    await waitBulk(h.http, p.caseworker, r.id, id);

    // Once more after it finished: the stored answer, nothing applied again.
    const again = await postBulk(h.http, p.caseworker, r.id, body, { 'Idempotency-Key': key });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ id, operationId: r.id, status: 'running', total: 4 });
    // And as if the first answer had been lost (a timeout): the bulk action found again by its key, not started twice.
    await h.db.$client.query('update idempotency_keys set status_code = null, response = null where key = $1', [key]);
    const lost = await postBulk(h.http, p.caseworker, r.id, body, { 'Idempotency-Key': key });
    expect(lost.status).toBe(202);
    expect(lost.body).toMatchObject({ id, operationId: r.id, total: 4 });

    expect(await workflowsOf(id)).toBe(1);
    expect([...(await eventCounts(h, r.caseIds, 'add_note')).values()]).toEqual([1, 1, 1, 1]);
    const bulks = await h.db.$client.query('select count(*)::int as n from bulk_actions where operation_id = $1', [r.id]);
    expect(bulks.rows[0].n).toBe(1);

    const other = await postBulk(h.http, p.caseworker, r.id, { type: 'add_note', text: 'Something else' }, { 'Idempotency-Key': key });
    expectError(other, 422, 'idempotency_key_reused');
  });

  it('when the OpenAPI document is read, then the bulk endpoints and the operations list carry their request and response schemas', async () => {
    const doc = (await h.http.get('/openapi.json')).body;
    const post = doc.paths['/v1/operations/{id}/actions'].post;
    const variants = post.requestBody.content['application/json'].schema.oneOf as Array<{ properties: Record<string, unknown>; required: string[] }>;
    const bookReturn = variants.find((v) => (v.properties.type as { const?: string }).const === 'book_return')!;
    expect(bookReturn.required).toEqual(expect.arrayContaining(['type', 'departureAt', 'arrivalPort']));
    expect(Object.keys(bookReturn.properties)).toEqual(expect.arrayContaining(['manifestId', 'caseIds']));
    expect(post.responses['202'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BulkActionAccepted' });
    const statusOf = doc.paths['/v1/operations/{id}/actions/{bulkId}'].get;
    expect(statusOf.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BulkActionStatus' });
    expect(doc.components.schemas.BulkActionStatus.required).toEqual(expect.arrayContaining(['status', 'total', 'succeeded', 'failed']));
    expect(doc.paths['/v1/operations'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OperationList' });
  });

  describe('refusals', () => {
    let r: Raid;
    beforeAll(async () => {
      r = await raid(h, p.caseworker, consulateId, 2);
    });

    it('when an agency officer asks, then it is forbidden', async () => {
      expectError(await postBulk(h.http, p.consul, r.id, EXTRACTION), 403, 'forbidden');
      const bulk = await bulkDone(h.http, p.caseworker, r.id, { type: 'add_note', text: 'checked' });
      expectError(await h.http.get(`/v1/operations/${r.id}/actions/${bulk.id}`).set(bearer(p.consul)), 403, 'forbidden');
    });

    it('when a caseworker of another office asks, then the operation and its bulk actions do not exist for them', async () => {
      const other = await h.token('caseworker', { office: `other-${randomUUID().slice(0, 6)}` });
      expectError(await postBulk(h.http, other, r.id, EXTRACTION), 404, 'not_found');
      const bulk = await bulkDone(h.http, p.caseworker, r.id, { type: 'add_note', text: 'checked' });
      expectError(await h.http.get(`/v1/operations/${r.id}/actions/${bulk.id}`).set(bearer(other)), 404, 'not_found');
      // A supervisor of every office sees it.
      const all = await h.token('supervisor', { office: '*' });
      expect((await h.http.get(`/v1/operations/${r.id}/actions/${bulk.id}`).set(bearer(all))).status).toBe(200);
    });

    it('when the operation or the bulk action does not exist, then 404', async () => {
      expectError(await postBulk(h.http, p.caseworker, randomUUID(), EXTRACTION), 404, 'not_found');
      expectError(await h.http.get(`/v1/operations/${r.id}/actions/${randomUUID()}`).set(bearer(p.caseworker)), 404, 'not_found');
      // A bulk action of another operation is not found under this one.
      const second = await raid(h, p.caseworker, consulateId, 1);
      const bulk = await bulkDone(h.http, p.caseworker, second.id, { type: 'add_note', text: 'checked' });
      expectError(await h.http.get(`/v1/operations/${r.id}/actions/${bulk.id}`).set(bearer(p.caseworker)), 404, 'not_found');
    });

    it('when the action is malformed, then 400 names each field and nothing starts', async () => {
      const before = await h.db.$client.query('select count(*)::int as n from bulk_actions where operation_id = $1', [r.id]);
      expectValidation(await postBulk(h.http, p.caseworker, r.id, { type: 'book_return', departureAt: 'tomorrow' }), ['departureAt', 'arrivalPort']);
      expectValidation(await postBulk(h.http, p.caseworker, r.id, { type: 'teleport' }), ['type']);
      expectValidation(await postBulk(h.http, p.caseworker, r.id, { ...EXTRACTION, nickname: 'x' }), ['nickname']);
      expectValidation(await postBulk(h.http, p.caseworker, r.id, { ...EXTRACTION, caseIds: [] }), ['caseIds']);
      expectValidation(await postBulk(h.http, p.caseworker, r.id, { ...EXTRACTION, caseIds: ['not-a-uuid'] }), ['caseIds[0]']);
      const after = await h.db.$client.query('select count(*)::int as n from bulk_actions where operation_id = $1', [r.id]);
      expect(after.rows[0].n).toBe(before.rows[0].n);
    });

    it('when caseIds name a case outside the operation or twice, then 400 names each one and nothing starts', async () => {
      const outsider = await drive.openCase(h.http, p.caseworker, consulateId);
      const before = await h.db.$client.query('select count(*)::int as n from bulk_actions where operation_id = $1', [r.id]);
      const res = await postBulk(h.http, p.caseworker, r.id, { ...EXTRACTION, caseIds: [r.caseIds[0], outsider.id, randomUUID(), r.caseIds[0]] });
      const details = expectValidation(res, ['caseIds[1]', 'caseIds[2]', 'caseIds[3]']);
      expect(details.find((d) => d.path === 'caseIds[3]')!.message).toMatch(/twice/);
      const after = await h.db.$client.query('select count(*)::int as n from bulk_actions where operation_id = $1', [r.id]);
      expect(after.rows[0].n).toBe(before.rows[0].n);
      expect([...(await stagesOf(h, r.caseIds)).values()]).toEqual(['extraction', 'extraction']);
    });
  });
});
