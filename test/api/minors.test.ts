// Children (issue #9), over HTTP on the real app, Temporal and PostgreSQL: a minor's return is booked
// only once a guardian is on record and a best-interests determination is in favour of it; a minor's
// consent is granted by the guardian; the minor flag can be added and removed (with a reason).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import {
  CONFIRM,
  EXTRACTED,
  act,
  actOk,
  bearer,
  caseRowOf,
  countEvents,
  expectError,
  expectValidation,
  openBody,
  openCase,
  tasksOf,
  timelineRows,
  uniqueDocNumber,
} from './support.js';

let h: Harness;
let consulateId: string;
let caseworker: string;
let supervisor: string;
let consul: string;
let otherCaseworker: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
  supervisor = await h.token('supervisor', { office: h.office, sub: `sup-${randomUUID().slice(0, 6)}` });
  consul = await h.token('agency_officer', { agency: consulateId });
  otherCaseworker = await h.token('caseworker', { office: `office-${randomUUID().slice(0, 8)}` });
});
afterAll(async () => {
  await h?.stop();
});

const guardian = { fullName: 'Tran Thi Mai', relationship: 'parent', phone: '+84 90 000 0000' };
const booking = { type: 'book_return', departureAt: '2026-11-02T06:00:00Z', arrivalPort: 'SGN', manifestId: 'M-3' };
const inFavour = { type: 'record_best_interests', determination: 'return_in_best_interests', decidedBy: 'MOLISA child protection officer', notes: 'mother found, home visit done' };
const RESULTS: Record<string, () => Record<string, unknown>> = {
  verify_nationality: () => ({ verified: true }),
  issue_travel_document: () => ({ documentType: 'emergency_travel_document', number: uniqueDocNumber('ETD'), validUntil: '2027-01-31' }),
  arrange_shelter: () => ({ shelterName: 'Mae Sot children\'s shelter', from: '2026-10-21' }),
  arrange_medical_check: () => ({ fitToTravel: true }),
};

