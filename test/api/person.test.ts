// Correcting the person and finding who they may already be (issue #9), over HTTP on the real app,
// Temporal and PostgreSQL: update_person audited field by field, risk flags, the consulate's travel
// document joining the duplicate index, and possible duplicates by name, date of birth and
// nationality, each within the caller's scope (API.md "Scope never leaks").
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import {
  act,
  actOk,
  bearer,
  caseInConsularContact,
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
import { actionUpdates } from '../../workflows/definitions.js';

let h: Harness;
let consulateId: string;
let caseworker: string;
let supervisor: string;
let consul: string;
let otherOffice: string;
let otherCaseworker: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
  supervisor = await h.token('supervisor', { office: h.office, sub: `sup-${randomUUID().slice(0, 6)}` });
  consul = await h.token('agency_officer', { agency: consulateId });
  otherOffice = `office-${randomUUID().slice(0, 8)}`;
  otherCaseworker = await h.token('caseworker', { office: otherOffice });
});
afterAll(async () => {
  await h?.stop();
});

const passport = (country = 'PH') => ({ type: 'passport', number: uniqueDocNumber('PP'), issuingCountry: country });
// Letters only: a word of its own keeps each test's names apart from every other test's (one database per run).
const word = () => Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const hanWord = () => Array.from({ length: 3 }, () => String.fromCodePoint(0x4e00 + Math.floor(Math.random() * 20_000))).join('');

