// POST /v1/cases/:id/reopen over HTTP, on the real app, PostgreSQL and Temporal: a person trafficked
// again gets a new case linked to the closed one (same person, same office, its own workflow from
// locating), both timelines record the link, and a closed case is reopened once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { initialState } from '../../domain/case.js';
import { policyFor } from '../../domain/policy.js';
import { allocateReferences } from '../../db/case-rows.js';
import { startCaseWorkflow } from '../../temporal/case-start.js';
import { successorId } from '../../api/services/reopen.js';
import {
  actOk,
  bearer,
  countCasesOfOffice,
  countRows,
  expectError,
  expectValidation,
  openBody,
  openCase,
  settled,
  timelineRows,
  uniqueDocNumber,
} from './support.js';

let h: Harness;
let consulateId: string;
let cw: string;
let sup: string;
let sup2: string;
let people: drive.People;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  cw = await h.token('caseworker', { office: h.office, sub: 'cw-ana' });
  sup = await h.token('supervisor', { office: h.office, sub: 'sup-ben' });
  sup2 = await h.token('supervisor', { office: h.office, sub: 'sup-cruz' });
  people = { caseworker: cw, supervisor: sup, consul: cw, immigration: cw };
});
afterAll(async () => {
  await h?.stop();
});

const reopen = (token: string, id: string, body: Record<string, unknown> = { reason: 'found again in another compound' }, headers: Record<string, string> = {}) =>
  h.http.post(`/v1/cases/${id}/reopen`).set(bearer(token)).set(headers).send(body);

/** A case opened, then closed by a supervisor's approval; its person has a passport of their own. */
async function closedCase(opts: { riskFlags?: string[] } = {}) {
  const passport = uniqueDocNumber('RP');
  const opened = await openCase(h, cw, openBody(consulateId, { riskFlags: opts.riskFlags ?? [] }, { documents: [{ type: 'passport', number: passport, issuingCountry: 'PH' }] }));
  await actOk(h, cw, opened.id, { type: 'record_consent', consularNotification: 'granted', dataSharing: 'granted' });
  await actOk(h, cw, opened.id, { type: 'request_closure', reason: 'reintegrated' });
  await drive.approveClosure(h.http, people, opened.id);
  return { ...opened, passport };
}

const countSuccessors = (id: string) => countRows(h, 'select count(*) as n from cases where previous_case_id = $1', [id]);

