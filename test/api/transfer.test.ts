// transfer_office over HTTP, on the real app, PostgreSQL and Temporal: the sending office asks, a
// supervisor of the receiving office decides; approved, the case, its tasks, approvals, deadlines, read
// model and search attributes move, the sending office loses it and the receiving office gains it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import {
  act,
  actOk,
  bearer,
  caseInConsularContact,
  countEvents,
  countRows,
  expectError,
  expectValidation,
  openBody,
  openCase,
  tasksOf,
  timelineRows,
} from './support.js';

let h: Harness;
let consulateId: string;
let officeB: string;
// Office A is the harness's own.
let cwA: string;
let supA: string;
let cwB: string;
let supB: string;
let supB2: string;
let supAll: string;
let consul: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  officeB = `office-b-${randomUUID().slice(0, 8)}`;
  cwA = await h.token('caseworker', { office: h.office, sub: 'cw-ana' });
  supA = await h.token('supervisor', { office: h.office, sub: 'sup-ben' });
  cwB = await h.token('caseworker', { office: officeB, sub: 'cw-carla' });
  supB = await h.token('supervisor', { office: officeB, sub: 'sup-dan' });
  supB2 = await h.token('supervisor', { office: officeB, sub: 'sup-eva' });
  supAll = await h.token('supervisor', { office: '*', sub: 'sup-all' });
  consul = await h.token('agency_officer', { agency: consulateId, sub: 'consul-chen' });
});
afterAll(async () => {
  await h?.stop();
});

const transfer = (token: string, id: string, office = officeB, headers: Record<string, string> = {}) =>
  act(h, token, id, { type: 'transfer_office', office, reason: 'the person now lives near office B' }, headers);

async function pendingTransfer(token: string, caseId: string) {
  const res = await h.http.get('/v1/approvals').query({ status: 'pending', limit: 200 }).set(bearer(token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as Array<{ id: string; caseId: string; kind: string; transfer: unknown; comment: string }>).find((a) => a.caseId === caseId && a.kind === 'transfer');
}

const decide = (token: string, approvalId: string, decision: 'approved' | 'rejected', headers: Record<string, string> = {}) =>
  h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(token)).set(headers).send({ decision, comment: 'we take the case' });

async function searchAttributeOffice(caseId: string): Promise<string | undefined> {
  const d = await h.temporal.workflow.getHandle(`case-${caseId}`).describe();
  const p = d.raw.workflowExecutionInfo?.searchAttributes?.indexedFields?.HomewardOffice;
  return p?.data ? JSON.parse(Buffer.from(p.data).toString('utf8')) : undefined;
}