async function caseView(token: string, id: string) {
  const res = await h.http.get(`/v1/cases/${id}`).set(bearer(token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Record<string, unknown> & { person: Record<string, unknown>; possibleDuplicates: Array<Record<string, unknown>>; version: number };
}

async function closedCase() {
  const { id } = await openCase(h, caseworker, openBody(consulateId));
  const closing = await actOk(h, caseworker, id, { type: 'request_closure', reason: 'duplicate' });
  const approval = (closing.pendingApprovals as Array<{ id: string }>)[0]!;
  const decided = await h.http.post(`/v1/approvals/${approval.id}/decision`).set(bearer(supervisor)).send({ decision: 'approved' });
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  expect((await caseRowOf(h, id))!.status).toBe('closed');
  return id;
}

/** The refusals every new action shares: wrong role, another office, a closed case; none leaves a trace. */
async function expectRefusedEverywhereElse(body: Record<string, unknown>) {
  const { id } = await openCase(h, caseworker, openBody(consulateId));
  const events = await countEvents(h, id);
  expectError(await act(h, consul, id, body), 403, 'forbidden');
  expectError(await act(h, otherCaseworker, id, body), 404, 'not_found');
  expect(await countEvents(h, id)).toBe(events);
  const closed = await closedCase();
  const closedEvents = await countEvents(h, closed);
  expect(expectError(await act(h, caseworker, closed, body), 409, 'invalid_transition').details).toEqual({ stage: 'closed', allowed: [] });
  expect(await countEvents(h, closed)).toBe(closedEvents);
}

describe('update_person', () => {
  it('when a caseworker corrects the name, date of birth and nationalities and adds a native name and a guardian, then the case shows them and the timeline records each field from and to, sealed at rest', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: 'Maria Santso', dateOfBirth: '1996-04-21' }));
    const guardian = { fullName: 'Rosa Santos', relationship: 'parent', phone: '+63 917 000 0000' };
    const res = await actOk(h, caseworker, id, {
      type: 'update_person',
      fullName: 'Maria Santos',
      dateOfBirth: '1996-04-12',
      nativeName: 'Maria Santos',
      nationalities: ['ES'],
      guardian,
      reason: 'as in the passport the family brought',
    });
    expect(res.person).toMatchObject({ fullName: 'Maria Santos', dateOfBirth: '1996-04-12', nativeName: 'Maria Santos', nationality: 'PH', nationalities: ['ES'], guardian });
    expect((await caseView(caseworker, id)).person).toEqual(res.person);

    const timeline = await h.http.get(`/v1/cases/${id}/timeline`).set(bearer(caseworker));
    const entry = (timeline.body.items as Array<{ type: string; data: Record<string, unknown>; actor: { role: string } }>).find((e) => e.type === 'update_person')!;
    expect(entry.actor.role).toBe('caseworker');
    expect(entry.data).toEqual({
      reason: 'as in the passport the family brought',
      changes: [
        { field: 'fullName', from: 'Maria Santso', to: 'Maria Santos' },
        { field: 'nativeName', from: null, to: 'Maria Santos' },
        { field: 'dateOfBirth', from: '1996-04-21', to: '1996-04-12' },
        { field: 'nationalities', from: [], to: ['ES'] },
        { field: 'guardian', from: null, to: guardian },
      ],
    });
    // The supervisor of the office reads it too; an agency never reads a timeline.
    expect((await h.http.get(`/v1/cases/${id}/timeline`).set(bearer(supervisor))).status).toBe(200);
    expectError(await h.http.get(`/v1/cases/${id}/timeline`).set(bearer(consul)), 403, 'forbidden');
    expectError(await h.http.get(`/v1/cases/${id}/timeline`).set(bearer(otherCaseworker)), 404, 'not_found');
    // At rest the entry is sealed: neither name is in the row.
    const raw = await h.db.$client.query<{ data: string }>(`select data::text as data from case_events where case_id = $1 and type = 'update_person'`, [id]);
    expect(raw.rows[0]!.data).toMatch(/^"hwenc:v1:/);
    for (const secret of ['Santso', 'Rosa Santos', '917 000']) expect(raw.rows[0]!.data).not.toContain(secret);
    expect((await timelineRows(h, id)).find((e) => e.type === 'update_person')!.data).toEqual(entry.data);
  });

  it('when a field is cleared with null or a list replaced, then the case shows it; fields not given stay', async () => {
    const doc = passport();
    const { id } = await openCase(h, caseworker, openBody(consulateId, {}, { phone: '+63 900 111 2222', documents: [doc], languages: ['tl'] }));
    const res = await actOk(h, caseworker, id, { type: 'update_person', phone: null, languages: ['en', 'ceb'], reason: 'the number was the recruiter\'s' });
    expect(res.person).not.toHaveProperty('phone');
    expect(res.person).toMatchObject({ languages: ['en', 'ceb'], documents: [doc] });
  });

  it('when the body is malformed, then 400 names each field and nothing is recorded', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const events = await countEvents(h, id);
    expectValidation(await act(h, caseworker, id, { type: 'update_person', reason: 'nothing to change' }), ['(root)']);
    expectValidation(await act(h, caseworker, id, { type: 'update_person', fullName: 'x' }), ['reason']);
    expectValidation(
      await act(h, caseworker, id, {
        type: 'update_person',
        nationality: 'Vietnam',
        documents: [{ type: 'visa', number: '1', issuingCountry: 'PH' }],
        guardian: { fullName: 'A', relationship: 'uncle' },
        dateOfBirth: '31/12/2001',
        office: 'elsewhere',
        reason: 'r',
      }),
      ['nationality', 'documents[0].type', 'guardian.relationship', 'dateOfBirth', 'office'],
    );
    expectValidation(await act(h, caseworker, id, { type: 'update_person', nationalities: ['VN', 'VN'], reason: 'r' }), ['nationalities[1]']);
    const same = passport();
    expectValidation(await act(h, caseworker, id, { type: 'update_person', documents: [same, { ...same, number: same.number.toLowerCase() }], reason: 'r' }), ['documents[1].number']);
    expectValidation(await act(h, caseworker, id, { type: 'update_person', nationalities: ['PH'], reason: 'r' }), ['nationalities[0]']);
    expect(await countEvents(h, id)).toBe(events);
  });

  it('when an agency officer, another office or anyone on a closed case corrects the person, then 403, 404 and 409', async () => {
    await expectRefusedEverywhereElse({ type: 'update_person', fullName: 'Someone Else', reason: 'r' });
  });

  it('when the document added is on another open case of the office, then 409 duplicate_person names it; of another office, only whom to contact; the case is unchanged', async () => {
    const held = passport();
    const holder = await openCase(h, caseworker, openBody(consulateId, {}, { documents: [held] }));
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const before = await caseView(caseworker, id);
    const events = await countEvents(h, id);
    const add = (doc: object) => act(h, caseworker, id, { type: 'update_person', documents: [...(before.person.documents as object[]), doc], reason: 'passport found' });
    expect(expectError(await add({ ...held, number: ` ${held.number.toLowerCase()} ` }), 409, 'duplicate_person').details).toEqual({ caseId: holder.id });

    const elsewhere = passport();
    const theirs = await openCase(h, otherCaseworker, openBody(consulateId, {}, { documents: [elsewhere] }));
    const error = expectError(await add(elsewhere), 409, 'duplicate_person');
    expect(error.details).toEqual({ inScope: false });
    expect(error.message).toContain(otherOffice);
    expect(JSON.stringify(error)).not.toContain(theirs.id);
    expect(JSON.stringify(error)).not.toContain(theirs.reference);

    expect(await countEvents(h, id)).toBe(events);
    expect((await caseView(caseworker, id)).person).toEqual(before.person);
  });

  it('when a correction with a document another open case holds reaches the case workflow past the API, then the read model refuses it, the case says duplicate_person without naming the other, and nothing changes', async () => {
    const held = passport();
    await openCase(h, otherCaseworker, openBody(consulateId, {}, { documents: [held] }));
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const before = await caseView(caseworker, id);
    const events = await countEvents(h, id);
    const err = await h.temporal.workflow
      .getHandle(`case-${id}`)
      .executeUpdate(actionUpdates.update_person, { args: [{ action: { documents: [held], reason: 'race' }, actor: { sub: 'cw-racer', role: 'caseworker' } }] })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('duplicate_person');
    expect(cause.details?.[0]).toBeNull();
    const after = await caseView(caseworker, id);
    expect(after.version).toBe(before.version);
    expect(after.person).toEqual(before.person);
    expect(await countEvents(h, id)).toBe(events);
    // The case still takes steps.
    await actOk(h, caseworker, id, { type: 'add_note', text: 'still here' });
  });

  it('when update_person adds a document, then a second case with it is refused; once it is removed again, a case with it can be opened', async () => {
    const found = passport();
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const view = await caseView(caseworker, id);
    await actOk(h, caseworker, id, { type: 'update_person', documents: [...(view.person.documents as object[]), found], reason: 'passport recovered from the compound' });
    const second = await h.http.post('/v1/cases').set(bearer(caseworker)).send(openBody(consulateId, {}, { documents: [found] }));
    expect(expectError(second, 409, 'duplicate_person').details).toEqual({ caseId: id });
    // Searching by the number finds the case too (the same index).
    const search = await h.http.get('/v1/cases').query({ q: found.number }).set(bearer(caseworker));
    expect(search.body.items.map((c: { id: string }) => c.id)).toEqual([id]);

    await actOk(h, caseworker, id, { type: 'update_person', documents: view.person.documents as object[], reason: 'that passport was another woman\'s' });
    const third = await h.http.post('/v1/cases').set(bearer(caseworker)).send(openBody(consulateId, {}, { documents: [found] }));
    expect(third.status, JSON.stringify(third.body)).toBe(201);
  });
});