describe('POST /v1/cases/:id/reopen', () => {
  it('when a supervisor reopens a closed case, then a new case for the same person starts in locating, linked both ways, and holds the person’s documents', async () => {
    const closed = await closedCase({ riskFlags: ['abused'] });
    const closedView = (await h.http.get(`/v1/cases/${closed.id}`).set(bearer(sup))).body;

    const res = await reopen(sup, closed.id);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const fresh = res.body;
    expect(fresh.id).not.toBe(closed.id);
    expect(fresh.reference).not.toBe(closed.reference);
    expect(fresh).toMatchObject({
      status: 'open',
      stage: 'locating',
      office: h.office,
      consulateId,
      previousCaseId: closed.id,
      reopenedAs: null,
      person: closedView.person,
      riskFlags: ['abused'],
      // A new episode: consent and screening are asked again.
      consent: { consularNotification: 'unknown', dataSharing: 'unknown', policeReferral: 'unknown' },
      screening: 'undetermined',
    });
    await settled(h, fresh.id);

    // The closed case names its successor, in its view and on its timeline.
    const after = await h.http.get(`/v1/cases/${closed.id}`).set(bearer(cw));
    expect(after.body).toMatchObject({ status: 'closed', reopenedAs: fresh.id });
    const closedTimeline = await h.http.get(`/v1/cases/${closed.id}/timeline`).set(bearer(cw));
    expect(closedTimeline.body.items.at(-1)).toMatchObject({
      type: 'case_reopened',
      actor: { sub: 'sup-ben', role: 'supervisor' },
      stage: 'closed',
      data: { newCaseId: fresh.id, newReference: fresh.reference, reason: 'found again in another compound' },
    });
    // The new case's timeline names the closed one.
    const freshTimeline = (await timelineRows(h, fresh.id)).map((e) => ({ type: e.type, data: e.data }));
    expect(freshTimeline.slice(0, 2)).toMatchObject([
      { type: 'case_opened', data: { previousCaseId: closed.id } },
      { type: 'reopened_from', data: { previousCaseId: closed.id, previousReference: closed.reference, reason: 'found again in another compound' } },
    ]);

    // Its own workflow runs it: the lifecycle starts again from locating.
    const confirmed = await actOk(h, cw, fresh.id, { type: 'confirm_location', location: { country: 'KH', site: 'Sihanoukville' } });
    expect(confirmed.stage).toBe('extraction');

    // Only open cases block a document: the passport now points at the new case.
    const dup = await h.http.post('/v1/cases').set(bearer(cw)).send(openBody(consulateId, {}, { documents: [{ type: 'passport', number: closed.passport, issuingCountry: 'PH' }] }));
    expect(expectError(dup, 409, 'duplicate_person').details).toEqual({ caseId: fresh.id });
    // And a search by the number finds both cases of the person.
    const found = await h.http.get('/v1/cases').query({ q: closed.passport }).set(bearer(cw));
    expect(found.body.items.map((c: { id: string }) => c.id).sort()).toEqual([closed.id, fresh.id].sort());
  });

  it('when the same reopen is retried with its Idempotency-Key, then the first answer comes back and no second case is opened; another body under the key is 422', async () => {
    const closed = await closedCase();
    const key = `reopen-${randomUUID()}`;
    const first = await reopen(sup, closed.id, { reason: 'again' }, { 'Idempotency-Key': key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await reopen(sup, closed.id, { reason: 'again' }, { 'Idempotency-Key': key });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await countSuccessors(closed.id)).toBe(1);
    expectError(await reopen(sup, closed.id, { reason: 'something else' }, { 'Idempotency-Key': key }), 422, 'idempotency_key_reused');
  });

  it('when a closed case was reopened already, then reopening it again is 409 naming the successor; once that one is closed, it is the one to reopen', async () => {
    const closed = await closedCase();
    const first = await reopen(sup, closed.id);
    expect(first.status).toBe(201);
    await settled(h, first.body.id);

    const second = expectError(await reopen(sup2, closed.id, { reason: 'another try' }), 409, 'conflict');
    expect(second.details).toEqual({ reopenedAs: first.body.id, reference: first.body.reference, status: 'open' });
    expect(await countSuccessors(closed.id)).toBe(1);

    // The second episode ends; the person comes back a third time.
    await actOk(h, cw, first.body.id, { type: 'request_closure', reason: 'lost_contact' });
    await drive.approveClosure(h.http, people, first.body.id);
    const stale = expectError(await reopen(sup2, closed.id), 409, 'conflict');
    expect(stale.message).toContain(`reopen it (${first.body.reference}) instead`);
    const third = await reopen(sup2, first.body.id, { reason: 'third time' });
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    expect(third.body).toMatchObject({ previousCaseId: first.body.id, stage: 'locating' });
  });

  it('when two supervisors reopen the same closed case at once, then exactly one new case is opened and the other gets 409', async () => {
    const closed = await closedCase();
    const [a, b] = await Promise.all([reopen(sup, closed.id), reopen(sup2, closed.id)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(await countSuccessors(closed.id)).toBe(1);
    // The same request twice at once under one key: one case, one answer.
    const other = await closedCase();
    const key = `race-${randomUUID()}`;
    const [c, d] = await Promise.all([reopen(sup, other.id, { reason: 'r' }, { 'Idempotency-Key': key }), reopen(sup, other.id, { reason: 'r' }, { 'Idempotency-Key': key })]);
    expect([c.status, d.status]).toEqual([201, 201]);
    expect(c.body.id).toBe(d.body.id);
    expect(await countSuccessors(other.id)).toBe(1);
  });

  it('when an earlier attempt started the new case but its commit was lost, then a retry links that very case instead of opening another', async () => {
    const closed = await closedCase();
    const closedView = (await h.http.get(`/v1/cases/${closed.id}`).set(bearer(sup))).body;
    // What the lost attempt left: the successor's workflow, started, and nothing else (no link, no answer).
    const input = {
      caseId: successorId(closed.id),
      reference: (await allocateReferences(h.db, '2026', 1))[0]!,
      office: h.office,
      consulateId,
      immigrationAgencyId: h.config.immigrationAgencyId,
      person: closedView.person,
      source: closedView.source,
      riskFlags: [],
      openedBy: { sub: 'sup-ben', role: 'supervisor' as const },
      openedAt: new Date().toISOString(),
      policy: policyFor(1),
      previousCase: { caseId: closed.id, reference: closed.reference, reason: 'lost' },
    };
    await startCaseWorkflow(h.temporal, h.config.temporal.taskQueue, input, initialState(input), { tolerateExisting: false });
    await settled(h, input.caseId);

    const retried = await reopen(sup, closed.id, { reason: 'lost' }, { 'Idempotency-Key': `lost-${randomUUID()}` });
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.body).toMatchObject({ id: input.caseId, previousCaseId: closed.id });
    expect((await h.http.get(`/v1/cases/${closed.id}`).set(bearer(sup))).body.reopenedAs).toBe(input.caseId);
    expect((await timelineRows(h, closed.id)).filter((e) => e.type === 'case_reopened')).toHaveLength(1);
    expect(await countSuccessors(closed.id)).toBe(1);
    // Linked now: a further request is a second reopen.
    expectError(await reopen(sup2, closed.id), 409, 'conflict');
  });

  it('when the case is open, then reopening it is 409 invalid_transition with its stage and allowed actions', async () => {
    const opened = await openCase(h, cw, openBody(consulateId));
    const err = expectError(await reopen(sup, opened.id), 409, 'invalid_transition');
    expect(err.details).toMatchObject({ stage: 'locating' });
    expect((err.details as { allowed: string[] }).allowed).toContain('add_note');
    expect(await countSuccessors(opened.id)).toBe(0);
  });

  it('when a caseworker, an agency officer or an admin reopens, then 403; a supervisor of another office or an unknown case, 404', async () => {
    const closed = await closedCase();
    expectError(await reopen(cw, closed.id), 403, 'forbidden');
    expectError(await reopen(await h.token('agency_officer', { agency: consulateId }), closed.id), 403, 'forbidden');
    expectError(await reopen(await h.token('admin'), closed.id), 403, 'forbidden');
    const elsewhere = await h.token('supervisor', { office: `office-x-${randomUUID().slice(0, 6)}` });
    const outside = expectError(await reopen(elsewhere, closed.id), 404, 'not_found');
    const absent = expectError(await reopen(elsewhere, randomUUID()), 404, 'not_found');
    expect(outside.message).toBe(absent.message);
    expect(await countSuccessors(closed.id)).toBe(0);
  });

  it('when the body or the id is bad, then 400 names each field and nothing is opened', async () => {
    const closed = await closedCase();
    const before = await countCasesOfOffice(h, h.office);
    expectValidation(await reopen(sup, closed.id, {}), ['reason']);
    expectValidation(await reopen(sup, closed.id, { reason: '   ' }), ['reason']);
    expectValidation(await reopen(sup, closed.id, { reason: 'x', stage: 'extraction' }), ['stage']);
    expectValidation(await reopen(sup, 'not-a-uuid'), ['id']);
    expect(await countCasesOfOffice(h, h.office)).toBe(before);
  });

  it('when another open case already holds the person’s document, then 409 duplicate_person and nothing is opened', async () => {
    const closed = await closedCase();
    const other = await openCase(h, cw, openBody(consulateId, {}, { documents: [{ type: 'passport', number: closed.passport, issuingCountry: 'PH' }] }));
    const err = expectError(await reopen(sup, closed.id), 409, 'duplicate_person');
    expect(err.details).toEqual({ caseId: other.id });
    expect(await countSuccessors(closed.id)).toBe(0);
  });

  it("when the closed case's person was erased, then reopening is 409 conflict", async () => {
    const closed = await closedCase();
    const erased = await h.http.post(`/v1/cases/${closed.id}/erase`).set(bearer(await h.token('admin'))).send({ reason: 'request R-1' });
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect(expectError(await reopen(sup, closed.id), 409, 'conflict').details).toEqual({ anonymised: true });
  });
});