/** Opens a case and takes it through consular contact (the consulate does its work) to the return stage. */
async function caseInReturn(riskFlags: string[], person: Record<string, unknown> = {}) {
  const { id } = await openCase(h, caseworker, openBody(consulateId, { riskFlags }, { nationality: 'VN', documents: [], ...person }));
  await actOk(h, caseworker, id, CONFIRM);
  await actOk(h, caseworker, id, EXTRACTED);
  for (const t of await tasksOf(h, consul, id)) {
    const res = await h.http.post(`/v1/tasks/${t.id}/complete`).set(bearer(consul)).send({ result: RESULTS[t.type]!() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const view = await h.http.get(`/v1/cases/${id}`).set(bearer(caseworker));
  expect(view.body.stage).toBe('return');
  return id;
}

async function allowed(id: string) {
  const res = await h.http.get(`/v1/cases/${id}/actions`).set(bearer(caseworker));
  expect(res.status).toBe(200);
  return res.body as { stage: string; allowed: string[] };
}

describe('a minor\'s return', () => {
  it('when a minor reaches the return stage, then book_return is refused with 409 until a guardian and a determination in favour exist, and allowedActions says so all along', async () => {
    const id = await caseInReturn(['minor']);
    const events = await countEvents(h, id);
    expect((await allowed(id)).allowed).not.toContain('book_return');
    const refused = expectError(await act(h, caseworker, id, booking), 409, 'invalid_transition');
    expect(refused.message).toMatch(/minor.*guardian.*best-interests determination/);
    expect(refused.details).toEqual({ ...(await allowed(id)), missing: ['guardian', 'best_interests_determination'] });
    expect(await countEvents(h, id)).toBe(events);

    await actOk(h, caseworker, id, { type: 'update_person', guardian, reason: 'mother came to the shelter' });
    expect(expectError(await act(h, caseworker, id, booking), 409, 'invalid_transition').details).toMatchObject({ missing: ['best_interests_determination'] });

    const against = await actOk(h, caseworker, id, { ...inFavour, determination: 'return_not_in_best_interests', notes: 'the uncle who sold him lives there' });
    expect(against.bestInterests).toMatchObject({ determination: 'return_not_in_best_interests' });
    const stillRefused = expectError(await act(h, caseworker, id, booking), 409, 'invalid_transition');
    expect(stillRefused.message).toContain('found against it');

    const decided = await actOk(h, caseworker, id, inFavour);
    expect(decided.bestInterests).toMatchObject({ determination: 'return_in_best_interests', decidedBy: inFavour.decidedBy, notes: inFavour.notes, recordedBy: { role: 'caseworker' } });
    expect(decided.allowedActions).toContain('book_return');
    const booked = await actOk(h, caseworker, id, booking);
    expect(booked.returnTrip).toMatchObject({ arrivalPort: 'SGN', manifestId: 'M-3' });
  });

  it('when the minor flag is added in the return stage, then the booking waits for the safeguards; removing it needs a reason, is on the timeline, and lifts them', async () => {
    const id = await caseInReturn([]);
    expect((await allowed(id)).allowed).toContain('book_return');
    await actOk(h, caseworker, id, { type: 'add_risk_flag', flag: 'minor', reason: 'age assessment: about 15' });
    expect((await allowed(id)).allowed).not.toContain('book_return');
    expect((await allowed(id)).allowed).toContain('record_best_interests');
    expectError(await act(h, caseworker, id, booking), 409, 'invalid_transition');
    expectValidation(await act(h, caseworker, id, { type: 'remove_risk_flag', flag: 'minor' }), ['reason']);
    await actOk(h, caseworker, id, { type: 'remove_risk_flag', flag: 'minor', reason: 'birth certificate: 19 years old' });
    const entry = (await timelineRows(h, id)).filter((e) => e.type === 'remove_risk_flag').at(-1)!;
    expect(entry.data).toEqual({ flag: 'minor', reason: 'birth certificate: 19 years old' });
    await actOk(h, caseworker, id, booking);
  });

  it('when a minor is opened with the guardian and the determination comes later, then the return can be booked at once after it', async () => {
    const id = await caseInReturn(['minor'], { guardian });
    expect(expectError(await act(h, caseworker, id, booking), 409, 'invalid_transition').details).toMatchObject({ missing: ['best_interests_determination'] });
    await actOk(h, caseworker, id, inFavour);
    await actOk(h, caseworker, id, booking);
  });
});

describe('record_best_interests', () => {
  it('when the person is not a minor, then it is not offered and is refused with 409', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    expect((await allowed(id)).allowed).not.toContain('record_best_interests');
    expectError(await act(h, caseworker, id, inFavour), 409, 'invalid_transition');
  });

  it('when the body is malformed, then 400 names each field; an agency officer gets 403, another office 404, a closed case 409', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId, { riskFlags: ['minor'] }));
    const events = await countEvents(h, id);
    expectValidation(await act(h, caseworker, id, { type: 'record_best_interests', determination: 'maybe', notes: '' }), ['determination', 'decidedBy', 'notes']);
    expectError(await act(h, consul, id, inFavour), 403, 'forbidden');
    expectError(await act(h, otherCaseworker, id, inFavour), 404, 'not_found');
    expect(await countEvents(h, id)).toBe(events);

    const closing = await actOk(h, caseworker, id, { type: 'request_closure', reason: 'transferred' });
    const approval = (closing.pendingApprovals as Array<{ id: string }>)[0]!;
    expect((await h.http.post(`/v1/approvals/${approval.id}/decision`).set(bearer(supervisor)).send({ decision: 'approved' })).status).toBe(200);
    expect((await caseRowOf(h, id))!.status).toBe('closed');
    expect(expectError(await act(h, caseworker, id, inFavour), 409, 'invalid_transition').details).toEqual({ stage: 'closed', allowed: [] });
  });
});

describe('a minor\'s consent', () => {
  it('when consent is granted for a minor, then it must be the guardian\'s: without givenBy 400, before a guardian is on record 409, then 200 with givenBy on the timeline', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId, { riskFlags: ['minor'] }));
    const grant = { type: 'record_consent', consularNotification: 'granted', dataSharing: 'granted' };
    expectValidation(await act(h, caseworker, id, grant), ['givenBy']);
    expectValidation(await act(h, caseworker, id, { ...grant, givenBy: 'person' }), ['givenBy']);
    expectValidation(await act(h, caseworker, id, { ...grant, givenBy: 'aunt' }), ['givenBy']);
    expect(expectError(await act(h, caseworker, id, { ...grant, givenBy: 'guardian' }), 409, 'conflict').details).toEqual({ missing: ['guardian'] });

    await actOk(h, caseworker, id, { type: 'update_person', guardian, reason: 'mother' });
    const granted = await actOk(h, caseworker, id, { ...grant, givenBy: 'guardian' });
    expect(granted.consent).toEqual({ consularNotification: 'granted', dataSharing: 'granted', policeReferral: 'unknown' });
    expect((await timelineRows(h, id)).filter((e) => e.type === 'record_consent').at(-1)!.data).toMatchObject({ givenBy: 'guardian' });
  });

  it('when a minor withdraws consent themselves, then it is accepted', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId, { riskFlags: ['minor'] }));
    const res = await actOk(h, caseworker, id, { type: 'record_consent', dataSharing: 'withdrawn', givenBy: 'person' });
    expect(res.consent).toMatchObject({ dataSharing: 'withdrawn' });
  });
});