describe('POST /v1/cases with the new person fields', () => {
  it('when a case is opened with a native name, further nationalities and a guardian, then they are kept; a further nationality equal to the primary is refused', async () => {
    const guardian = { fullName: 'Nguyen Thi Lan', relationship: 'legal_guardian', appointedBy: 'People\'s Court of Nghe An' };
    const opened = await openCase(h, caseworker, openBody(consulateId, { riskFlags: ['minor'] }, { fullName: 'Nguyen Van Binh', nativeName: '阮文平', nationality: 'VN', nationalities: ['KH'], guardian, documents: [] }));
    expect(opened.person).toMatchObject({ nativeName: '阮文平', nationalities: ['KH'], guardian });
    expect(opened.possibleDuplicates).toEqual(expect.any(Array));
    const post = (person: Record<string, unknown>) => h.http.post('/v1/cases').set(bearer(caseworker)).send(openBody(consulateId, {}, person));
    expectValidation(await post({ nationalities: ['PH'] }), ['person.nationalities[0]']);
    expectValidation(await post({ guardian: { fullName: 'X' } }), ['person.guardian.relationship']);
  });
});

describe('risk flags', () => {
  it('when a flag is added, then the case shows it and its priority rises as at intake; removing it needs a reason and keeps the priority', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    expect((await caseView(caseworker, id)).priority).toBe('normal');
    const added = await actOk(h, caseworker, id, { type: 'add_risk_flag', flag: 'pregnant', reason: 'told the nurse' });
    expect(added).toMatchObject({ riskFlags: ['pregnant'], priority: 'critical' });
    expect((await caseRowOf(h, id))!.priority).toBe('critical');
    expectValidation(await act(h, caseworker, id, { type: 'remove_risk_flag', flag: 'pregnant' }), ['reason']);
    expectValidation(await act(h, caseworker, id, { type: 'add_risk_flag', flag: 'tired', reason: 'r' }), ['flag']);
    expectError(await act(h, caseworker, id, { type: 'add_risk_flag', flag: 'pregnant', reason: 'again' }), 409, 'conflict');
    const removed = await actOk(h, caseworker, id, { type: 'remove_risk_flag', flag: 'pregnant', reason: 'test was negative' });
    expect(removed).toMatchObject({ riskFlags: [], priority: 'critical' });
    expectError(await act(h, caseworker, id, { type: 'remove_risk_flag', flag: 'pregnant', reason: 'again' }), 409, 'conflict');
    const types = (await timelineRows(h, id)).map((e) => e.type);
    expect(types.slice(-3)).toEqual(['add_risk_flag', 'priority_raised', 'remove_risk_flag']);
  });

  it('when an agency officer, another office or anyone on a closed case adds or removes a flag, then 403, 404 and 409', async () => {
    await expectRefusedEverywhereElse({ type: 'add_risk_flag', flag: 'injured', reason: 'r' });
    await expectRefusedEverywhereElse({ type: 'remove_risk_flag', flag: 'injured', reason: 'r' });
  });
});

