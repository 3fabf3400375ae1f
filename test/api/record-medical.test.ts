// POST /v1/cases/:id/actions with record_medical (API.md "More actions"): a later medical check, in
// consular contact or return; unfit takes book_return out of what is allowed until a later fit
// record. And its refusals: another stage, another role, another office, a wrong body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { act, actOk, bearer, caseInConsularContact, expectError, expectValidation, openBody, openCase, tasksOf, timelineRows } from './support.js';

let h: Harness;
let consulateId: string;
let caseworker: string;
let consul: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
  consul = await h.token('agency_officer', { agency: consulateId });
});
afterAll(async () => {
  await h?.stop();
});

const BOOK = { type: 'book_return', departureAt: '2026-12-02T06:00:00Z', arrivalPort: 'MNL' };

async function completeAll(caseId: string, results: Record<string, Record<string, unknown>>) {
  for (const t of await tasksOf(h, consul, caseId, { status: 'open' })) {
    expect((await h.http.post(`/v1/tasks/${t.id}/claim`).set(bearer(consul))).status).toBe(200);
    // A travel document joins the person's documents, so each case gets a number of its own.
    const result = t.type === 'issue_travel_document' ? { ...results[t.type], number: `ETD-${t.id.slice(0, 8)}` } : results[t.type];
    const res = await h.http.post(`/v1/tasks/${t.id}/complete`).set(bearer(consul)).send({ result });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

const CONSULAR = {
  verify_nationality: { verified: true },
  issue_travel_document: { documentType: 'emergency_travel_document', number: 'ETD-1', validUntil: '2027-06-30' },
  arrange_medical_check: { fitToTravel: false, notes: 'fractured wrist, surgery first' },
};

describe('record_medical', () => {
  it('when the consulate finds the person unfit, then book_return is refused with why and what is allowed, until a caseworker records them fit', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId, {}, { injured: true });
    await completeAll(id, CONSULAR);
    const inReturn = await h.http.get(`/v1/cases/${id}`).set(bearer(caseworker));
    expect(inReturn.body).toMatchObject({ stage: 'return', medical: { fitToTravel: false, source: 'arrange_medical_check' } });
    expect(inReturn.body.allowedActions).not.toContain('book_return');

    const allowed = await h.http.get(`/v1/cases/${id}/actions`).set(bearer(caseworker));
    const refused = expectError(await act(h, caseworker, id, BOOK), 409, 'invalid_transition');
    expect(refused.details).toEqual(allowed.body);
    expect(refused.message).toMatch(/^book_return is not allowed now: the person is unfit to travel/);

    const fit = await actOk(h, caseworker, id, { type: 'record_medical', fitToTravel: true, notes: 'cleared by the shelter doctor' });
    expect(fit).toMatchObject({ medical: { fitToTravel: true, notes: 'cleared by the shelter doctor', source: 'record_medical' } });
    expect(fit.allowedActions).toContain('book_return');
    expect((await actOk(h, caseworker, id, BOOK)).returnTrip).toMatchObject({ arrivalPort: 'MNL' });
    const events = await timelineRows(h, id);
    expect(events.find((e) => e.type === 'record_medical')?.data).toEqual({ fitToTravel: true, notes: 'cleared by the shelter doctor' });
  });

  it('when recorded during consular contact, then it is accepted and a later unfit record blocks the booking again', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId);
    expect((await actOk(h, caseworker, id, { type: 'record_medical', fitToTravel: false })).medical).toMatchObject({ fitToTravel: false, notes: null });
    await completeAll(id, CONSULAR);
    const view = (await h.http.get(`/v1/cases/${id}`).set(bearer(caseworker))).body;
    expect(view.stage).toBe('return');
    expect(view.allowedActions).not.toContain('book_return');
  });

  it('when the case is in another stage, then it is refused as invalid_transition with the stage and the allowed actions, and nothing changes', async () => {
    const { id, version } = await openCase(h, caseworker, openBody(consulateId, { location: undefined }));
    const allowed = await h.http.get(`/v1/cases/${id}/actions`).set(bearer(caseworker));
    expect(allowed.body.stage).toBe('locating');
    const error = expectError(await act(h, caseworker, id, { type: 'record_medical', fitToTravel: true }), 409, 'invalid_transition');
    expect(error.details).toEqual(allowed.body);
    expect((error.details as { allowed: string[] }).allowed).not.toContain('record_medical');
    expect((await h.http.get(`/v1/cases/${id}`).set(bearer(caseworker))).body.version).toBe(version);
  });

  it('when an agency officer records it, then it is forbidden', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId);
    expectError(await act(h, consul, id, { type: 'record_medical', fitToTravel: true }), 403, 'forbidden');
  });

  it('when a caseworker of another office records it, then the case is not found', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId);
    const elsewhere = await h.token('caseworker', { office: `${h.office}-other` });
    expectError(await act(h, elsewhere, id, { type: 'record_medical', fitToTravel: true }), 404, 'not_found');
  });

  it('when the body is wrong, then it is refused as validation_failed naming each field', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId);
    expectValidation(await act(h, caseworker, id, { type: 'record_medical' }), ['fitToTravel']);
    expectValidation(await act(h, caseworker, id, { type: 'record_medical', fitToTravel: 'yes' }), ['fitToTravel']);
    expectValidation(await act(h, caseworker, id, { type: 'record_medical', fitToTravel: true, notes: '   ' }), ['notes']);
    expectValidation(await act(h, caseworker, id, { type: 'record_medical', fitToTravel: true, notes: 'x'.repeat(2_001) }), ['notes']);
    expectValidation(await act(h, caseworker, id, { type: 'record_medical', fitToTravel: true, doctor: 'Dr. Lim' }), ['doctor']);
  });

  it('when /openapi.json is fetched, then the actions body lists record_medical with its fields', async () => {
    const res = await h.http.get('/openapi.json');
    const doc = JSON.stringify(res.body.paths['/v1/cases/{id}/actions'].post.requestBody);
    expect(doc).toContain('"record_medical"');
    expect(doc).toContain('"fitToTravel"');
  });
});
