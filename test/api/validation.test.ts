// The validation edge of every endpoint, on the real app, PostgreSQL and Temporal: malformed input is
// a 400 validation_failed naming each bad field, never a 500, and nothing is written.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import {
  actOk,
  bearer,
  caseInConsularContact,
  caseRowOf,
  countCasesOfOffice,
  countEvents,
  countRows,
  expectError,
  expectValidation,
  openBody,
  openCase,
  tasksOf,
  uniqueDocNumber,
} from './support.js';

let h: Harness;
let consulateId: string;
let caseworker: string;
let supervisor: string;
let admin: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
  supervisor = await h.token('supervisor', { office: h.office });
  admin = await h.token('admin');
});
afterAll(async () => {
  await h?.stop();
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('POST /v1/cases', () => {
  // An office of its own: no valid case is ever opened in it, so any row there is a leak.
  const office = `val-${randomUUID().slice(0, 8)}`;
  let token: string;
  beforeAll(async () => {
    token = await h.token('caseworker', { office });
  });
  afterEach(async () => {
    expect(await countCasesOfOffice(h, office)).toBe(0);
  });
  const post = (body: unknown) => h.http.post('/v1/cases').set(bearer(token)).send(body as object);
  const valid = () => openBody(consulateId);

  it('when the person is missing, then 400 names person', async () => {
    const { person: _p, ...body } = valid();
    expectValidation(await post(body), ['person']);
  });

  it('when the consulate id is missing, then 400 names consulateId', async () => {
    const { consulateId: _c, ...body } = valid();
    expectValidation(await post(body), ['consulateId']);
  });

  it('when the person has no fullName or nationality, then 400 names both', async () => {
    const body = valid();
    const { fullName: _f, nationality: _n, ...person } = body.person as Record<string, unknown>;
    expectValidation(await post({ ...body, person }), ['person.fullName', 'person.nationality']);
  });

  it('when country codes are not ISO alpha-2, then 400 names each one with its full path', async () => {
    const body = valid();
    const res = await post({
      ...body,
      person: { ...body.person, nationality: 'ph', documents: [{ type: 'passport', number: uniqueDocNumber(), issuingCountry: 'PHL' }] },
      location: { country: 'Myanmar' },
    });
    const details = expectValidation(res, ['person.nationality', 'person.documents[0].issuingCountry', 'location.country']);
    expect(details.find((d) => d.path === 'person.nationality')!.message).toMatch(/alpha-2/);
  });

  it('when the second document is bad, then the path carries its index', async () => {
    const body = valid();
    const documents = [
      { type: 'passport', number: uniqueDocNumber(), issuingCountry: 'PH' },
      { type: 'drivers_licence', number: '', issuingCountry: 'PH' },
    ];
    expectValidation(await post({ ...body, person: { ...body.person, documents } }), ['person.documents[1].type', 'person.documents[1].number']);
  });

  it('when an unknown field is sent (top level or nested), then 400 names each unknown field', async () => {
    const body = valid();
    const res = await post({ ...body, nickname: 'x', person: { ...body.person, eyeColour: 'brown' }, location: { ...body.location, altitude: 3 } });
    expectValidation(res, ['nickname', 'person.eyeColour', 'location.altitude']);
  });

  it('when fields have the wrong types, then 400 names each of them', async () => {
    const body = valid();
    const res = await post({
      ...body,
      person: { ...body.person, fullName: 123, documents: { type: 'passport' }, languages: 'en' },
      location: { country: 'MM', latitude: 'north' },
      riskFlags: 'minor',
      source: { type: 'rumour' },
    });
    expectValidation(res, ['person.fullName', 'person.documents', 'person.languages', 'location.latitude', 'riskFlags', 'source.type']);
  });

  it('when values are out of range or oversized, then 400 names each of them', async () => {
    const body = valid();
    const res = await post({
      ...body,
      person: {
        ...body.person,
        fullName: 'x'.repeat(201),
        dateOfBirth: '1996-02-30',
        languages: ['en', '123'],
        documents: Array.from({ length: 11 }, () => ({ type: 'passport', number: uniqueDocNumber(), issuingCountry: 'PH' })),
      },
      location: { country: 'MM', latitude: 91, longitude: -181 },
      riskFlags: ['minor', 'cursed'],
    });
    expectValidation(res, [
      'person.fullName',
      'person.dateOfBirth',
      'person.languages[1]',
      'person.documents',
      'location.latitude',
      'location.longitude',
      'riskFlags[1]',
    ]);
  });

  it('when the consulate id is well-formed but unknown (or not a consulate), then 400 names consulateId', async () => {
    expectValidation(await post(openBody('no-such-consulate')), ['consulateId']);
    expectValidation(await post(openBody('immigration')), ['consulateId']);
  });

  it('when the JSON is malformed, then 400 validation_failed, not 500', async () => {
    const res = await h.http.post('/v1/cases').set(bearer(token)).set('Content-Type', 'application/json').send('{"person": {"fullName": "A",');
    const details = expectValidation(res, ['(root)']);
    expect(details[0]!.message).toMatch(/JSON/);
  });

  it('when the body is not a JSON object (array, string, number, null, text/plain, none), then 400', async () => {
    const json = (raw: string) => h.http.post('/v1/cases').set(bearer(token)).set('Content-Type', 'application/json').send(raw);
    expectValidation(await json('[]'), ['(root)']);
    expectValidation(await json('"a string"'), ['(root)']);
    expectValidation(await json('42'), ['(root)']);
    expectValidation(await json('null'), ['(root)']);
    expectValidation(await h.http.post('/v1/cases').set(bearer(token)).set('Content-Type', 'text/plain').send(JSON.stringify(valid())), ['(root)']);
    expectValidation(await h.http.post('/v1/cases').set(bearer(token)), ['(root)']);
  });

  it('when the body is over the 1mb limit, then 413 payload_too_large', async () => {
    const body = valid();
    const res = await post({ ...body, person: { ...body.person, fullName: 'x'.repeat(1_100_000) } });
    expectError(res, 413, 'payload_too_large');
  });

  it('when the Idempotency-Key header is malformed, then 400 names it and nothing is opened', async () => {
    const body = valid();
    for (const key of ['has space', 'x'.repeat(201), 'nön-ascii']) {
      const res = await h.http.post('/v1/cases').set(bearer(token)).set('Idempotency-Key', key).send(body);
      expectValidation(res, ['Idempotency-Key']);
    }
    expect(await countRows(h, 'select count(*) as n from idempotency_keys where key = $1', ['has space'])).toBe(0);
  });
});

describe('GET /v1/cases', () => {
  const list = (query: string) => h.http.get(`/v1/cases?${query}`).set(bearer(caseworker));

  it('when an unknown query parameter is given, then 400 names it', async () => {
    expectValidation(await list('colour=red'), ['colour']);
  });

  it('when limit is 0, 201 or not a number, then 400 names limit', async () => {
    expectValidation(await list('limit=0'), ['limit']);
    expectValidation(await list('limit=201'), ['limit']);
    expectValidation(await list('limit=ten'), ['limit']);
    expectValidation(await list('limit=1.5'), ['limit']);
    expectValidation(await list('limit=1&limit=2'), ['limit']);
    // The boundary itself is accepted.
    expect((await list('limit=200')).status).toBe(200);
  });

  it('when sort is unknown, then 400 names sort', async () => {
    expectValidation(await list('sort=name'), ['sort']);
    expectValidation(await list('sort=--createdAt'), ['sort']);
  });

  it('when filters have bad values, then 400 names each', async () => {
    expectValidation(await list('stage=limbo&status=pending&priority=urgent&onHold=yes&country=mm&createdAfter=yesterday'), [
      'stage',
      'status',
      'priority',
      'onHold',
      'country',
      'createdAfter',
    ]);
  });

  it('when the cursor is not one the API issued (garbage, wrong arity, forged values), then 400 names cursor, never 500', async () => {
    expectValidation(await list('cursor=!!!'), ['cursor']);
    expectValidation(await list(`cursor=${'a'.repeat(501)}`), ['cursor']);
    expectValidation(await list('cursor=abc'), ['cursor']);
    expectValidation(await list(`cursor=${b64url({ a: 1 })}`), ['cursor']);
    expectValidation(await list(`cursor=${b64url(['2026-01-01T00:00:00.000Z'])}`), ['cursor']);
    // Well-formed base64url JSON of the right arity, but values no cursor ever holds.
    expectValidation(await list(`cursor=${b64url(['not-a-date', 'not-a-uuid'])}`), ['cursor']);
    expectValidation(await list(`sort=priority&cursor=${b64url(['high', randomUUID()])}`), ['cursor']);
    expectValidation(await list(`cursor=${b64url(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])}`), ['cursor']);
  });

  it('when a cursor the API issued is passed back, then 200', async () => {
    await openCase(h, caseworker, openBody(consulateId));
    await openCase(h, caseworker, openBody(consulateId));
    const first = await list('limit=1');
    expect(first.status).toBe(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(`limit=1&cursor=${first.body.nextCursor}`);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });
});

describe('GET /v1/cases/:id and its sub-resources', () => {
  it('when the id is not a UUID, then 400 names id for the case, its actions and its timeline', async () => {
    expectValidation(await h.http.get('/v1/cases/123').set(bearer(caseworker)), ['id']);
    expectValidation(await h.http.get('/v1/cases/HW-2026-000001').set(bearer(caseworker)), ['id']);
    expectValidation(await h.http.get('/v1/cases/not-a-uuid/actions').set(bearer(caseworker)), ['id']);
    expectValidation(await h.http.get('/v1/cases/not-a-uuid/timeline').set(bearer(caseworker)), ['id']);
    expectValidation(await h.http.post('/v1/cases/not-a-uuid/actions').set(bearer(caseworker)).send({ type: 'add_note', text: 'x' }), ['id']);
  });

  it('when the timeline query is bad, then 400 names the parameter', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    expectValidation(await h.http.get(`/v1/cases/${id}/timeline?limit=0`).set(bearer(caseworker)), ['limit']);
    expectValidation(await h.http.get(`/v1/cases/${id}/timeline?limit=501`).set(bearer(caseworker)), ['limit']);
    expectValidation(await h.http.get(`/v1/cases/${id}/timeline?after=3`).set(bearer(caseworker)), ['after']);
    expectValidation(await h.http.get(`/v1/cases/${id}/timeline?cursor=${b64url(['one'])}`).set(bearer(caseworker)), ['cursor']);
  });

  it('when a well-formed UUID names no case, then 404 not_found', async () => {
    expectError(await h.http.get(`/v1/cases/${randomUUID()}`).set(bearer(caseworker)), 404, 'not_found');
  });
});

describe('POST /v1/cases/:id/actions', () => {
  let caseId: string;
  let before: { version: number; events: number };
  beforeAll(async () => {
    caseId = (await openCase(h, caseworker, openBody(consulateId))).id;
  });
  afterEach(async () => {
    // Nothing of a refused request reaches the case: same version, same timeline.
    const row = await caseRowOf(h, caseId);
    expect(row!.version).toBe(before.version);
    expect(await countEvents(h, caseId)).toBe(before.events);
  });
  const snapshot = async () => {
    before = { version: (await caseRowOf(h, caseId))!.version, events: await countEvents(h, caseId) };
  };
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    h.http.post(`/v1/cases/${caseId}/actions`).set(bearer(caseworker)).set(headers).send(body as object);

  it('when the type is unknown or missing, then 400 names type', async () => {
    await snapshot();
    const details = expectValidation(await post({ type: 'teleport' }), ['type']);
    expect(details[0]!.message).toMatch(/add_note/);
    expectValidation(await post({ text: 'no type' }), ['type']);
    expectValidation(await post({ type: 42 }), ['type']);
  });

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['add_note without text', { type: 'add_note' }, ['text']],
    ['add_note with blank text', { type: 'add_note', text: '   ' }, ['text']],
    ['add_note over 10 000 characters', { type: 'add_note', text: 'x'.repeat(10_001) }, ['text']],
    ['assign without assignee', { type: 'assign' }, ['assignee']],
    ['set_priority with a bad priority and no reason', { type: 'set_priority', priority: 'urgent' }, ['priority', 'reason']],
    ['hold without reason', { type: 'hold' }, ['reason']],
    ['resume with an extra field', { type: 'resume', reason: 'x' }, ['reason']],
    ['record_consent with neither consent', { type: 'record_consent' }, ['consularNotification']],
    ['record_consent with a bad value', { type: 'record_consent', dataSharing: 'maybe' }, ['dataSharing']],
    ['record_screening with a bad outcome and no basis', { type: 'record_screening', outcome: 'guilty' }, ['outcome', 'basis']],
    [
      'record_sighting with a bad country and date and no source',
      { type: 'record_sighting', location: { country: 'Myanmar' }, observedAt: 'yesterday' },
      ['location.country', 'observedAt', 'source'],
    ],
    ['confirm_location without location', { type: 'confirm_location' }, ['location']],
    ['confirm_location with latitude 91', { type: 'confirm_location', location: { country: 'MM', latitude: 91 } }, ['location.latitude']],
    ['request_extraction without fields', { type: 'request_extraction' }, ['partner', 'reference']],
    [
      'record_extraction with a date only and a string flag',
      { type: 'record_extraction', extractedAt: '2026-10-20', injured: 'yes' },
      ['extractedAt', 'handedOverTo', 'injured'],
    ],
    ['record_extraction_failed without reason', { type: 'record_extraction_failed' }, ['reason']],
    ['book_return with a numeric time', { type: 'book_return', departureAt: 12 }, ['departureAt', 'arrivalPort']],
    ['record_departure without time', { type: 'record_departure' }, ['departedAt']],
    ['record_arrival without port and receiver', { type: 'record_arrival', arrivedAt: '2026-11-02T10:00:00Z' }, ['port', 'receivedBy']],
    ['record_assessment with a string for skills', { type: 'record_assessment', skills: 'sewing' }, ['skills', 'education', 'preferredRegion', 'needs']],
    ['record_referral with a bad kind', { type: 'record_referral', kind: 'apprenticeship' }, ['kind', 'organisation', 'description']],
    [
      'record_placement with 30 February and a string for abroad',
      { type: 'record_placement', startDate: '2026-02-30', abroad: 'no' },
      ['employer', 'position', 'startDate', 'abroad'],
    ],
    ['record_follow_up with a bad task id and outcome', { type: 'record_follow_up', taskId: 'abc', outcome: 'maybe' }, ['taskId', 'outcome']],
    ['decline_assistance without reason', { type: 'decline_assistance' }, ['reason']],
    ['request_closure with an unknown reason', { type: 'request_closure', reason: 'bored' }, ['reason']],
  ];
  for (const [label, body, paths] of cases) {
    it(`when ${label}, then 400 names ${paths.join(', ')}`, async () => {
      await snapshot();
      expectValidation(await post(body), paths);
    });
  }

  it('when If-Match is not a version, then 400 names If-Match and the action is not taken', async () => {
    await snapshot();
    for (const bad of ['abc', '"x"', '-1', '1.5', '*', '1234567890']) {
      expectValidation(await post({ type: 'add_note', text: 'must not land' }, { 'If-Match': bad }), ['If-Match']);
    }
  });
});

describe('POST /v1/tasks/:id/complete and /reject', () => {
  let consul: string;
  let tasks: Record<string, { id: string; caseId: string }>;
  let caseId: string;
  beforeAll(async () => {
    consul = await h.token('agency_officer', { agency: consulateId });
    // abused → shelter; injured → medical check: all four consular task types.
    caseId = await caseInConsularContact(h, caseworker, consulateId, { riskFlags: ['abused'] }, { injured: true });
    const open = await tasksOf(h, consul, caseId);
    tasks = Object.fromEntries(open.map((t) => [t.type, { id: t.id, caseId }]));
    expect(Object.keys(tasks).sort()).toEqual(['arrange_medical_check', 'arrange_shelter', 'issue_travel_document', 'verify_nationality']);
  });

  const complete = (taskId: string, body: unknown) => h.http.post(`/v1/tasks/${taskId}/complete`).set(bearer(consul)).send(body as object);

  async function expectUntouched(taskId: string, events: number) {
    const res = await h.http.get(`/v1/tasks/${taskId}`).set(bearer(consul));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'open', result: null, completedAt: null });
    expect(await countEvents(h, caseId)).toBe(events);
  }

  it('when the body has no result, or a result that is not an object, then 400 names result', async () => {
    const events = await countEvents(h, caseId);
    const id = tasks.verify_nationality!.id;
    expectValidation(await complete(id, {}), ['result']);
    expectValidation(await complete(id, { result: 'yes' }), ['result']);
    expectValidation(await complete(id, { result: [] }), ['result']);
    expectValidation(await complete(id, { result: { verified: true }, note: 'x' }), ['note']);
    await expectUntouched(id, events);
  });

  const wrong: Array<[string, Record<string, unknown>, string[]]> = [
    ['verify_nationality', { verified: 'yes' }, ['result.verified']],
    ['verify_nationality', {}, ['result.verified']],
    ['issue_travel_document', { documentType: 'visa', number: '', validUntil: '31/01/2027' }, ['result.documentType', 'result.number', 'result.validUntil']],
    ['arrange_shelter', { shelterName: 5 }, ['result.shelterName', 'result.from']],
    ['arrange_medical_check', { fitToTravel: 'true', temperature: 37 }, ['result.fitToTravel', 'result.temperature']],
  ];
  for (const [type, result, paths] of wrong) {
    it(`when a ${type} result is ${JSON.stringify(result)}, then 400 names ${paths.join(', ')} and the task stays open`, async () => {
      const events = await countEvents(h, caseId);
      expectValidation(await complete(tasks[type]!.id, { result }), paths);
      await expectUntouched(tasks[type]!.id, events);
    });
  }

  it('when a reject has no reason or a blank one, then 400 names reason and the task stays open', async () => {
    const events = await countEvents(h, caseId);
    const id = tasks.arrange_shelter!.id;
    const reject = (body: unknown) => h.http.post(`/v1/tasks/${id}/reject`).set(bearer(consul)).send(body as object);
    expectValidation(await reject({}), ['reason']);
    expectValidation(await reject({ reason: '   ' }), ['reason']);
    expectValidation(await reject({ reason: 'x'.repeat(2_001) }), ['reason']);
    expectValidation(await reject({ reason: 'ok', extra: true }), ['extra']);
    await expectUntouched(id, events);
  });

  it('when an exit_restriction_review result is restricted without basis, from and until (or until before from), then 400 names them', async () => {
    const immigration = await h.token('agency_officer', { agency: 'immigration' });
    const id = await caseInConsularContact(h, caseworker, consulateId);
    const results: Record<string, Record<string, unknown>> = {
      verify_nationality: { verified: true },
      issue_travel_document: { documentType: 'emergency_travel_document', number: uniqueDocNumber('ETD'), validUntil: '2027-01-31' },
    };
    for (const t of await tasksOf(h, consul, id)) {
      const res = await h.http.post(`/v1/tasks/${t.id}/complete`).set(bearer(consul)).send({ result: results[t.type] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    await actOk(h, caseworker, id, { type: 'book_return', departureAt: '2026-11-02T06:00:00Z', arrivalPort: 'MNL' });
    const arrived = await actOk(h, caseworker, id, { type: 'record_arrival', arrivedAt: '2026-11-02T10:00:00Z', port: 'MNL', receivedBy: 'desk' });
    expect(arrived.stage).toBe('exit_restriction_check');
    const [review] = await tasksOf(h, immigration, id, { status: 'open' });
    expect(review!.type).toBe('exit_restriction_review');
    const events = await countEvents(h, id);
    const post = (result: unknown) => h.http.post(`/v1/tasks/${review!.id}/complete`).set(bearer(immigration)).send({ result });
    expectValidation(await post({ decision: 'restricted' }), ['result.basis', 'result.from', 'result.until']);
    expectValidation(await post({ decision: 'restricted', basis: 'art. 12', from: '2026-11-03', until: '2026-01-01' }), ['result.until']);
    expectValidation(await post({ decision: 'maybe' }), ['result.decision']);
    const task = await h.http.get(`/v1/tasks/${review!.id}`).set(bearer(immigration));
    expect(task.body).toMatchObject({ status: 'open', result: null });
    expect(await countEvents(h, id)).toBe(events);
    expect((await caseRowOf(h, id))!.stage).toBe('exit_restriction_check');
  });

  it('when task ids or filters are malformed, then 400 names them', async () => {
    expectValidation(await h.http.get('/v1/tasks/abc').set(bearer(consul)), ['id']);
    expectValidation(await h.http.post('/v1/tasks/abc/claim').set(bearer(consul)), ['id']);
    expectValidation(await h.http.post('/v1/tasks/abc/unclaim').set(bearer(consul)), ['id']);
    expectValidation(await h.http.post('/v1/tasks/abc/complete').set(bearer(consul)).send({ result: {} }), ['id']);
    expectValidation(await h.http.get('/v1/tasks?status=done&type=cooking&caseId=abc&limit=0').set(bearer(consul)), ['status', 'type', 'caseId', 'limit']);
    expectValidation(await h.http.get(`/v1/tasks?cursor=${b64url(['soon', 'x'])}`).set(bearer(consul)), ['cursor']);
  });
});

describe('POST /v1/approvals/:id/decision', () => {
  let approvalId: string;
  let caseId: string;
  beforeAll(async () => {
    caseId = (await openCase(h, caseworker, openBody(consulateId))).id;
    const closing = await actOk(h, caseworker, caseId, { type: 'request_closure', reason: 'duplicate' });
    approvalId = (closing.pendingApprovals as Array<{ id: string }>)[0]!.id;
  });

  it('when the decision is missing, unknown or has a bad comment, then 400 names it and the approval stays pending', async () => {
    const events = await countEvents(h, caseId);
    const decide = (body: unknown) => h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(supervisor)).send(body as object);
    expectValidation(await decide({}), ['decision']);
    expectValidation(await decide({ decision: 'maybe' }), ['decision']);
    expectValidation(await decide({ decision: 'APPROVED' }), ['decision']);
    expectValidation(await decide({ decision: 'approved', comment: 5 }), ['comment']);
    expectValidation(await decide({ decision: 'approved', approver: 'me' }), ['approver']);
    expectValidation(await h.http.post('/v1/approvals/abc/decision').set(bearer(supervisor)).send({ decision: 'approved' }), ['id']);
    expectValidation(await h.http.get('/v1/approvals?status=maybe&limit=201').set(bearer(supervisor)), ['status', 'limit']);

    const pending = await h.http.get('/v1/approvals?status=pending').set(bearer(supervisor));
    expect((pending.body.items as Array<{ id: string; status: string }>).find((a) => a.id === approvalId)).toMatchObject({ status: 'pending' });
    expect(await countEvents(h, caseId)).toBe(events);
    expect((await caseRowOf(h, caseId))!.status).toBe('open');
  });
});

describe('POST /v1/agencies', () => {
  const post = (body: unknown) => h.http.post('/v1/agencies').set(bearer(admin)).send(body as object);
  const countAgency = (id: string) => countRows(h, 'select count(*) as n from agencies where id = $1', [id]);

  it('when kind, id or name are bad, then 400 names each and no agency is created', async () => {
    expectValidation(await post({ id: 'Bad Id!', kind: 'embassy', name: '' }), ['id', 'kind', 'name']);
    expect(await countAgency('Bad Id!')).toBe(0);
    const id = `val-${randomUUID().slice(0, 8)}`;
    expectValidation(await post({ id, kind: 'embassy', name: 'Embassy' }), ['kind']);
    expectValidation(await post({ id: 'a'.repeat(65), kind: 'consulate', name: 'Long' }), ['id']);
    expectValidation(await post({ id, kind: 'consulate', name: 'C', country: 'Thailand', phone: '1' }), ['country', 'phone']);
    expectValidation(await post({ kind: 'consulate', name: 'No id' }), ['id']);
    expect(await countAgency(id)).toBe(0);
    expect(await countAgency('a'.repeat(65))).toBe(0);
  });
});

describe('every error answer', () => {
  it('when the endpoint does not exist, then 404 in the contract shape', async () => {
    expectError(await h.http.get('/v1/nothing-here').set(bearer(caseworker)), 404, 'not_found');
  });

  it('when a client sends its own X-Request-Id, then the error echoes it', async () => {
    const res = await h.http.get('/v1/cases?limit=0').set(bearer(caseworker)).set('X-Request-Id', 'req-abc.123');
    expect(expectError(res, 400, 'validation_failed').requestId).toBe('req-abc.123');
  });

  it('when a person body is valid, then the same request is accepted (the checks above can fail)', async () => {
    const res = await h.http.post('/v1/cases').set(bearer(caseworker)).send({ person: personBody(), consulateId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.stage).toBe('locating');
  });
});