describe('the consulate\'s travel document', () => {
  it('when the consulate issues it, then it is one of the person\'s documents and a second case with it is refused', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId);
    const task = (await tasksOf(h, consul, id)).find((t) => t.type === 'issue_travel_document')!;
    const number = uniqueDocNumber('ETD');
    const done = await h.http.post(`/v1/tasks/${task.id}/complete`).set(bearer(consul)).send({ result: { documentType: 'emergency_travel_document', number, validUntil: '2027-01-31' } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const view = await caseView(caseworker, id);
    expect(view.person.documents).toContainEqual({ type: 'emergency_travel_document', number, issuingCountry: 'PH', validUntil: '2027-01-31' });

    const second = await h.http.post('/v1/cases').set(bearer(caseworker)).send(openBody(consulateId, {}, { documents: [{ type: 'passport', number, issuingCountry: 'PH' }] }));
    expect(expectError(second, 409, 'duplicate_person').details).toEqual({ caseId: id });
    const elsewhere = await h.http.post('/v1/cases').set(bearer(otherCaseworker)).send(openBody(consulateId, {}, { documents: [{ type: 'other', number, issuingCountry: 'PH' }] }));
    expect(expectError(elsewhere, 409, 'duplicate_person').details).toEqual({ inScope: false });
  });

  it('when the consulate issues a number another open case holds, then the completion is refused as a duplicate person without naming the case, and the task stays open', async () => {
    const held = passport();
    const holder = await openCase(h, caseworker, openBody(consulateId, {}, { documents: [held] }));
    const id = await caseInConsularContact(h, caseworker, consulateId);
    const task = (await tasksOf(h, consul, id)).find((t) => t.type === 'issue_travel_document')!;
    const events = await countEvents(h, id);
    const res = await h.http.post(`/v1/tasks/${task.id}/complete`).set(bearer(consul)).send({ result: { documentType: 'passport', number: held.number, validUntil: '2031-01-31' } });
    const error = expectError(res, 409, 'duplicate_person');
    expect(error.details).toEqual({ inScope: false });
    expect(error.message).toContain(h.office);
    expect(JSON.stringify(error)).not.toContain(holder.id);
    expect((await tasksOf(h, consul, id)).find((t) => t.id === task.id)!.status).toBe('open');
    expect(await countEvents(h, id)).toBe(events);
  });
});