describe('transfer_office', () => {
  it('when the receiving office approves, then the case with its tasks, approvals and deadlines moves: office A loses it (404), office B gains it', async () => {
    const id = await caseInConsularContact(h, cwA, consulateId, { riskFlags: ['abused'] });
    await actOk(h, cwA, id, { type: 'assign', assignee: 'cw-ana' });
    // A supervisor review in A's inbox, claimed by A's supervisor: it must not stay held by someone who cannot reach it.
    const shelter = (await tasksOf(h, consul, id)).find((t) => t.type === 'arrange_shelter')!;
    expect((await h.http.post(`/v1/tasks/${shelter.id}/reject`).set(bearer(consul)).send({ reason: 'no place' })).status).toBe(200);
    const review = (await tasksOf(h, supA, id)).find((t) => t.type === 'supervisor_review')!;
    expect((await h.http.post(`/v1/tasks/${review.id}/claim`).set(bearer(supA))).status).toBe(200);
    // The consulate works its own task meanwhile: its claim is the agency's, and stays.
    const verify = (await tasksOf(h, consul, id)).find((t) => t.type === 'verify_nationality')!;
    expect((await h.http.post(`/v1/tasks/${verify.id}/claim`).set(bearer(consul))).status).toBe(200);
    const before = await tasksOf(h, cwA, id);

    const asked = await transfer(cwA, id);
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body.office).toBe(h.office);
    expect(asked.body.pendingApprovals).toMatchObject([{ kind: 'transfer', transfer: { fromOffice: h.office, toOffice: officeB } }]);
    expect(asked.body.allowedActions).not.toContain('transfer_office');

    // Both offices list it; only the receiving one may decide it.
    const seenByB = await pendingTransfer(supB, id);
    const seenByA = await pendingTransfer(supA, id);
    expect(seenByB).toMatchObject({ kind: 'transfer', transfer: { fromOffice: h.office, toOffice: officeB }, comment: 'the person now lives near office B' });
    expect(seenByA?.id).toBe(seenByB!.id);
    // Until then office B cannot read the case itself.
    expectError(await h.http.get(`/v1/cases/${id}`).set(bearer(cwB)), 404, 'not_found');

    const decided = await decide(supB, seenByB!.id, 'approved', { 'Idempotency-Key': `t-${randomUUID()}` });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decidedBy: 'sup-dan', transfer: { toOffice: officeB } });

    // The sending office: gone, as if it never existed.
    expectError(await h.http.get(`/v1/cases/${id}`).set(bearer(cwA)), 404, 'not_found');
    expectError(await h.http.get(`/v1/cases/${id}/timeline`).set(bearer(supA)), 404, 'not_found');
    expectError(await act(h, cwA, id, { type: 'add_note', text: 'still ours?' }), 404, 'not_found');
    expect(await tasksOf(h, supA, id)).toEqual([]);
    expect((await h.http.get(`/v1/tasks/${review.id}`).set(bearer(supA))).status).toBe(404);
    expect((await h.http.get('/v1/cases').query({ office: h.office, limit: 200 }).set(bearer(supA))).body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    expect(await pendingTransfer(supA, id)).toBeUndefined();

    // The receiving office: the case, every task (with its deadline and escalation), its inbox.
    const view = await h.http.get(`/v1/cases/${id}`).set(bearer(cwB));
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ office: officeB, assignee: null, stage: 'consular_contact', status: 'open' });
    const after = await tasksOf(h, cwB, id);
    expect(after.map((t) => [t.id, t.dueAt, t.escalationLevel]).sort()).toEqual(before.map((t) => [t.id, t.dueAt, t.escalationLevel]).sort());
    // The review is back in B's inbox, unclaimed; the consulate keeps its own claim.
    expect(after.find((t) => t.id === review.id)).toMatchObject({ status: 'open', claimedBy: null });
    expect((await tasksOf(h, consul, id)).find((t) => t.id === verify.id)).toMatchObject({ status: 'claimed', claimedBy: 'consul-chen' });
    expect(await countRows(h, 'select count(*) as n from cases where id = $1 and office = $2', [id, officeB])).toBe(1);
    expect(await countRows(h, 'select count(*) as n from tasks where case_id = $1 and office <> $2', [id, officeB])).toBe(0);
    expect(await countRows(h, 'select count(*) as n from approvals where case_id = $1 and office <> $2', [id, officeB])).toBe(0);
    expect((await h.http.get('/v1/cases').query({ office: officeB, limit: 200 }).set(bearer(supB))).body.items.map((c: { id: string }) => c.id)).toContain(id);
    await drive.waitFor('the office search attribute', async () => (await searchAttributeOffice(id)) === officeB, 10_000);

    // B works the case now: its supervisor decides the review, its caseworker acts.
    const done = await h.http.post(`/v1/tasks/${review.id}/complete`).set(bearer(supB)).send({ result: { decision: 'proceed' } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await actOk(h, cwB, id, { type: 'add_note', text: 'welcome to office B' });

    // The timeline records the request, the decision and the move, for office B to read.
    const types = (await timelineRows(h, id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['transfer_office', 'transfer_requested', 'transfer_approved', 'office_changed']));
    const moved = (await timelineRows(h, id)).find((e) => e.type === 'office_changed')!;
    expect(moved.data).toMatchObject({ from: h.office, to: officeB, assigneeCleared: true });
  });

  it('when the receiving office rejects, then nothing moves: office A keeps the case, office B still cannot read it', async () => {
    const opened = await openCase(h, cwA, openBody(consulateId));
    await transfer(cwA, opened.id);
    const approval = (await pendingTransfer(supB, opened.id))!;
    const rejected = await decide(supB, approval.id, 'rejected');
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const view = await h.http.get(`/v1/cases/${opened.id}`).set(bearer(cwA));
    expect(view.body).toMatchObject({ office: h.office, pendingApprovals: [] });
    expect(view.body.allowedActions).toContain('transfer_office');
    expectError(await h.http.get(`/v1/cases/${opened.id}`).set(bearer(cwB)), 404, 'not_found');
    expect(await countRows(h, 'select count(*) as n from cases where id = $1 and office = $2', [opened.id, h.office])).toBe(1);
    expect((await timelineRows(h, opened.id)).map((e) => e.type)).toContain('transfer_rejected');
  });

  it("when the sending office's supervisor decides the transfer, then 403 receiving_office and nothing is recorded", async () => {
    const opened = await openCase(h, cwA, openBody(consulateId));
    await transfer(cwA, opened.id);
    const approval = (await pendingTransfer(supA, opened.id))!;
    const events = await countEvents(h, opened.id);
    for (const decision of ['approved', 'rejected'] as const) {
      const err = expectError(await decide(supA, approval.id, decision), 403, 'forbidden');
      expect(err.details).toEqual({ reason: 'receiving_office' });
      expect(err.message).toContain(officeB);
    }
    // A supervisor of a third office does not even see it.
    const supC = await h.token('supervisor', { office: `office-c-${randomUUID().slice(0, 6)}` });
    expectError(await decide(supC, approval.id, 'approved'), 404, 'not_found');
    expect(await countEvents(h, opened.id)).toBe(events);
    expect((await pendingTransfer(supB, opened.id))?.id).toBe(approval.id);
  });

  it('when the requester decides the transfer themselves, then 403 four_eyes, even as a supervisor of every office; another supervisor of B may', async () => {
    const opened = await openCase(h, cwA, openBody(consulateId));
    const asked = await act(h, supAll, opened.id, { type: 'transfer_office', office: officeB, reason: 'moved' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const approval = (await pendingTransfer(supB, opened.id))!;
    expect(expectError(await decide(supAll, approval.id, 'approved'), 403, 'forbidden').details).toEqual({ reason: 'four_eyes' });
    expect((await decide(supB2, approval.id, 'approved')).status).toBe(200);
    expect((await h.http.get(`/v1/cases/${opened.id}`).set(bearer(cwB))).body.office).toBe(officeB);
  });

  it('when the transfer names the office the case is in, then 400 names office; while one is pending, another is 409 invalid_transition, and an approved closure cancels it', async () => {
    const opened = await openCase(h, cwA, openBody(consulateId));
    const same = expectValidation(await transfer(cwA, opened.id, h.office), ['office']);
    expect(same[0]!.message).toMatch(/already in office/);
    expect((await transfer(cwA, opened.id)).status).toBe(200);
    const again = expectError(await transfer(cwA, opened.id, `office-c-${randomUUID().slice(0, 6)}`), 409, 'invalid_transition');
    expect(again.details).toMatchObject({ stage: 'locating' });
    expect((again.details as { allowed: string[] }).allowed).not.toContain('transfer_office');
    // A closure may still be asked for: an approved closure cancels the transfer.
    expect((again.details as { allowed: string[] }).allowed).toContain('request_closure');
    const closing = await actOk(h, cwA, opened.id, { type: 'request_closure', reason: 'deceased' });
    const closure = (closing.pendingApprovals as Array<{ id: string; kind: string }>).find((a) => a.kind === 'closure')!;
    expect((await h.http.post(`/v1/approvals/${closure.id}/decision`).set(bearer(supA)).send({ decision: 'approved' })).status).toBe(200);
    const closed = (await h.http.get(`/v1/cases/${opened.id}`).set(bearer(cwA))).body;
    expect(closed).toMatchObject({ status: 'closed', office: h.office, pendingApprovals: [] });
    expect(await pendingTransfer(supB, opened.id)).toBeUndefined();
    expect((await timelineRows(h, opened.id)).map((e) => e.type)).toContain('transfer_cancelled');
  });

  it('when the body is bad, then 400 names each field, and nothing is recorded', async () => {
    const opened = await openCase(h, cwA, openBody(consulateId));
    const events = await countEvents(h, opened.id);
    expectValidation(await act(h, cwA, opened.id, { type: 'transfer_office' }), ['office', 'reason']);
    expectValidation(await act(h, cwA, opened.id, { type: 'transfer_office', office: '*', reason: '' }), ['office', 'reason']);
    expectValidation(await act(h, cwA, opened.id, { type: 'transfer_office', office: officeB, reason: 'x', to: officeB }), ['to']);
    expect(await countEvents(h, opened.id)).toBe(events);
  });

  it('when an agency officer asks for a transfer, then 403; a caseworker of another office, 404', async () => {
    const opened = await openCase(h, cwA, openBody(consulateId));
    expectError(await transfer(consul, opened.id), 403, 'forbidden');
    expectError(await transfer(cwB, opened.id), 404, 'not_found');
    expect((await h.http.get(`/v1/cases/${opened.id}`).set(bearer(cwA))).body.pendingApprovals).toEqual([]);
  });

  it('when the case is closed, then transfer_office is 409 invalid_transition with nothing allowed; closing as transferred stays the way out of Homeward', async () => {
    const opened = await openCase(h, cwA, openBody(consulateId));
    await actOk(h, cwA, opened.id, { type: 'request_closure', reason: 'transferred', comment: 'to an NGO abroad' });
    await drive.approveClosure(h.http, { caseworker: cwA, supervisor: supA, consul, immigration: consul }, opened.id);
    const err = expectError(await transfer(cwA, opened.id), 409, 'invalid_transition');
    expect(err.details).toEqual({ stage: 'closed', allowed: [] });
    expect((await h.http.get(`/v1/cases/${opened.id}`).set(bearer(cwA))).body.closure).toMatchObject({ reason: 'transferred' });
  });
});