describe('possible duplicates', () => {
  it('when two cases name the same person in different forms with the same date of birth and nationality, then each lists the other, matched on all three, and nothing is merged', async () => {
    const family = word();
    const first = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `Nguyen Van ${family}`, dateOfBirth: '2002-03-04', nationality: 'VN', documents: [] }));
    expect(first.possibleDuplicates).toEqual([]);
    const second = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `NGUYỄN văn ${family.toUpperCase()}`, dateOfBirth: '2002-03-04', nationality: 'VN', documents: [] }));
    expect(second.possibleDuplicates).toEqual([{ inScope: true, caseId: first.id, reference: first.reference, status: 'open', matchedOn: ['name', 'dateOfBirth', 'nationality'] }]);
    expect((await caseView(caseworker, first.id)).possibleDuplicates).toEqual([
      { inScope: true, caseId: second.id, reference: second.reference, status: 'open', matchedOn: ['name', 'dateOfBirth', 'nationality'] },
    ]);
    // Both stay open and separate.
    expect((await caseRowOf(h, first.id))!.status).toBe('open');
    expect((await caseRowOf(h, second.id))!.status).toBe('open');
  });

  it('when a keyed intake is repeated, then the replayed answer lists the possible duplicates as they are now', async () => {
    const family = word();
    const body = openBody(consulateId, {}, { fullName: `Tran Thi ${family}`, dateOfBirth: '2004-04-04', nationality: 'VN', documents: [] });
    const key = `dup-${randomUUID()}`;
    const first = await h.http.post('/v1/cases').set(bearer(caseworker)).set('Idempotency-Key', key).send(body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.possibleDuplicates).toEqual([]);
    const later = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `TRẦN THỊ ${family}`, dateOfBirth: '2004-04-04', nationality: 'VN', documents: [] }));
    const replay = await h.http.post('/v1/cases').set(bearer(caseworker)).set('Idempotency-Key', key).send(body);
    expect(replay.status, JSON.stringify(replay.body)).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.possibleDuplicates).toEqual([expect.objectContaining({ caseId: later.id, matchedOn: ['name', 'dateOfBirth', 'nationality'] })]);
  });

  it('when a name matches without a date of birth on one side, then it is a match on name and nationality; with two different dates of birth, it is none', async () => {
    const family = word();
    const known = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `Siri ${family}`, dateOfBirth: '1999-09-09', nationality: 'TH', documents: [] }));
    const unknown = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `${family} Siri`, dateOfBirth: undefined, nationality: 'TH', documents: [] }));
    expect(unknown.possibleDuplicates).toEqual([expect.objectContaining({ caseId: known.id, matchedOn: ['name', 'nationality'] })]);
    const other = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `Siri ${family}`, dateOfBirth: '1980-01-01', nationality: 'TH', documents: [] }));
    expect(other.possibleDuplicates).toEqual([expect.objectContaining({ caseId: unknown.id, matchedOn: ['name', 'nationality'] })]);
  });

  it('when two cases share a native-script name written with and without spaces, then they are matched on it', async () => {
    const native = hanWord();
    const first = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `Person ${word()}`, nativeName: native, dateOfBirth: '2000-01-01', nationality: 'CN', documents: [] }));
    const second = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `Someone ${word()}`, nativeName: [...native].join(' '), dateOfBirth: '2000-01-01', nationality: 'CN', documents: [] }));
    expect(second.possibleDuplicates).toEqual([{ inScope: true, caseId: first.id, reference: first.reference, status: 'open', matchedOn: ['nativeName', 'dateOfBirth', 'nationality'] }]);
  });

  it('when the match is a case of another office, then the caller learns only whom to contact, never its id or reference, and that office sees this one the same way', async () => {
    const name = `Maria ${word()} Cruz`;
    const mine = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: name, dateOfBirth: '1995-05-05', documents: [] }));
    const theirs = await openCase(h, otherCaseworker, openBody(consulateId, {}, { fullName: name.toUpperCase(), dateOfBirth: '1995-05-05', documents: [] }));
    expect(theirs.possibleDuplicates).toEqual([{ inScope: false, contactOffice: h.office, matchedOn: ['name', 'dateOfBirth', 'nationality'] }]);
    const seen = await h.http.get(`/v1/cases/${mine.id}`).set(bearer(caseworker));
    expect(seen.body.possibleDuplicates).toEqual([{ inScope: false, contactOffice: otherOffice, matchedOn: ['name', 'dateOfBirth', 'nationality'] }]);
    expect(JSON.stringify(seen.body)).not.toContain(theirs.id);
    expect(JSON.stringify(seen.body)).not.toContain(theirs.reference);
    // A supervisor who sees every office sees both, by id.
    const everywhere = await h.token('supervisor', { office: '*' });
    expect((await caseView(everywhere, mine.id)).possibleDuplicates).toEqual([expect.objectContaining({ inScope: true, caseId: theirs.id })]);
  });

  it('when update_person changes the name to one another case has, then the answer lists that case; changing it back removes it', async () => {
    const name = `Ana ${word()} Reyes`;
    const existing = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: name, dateOfBirth: '1990-10-10', documents: [] }));
    const { id } = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: 'Ana Mislabelled', dateOfBirth: '1990-10-10', documents: [] }));
    const corrected = await actOk(h, caseworker, id, { type: 'update_person', fullName: ` ${name.toLowerCase()} `, reason: 'spelling' });
    expect(corrected.possibleDuplicates).toEqual([expect.objectContaining({ caseId: existing.id, matchedOn: ['name', 'dateOfBirth', 'nationality'] })]);
    expect((await caseView(caseworker, existing.id)).possibleDuplicates).toEqual([expect.objectContaining({ caseId: id })]);
    const back = await actOk(h, caseworker, id, { type: 'update_person', fullName: 'Ana Mislabelled', reason: 'she is someone else' });
    expect(back.possibleDuplicates).toEqual([]);
    expect((await caseView(caseworker, existing.id)).possibleDuplicates).toEqual([]);
  });

  it('when the match keys are stored, then they are keyed hashes: no name, date of birth or nationality in clear', async () => {
    const family = word();
    const { id } = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: `Lan ${family}`, nativeName: hanWord(), dateOfBirth: '1993-03-03', nationalities: ['LA'], documents: [] }));
    const rows = await h.db.$client.query<{ key_hash: string; kind: string; name_form: string; hash_key_id: string }>('select * from person_match_keys where case_id = $1', [id]);
    expect(rows.rows.length).toBeGreaterThan(0);
    const raw = JSON.stringify(rows.rows);
    for (const secret of [family, '1993', 'LA"', 'PH"']) expect(raw).not.toContain(secret);
    expect(rows.rows.every((r) => /^[A-Za-z0-9_-]{43}$/.test(r.key_hash) && r.hash_key_id === h.hasher.activeKeyId)).toBe(true);
  });
});