describe('the OpenAPI document', () => {
  /** The object schema of one action type inside the actions body (a union, possibly by reference). */
  function actionSchema(doc: { components?: { schemas?: Record<string, unknown> } }, body: unknown, type: string): Record<string, unknown> | undefined {
    const seen: unknown[] = [];
    const walk = (node: unknown): Record<string, unknown> | undefined => {
      if (!node || typeof node !== 'object' || seen.includes(node)) return undefined;
      seen.push(node);
      const n = node as Record<string, unknown> & { $ref?: string; properties?: { type?: { const?: string; enum?: string[] } } };
      if (n.$ref) return walk(doc.components?.schemas?.[n.$ref.split('/').pop()!]);
      const t = n.properties?.type;
      if (t && (t.const === type || (t.enum?.length === 1 && t.enum[0] === type))) return n;
      for (const v of Object.values(n)) {
        const found = walk(v);
        if (found) return found;
      }
      return undefined;
    };
    return walk(body);
  }

  it('when /openapi.json is fetched, then it documents transfer_office, refer_to_police, the police-referral consent and the reopen endpoint', async () => {
    const doc = (await h.http.get('/openapi.json')).body;
    const actions = doc.paths['/v1/cases/{id}/actions'].post.requestBody.content['application/json'].schema;
    const transferSchema = actionSchema(doc, actions, 'transfer_office') as { properties: Record<string, { pattern?: string }>; required: string[] };
    expect(transferSchema.required).toEqual(expect.arrayContaining(['type', 'office', 'reason']));
    expect(transferSchema.properties.office!.pattern).toBeDefined();
    const police = actionSchema(doc, actions, 'refer_to_police') as { properties: Record<string, { type?: string }>; required: string[] };
    expect(police.required).toEqual(expect.arrayContaining(['type', 'agency', 'reference']));
    expect(police.properties.nonPunishment!.type).toBe('boolean');
    const consent = actionSchema(doc, actions, 'record_consent') as { properties: Record<string, { enum?: string[] }> };
    expect(consent.properties.policeReferral!.enum).toEqual(['granted', 'refused']);
    const reopen = doc.paths['/v1/cases/{id}/reopen'].post;
    expect(reopen.requestBody.content['application/json'].schema).toMatchObject({ required: ['reason'], additionalProperties: false });
    expect(Object.keys(reopen.responses)).toEqual(expect.arrayContaining(['201', '403', '404']));
    expect(reopen.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['id', 'Idempotency-Key']));
  });
});