describe('possible duplicates in a raid', () => {
  it('when a raid brings people named like an existing case, then its progress lists them per person, never merged', async () => {
    const name = `Juan ${word()} Dela Cruz`;
    const existing = await openCase(h, caseworker, openBody(consulateId, {}, { fullName: name, dateOfBirth: '1988-08-08', documents: [] }));
    const res = await h.http
      .post('/v1/operations')
      .set(bearer(caseworker))
      .send({
        name: `Raid ${word()}`,
        country: 'MM',
        date: '2026-11-20',
        consulateId,
        persons: [{ person: personBody({ fullName: 'Someone Unrelated', documents: [] }) }, { person: personBody({ fullName: name.toUpperCase(), dateOfBirth: '1988-08-08', documents: [] }) }],
      });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    let op: Record<string, unknown> = {};
    for (const until = Date.now() + 60_000; op.status !== 'completed'; ) {
      if (Date.now() > until) throw new Error('the operation did not complete');
      await new Promise((r) => setTimeout(r, 200));
      op = (await h.http.get(`/v1/operations/${res.body.id}`).set(bearer(caseworker))).body;
    }
    expect(op).toMatchObject({ opened: 2, linkedExisting: 0 });
    const listed = op.possibleDuplicates as Array<{ index: number; caseId: string; possibleDuplicates: unknown[] }>;
    expect(listed).toEqual([
      { index: 1, caseId: expect.any(String), possibleDuplicates: [{ inScope: true, caseId: existing.id, reference: existing.reference, status: 'open', matchedOn: ['name', 'dateOfBirth', 'nationality'] }] },
    ]);
    const other = await h.http.get(`/v1/operations/${res.body.id}`).set(bearer(otherCaseworker));
    expectError(other, 404, 'not_found');
  });
});
