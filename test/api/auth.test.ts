// Authentication, roles and scope on the real app: who may call what, and that a case or task outside
// the caller's office or agency is indistinguishable from one that does not exist.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import {
  actOk,
  bearer,
  caseInConsularContact,
  caseRowOf,
  countCasesOfOffice,
  countEvents,
  expectError,
  openBody,
  openCase,
  tasksOf,
} from './support.js';

let h: Harness;
let consulateA: string;
let consulateB: string;
let caseworker: string;

beforeAll(async () => {
  h = await startHarness();
  consulateA = await createConsulate(h);
  consulateB = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
});
afterAll(async () => {
  await h?.stop();
});

async function sign(claims: Record<string, unknown>, opts: { secret?: string; expiresAt?: number | null; subject?: string | null; alg?: string } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256' }).setIssuedAt();
  if (opts.subject !== null) jwt.setSubject(opts.subject ?? `user-${randomUUID().slice(0, 6)}`);
  if (opts.expiresAt !== null) jwt.setExpirationTime(opts.expiresAt ?? Math.floor(Date.now() / 1000) + 3600);
  return jwt.sign(new TextEncoder().encode(opts.secret ?? h.config.auth.jwtSecret!));
}

describe('authentication', () => {
  const endpoints: Array<[string, string]> = [
    ['get', '/v1/cases'],
    ['post', '/v1/cases'],
    ['get', `/v1/cases/${randomUUID()}`],
    ['get', '/v1/tasks'],
    ['get', '/v1/approvals'],
    ['get', '/v1/agencies'],
    ['post', '/v1/agencies'],
  ];

  it('when no token is sent, then every /v1 endpoint answers 401 unauthenticated', async () => {
    for (const [method, path] of endpoints) {
      const res = await (method === 'get' ? h.http.get(path) : h.http.post(path).send({}));
      expectError(res, 401, 'unauthenticated');
    }
  });

  it('when the Authorization header is malformed, then 401', async () => {
    const good = await h.token('caseworker', { office: h.office });
    for (const header of ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Token ${good}`, 'Bearer abc', 'Bearer a.b.c', `Bearer ${good}x`, `Bearer ${good.slice(0, -5)}`]) {
      expectError(await h.http.get('/v1/cases').set('Authorization', header), 401, 'unauthenticated');
    }
  });

  it('when the token is signed with another secret, then 401', async () => {
    const token = await sign({ role: 'caseworker', office: h.office }, { secret: 'another-secret-of-at-least-32-characters!!' });
    expectError(await h.http.get('/v1/cases').set(bearer(token)), 401, 'unauthenticated');
  });

  it('when the token is unsigned (alg none), then 401', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'mallory', role: 'supervisor', office: '*', exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    expectError(await h.http.get('/v1/cases').set(bearer(token)), 401, 'unauthenticated');
  });

  it('when the token has expired, then 401', async () => {
    const token = await sign({ role: 'caseworker', office: h.office }, { expiresAt: Math.floor(Date.now() / 1000) - 60 });
    expectError(await h.http.get('/v1/cases').set(bearer(token)), 401, 'unauthenticated');
  });

  it('when a token that was accepted (and so remembered as verified) expires, then the next request with it is 401', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3;
    const token = await sign({ role: 'caseworker', office: h.office }, { expiresAt: exp });
    expect((await h.http.get('/v1/cases').set(bearer(token))).status).toBe(200);
    expect((await h.http.get('/v1/cases').set(bearer(token))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    expectError(await h.http.get('/v1/cases').set(bearer(token)), 401, 'unauthenticated');
  });

  it('when a remembered token is sent with its signature or its claims altered, then 401, and the genuine token still works', async () => {
    const token = await sign({ role: 'caseworker', office: h.office });
    expect((await h.http.get('/v1/cases').set(bearer(token))).status).toBe(200);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const i = Math.floor(signature.length / 2);
    const badSignature = `${header}.${payload}.${signature.slice(0, i)}${signature[i] === 'A' ? 'B' : 'A'}${signature.slice(i + 1)}`;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const everyOffice = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'supervisor', office: '*' })).toString('base64url')}.${signature}`;
    for (const forged of [badSignature, everyOffice]) expectError(await h.http.get('/v1/cases').set(bearer(forged)), 401, 'unauthenticated');
    expect((await h.http.get('/v1/cases').set(bearer(token))).status).toBe(200);
  });

  it('when the token has no expiry at all, then 401 (it would be valid forever)', async () => {
    const token = await sign({ role: 'caseworker', office: h.office }, { expiresAt: null });
    expectError(await h.http.get('/v1/cases').set(bearer(token)), 401, 'unauthenticated');
  });

  it('when the token lacks claims (sub, role, office or agency) or has an unknown role, then 401', async () => {
    const bad = [
      await sign({ role: 'caseworker', office: h.office }, { subject: null }),
      await sign({ office: h.office }),
      await sign({ role: 'caseworker' }),
      await sign({ role: 'supervisor' }),
      await sign({ role: 'agency_officer' }),
      await sign({ role: 'agency_officer', agency: '' }),
      await sign({ role: 'root', office: h.office }),
      await sign({ role: 'caseworker', office: '*' }),
    ];
    for (const token of bad) expectError(await h.http.get('/v1/agencies').set(bearer(token)), 401, 'unauthenticated');
  });

  it('when the token is well formed and current, then the same request is accepted (control)', async () => {
    const token = await sign({ role: 'caseworker', office: h.office });
    expect((await h.http.get('/v1/agencies').set(bearer(token))).status).toBe(200);
  });
});

describe('roles', () => {
  it('when an agency officer calls case endpoints, then 403 and nothing is opened', async () => {
    const office = `auth-${randomUUID().slice(0, 8)}`;
    const officer = await h.token('agency_officer', { agency: consulateA });
    expectError(await h.http.get('/v1/cases').set(bearer(officer)), 403, 'forbidden');
    expectError(await h.http.post('/v1/cases').set(bearer(officer)).send(openBody(consulateA, { office })), 403, 'forbidden');
    expect(await countCasesOfOffice(h, office)).toBe(0);
  });

  it('when an admin calls case endpoints, then 403', async () => {
    const admin = await h.token('admin');
    const { id } = await openCase(h, caseworker, openBody(consulateA));
    expectError(await h.http.get('/v1/cases').set(bearer(admin)), 403, 'forbidden');
    expectError(await h.http.get(`/v1/cases/${id}`).set(bearer(admin)), 403, 'forbidden');
    expectError(await h.http.post(`/v1/cases/${id}/actions`).set(bearer(admin)).send({ type: 'add_note', text: 'admin' }), 403, 'forbidden');
    expectError(await h.http.get('/v1/tasks').set(bearer(admin)), 403, 'forbidden');
  });

  it('when a caseworker adds an agency, then 403 and no agency is created', async () => {
    const id = `auth-${randomUUID().slice(0, 8)}`;
    expectError(await h.http.post('/v1/agencies').set(bearer(caseworker)).send({ id, kind: 'consulate', name: 'Rogue' }), 403, 'forbidden');
    const rows = await h.db.$client.query('select id from agencies where id = $1', [id]);
    expect(rows.rowCount).toBe(0);
  });

  it('when a caseworker reads or decides approvals, then 403 and the approval stays pending', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateA));
    const closing = await actOk(h, caseworker, id, { type: 'request_closure', reason: 'duplicate' });
    const approvalId = (closing.pendingApprovals as Array<{ id: string }>)[0]!.id;
    expectError(await h.http.get('/v1/approvals').set(bearer(caseworker)), 403, 'forbidden');
    expectError(await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(caseworker)).send({ decision: 'approved' }), 403, 'forbidden');
    const row = await h.db.$client.query('select status from approvals where id = $1', [approvalId]);
    expect(row.rows[0].status).toBe('pending');
    expect((await caseRowOf(h, id))!.status).toBe('open');
  });

  it('when a caseworker opens a case for another office, then 403 and nothing is opened', async () => {
    const other = `auth-${randomUUID().slice(0, 8)}`;
    expectError(await h.http.post('/v1/cases').set(bearer(caseworker)).send(openBody(consulateA, { office: other })), 403, 'forbidden');
    expect(await countCasesOfOffice(h, other)).toBe(0);
  });
});

describe('office scope', () => {
  let id: string;
  let reference: string;
  let outsider: string;
  let outsideSupervisor: string;
  const otherOffice = `other-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    const opened = await openCase(h, caseworker, openBody(consulateA));
    id = opened.id;
    reference = opened.reference;
    outsider = await h.token('caseworker', { office: otherOffice });
    outsideSupervisor = await h.token('supervisor', { office: otherOffice });
    // Give the other office a case of its own, so its list is not trivially empty.
    await openCase(h, outsider, openBody(consulateA));
  });

  it("when a caseworker of another office reads the case, its actions or its timeline, then 404 not_found", async () => {
    for (const token of [outsider, outsideSupervisor]) {
      expectError(await h.http.get(`/v1/cases/${id}`).set(bearer(token)), 404, 'not_found');
      expectError(await h.http.get(`/v1/cases/${id}/actions`).set(bearer(token)), 404, 'not_found');
      expectError(await h.http.get(`/v1/cases/${id}/timeline`).set(bearer(token)), 404, 'not_found');
    }
  });

  it('when a caseworker of another office acts on the case, then 404 and the case is unchanged', async () => {
    const events = await countEvents(h, id);
    const version = (await caseRowOf(h, id))!.version;
    const res = await h.http.post(`/v1/cases/${id}/actions`).set(bearer(outsider)).send({ type: 'add_note', text: 'not mine' });
    expectError(res, 404, 'not_found');
    // The answer is the same as for a case that does not exist at all.
    const absent = await h.http.post(`/v1/cases/${randomUUID()}/actions`).set(bearer(outsider)).send({ type: 'add_note', text: 'x' });
    expect(expectError(absent, 404, 'not_found').message).toBe(res.body.error.message);
    expect(await countEvents(h, id)).toBe(events);
    expect((await caseRowOf(h, id))!.version).toBe(version);
  });

  it("when the other office lists or searches cases, then this case is not among them", async () => {
    const all = await h.http.get('/v1/cases?limit=200').set(bearer(outsider));
    expect(all.status).toBe(200);
    const ids = (all.body.items as Array<{ id: string; office: string }>).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(id);
    expect((all.body.items as Array<{ office: string }>).every((c) => c.office === otherOffice)).toBe(true);
    const filtered = await h.http.get(`/v1/cases?office=${h.office}`).set(bearer(outsider));
    expect(filtered.body.items).toEqual([]);
    const searched = await h.http.get(`/v1/cases?q=${reference}`).set(bearer(outsider));
    expect(searched.body.items).toEqual([]);
    // Control: the case's own office does find it.
    const own = await h.http.get(`/v1/cases?q=${reference}`).set(bearer(caseworker));
    expect((own.body.items as Array<{ id: string }>).map((c) => c.id)).toEqual([id]);
  });

  it('when a supervisor covers every office, then the case is visible (control)', async () => {
    const all = await h.token('supervisor', { office: '*' });
    expect((await h.http.get(`/v1/cases/${id}`).set(bearer(all))).status).toBe(200);
  });
});

describe('agency scope', () => {
  let caseId: string;
  let officerA: string;
  let officerB: string;
  let tasks: Awaited<ReturnType<typeof tasksOf>>;
  const phone = '+63 917 555 0199';
  const sourceRef = `hotline-secret-${randomUUID().slice(0, 6)}`;
  const note = `NOTE-${randomUUID()}`;

  beforeAll(async () => {
    officerA = await h.token('agency_officer', { agency: consulateA, sub: 'consul-a' });
    officerB = await h.token('agency_officer', { agency: consulateB, sub: 'consul-b' });
    const opened = await openCase(h, caseworker, {
      ...openBody(consulateA, { riskFlags: ['abused'], source: { type: 'hotline', reference: sourceRef } }, { phone }),
    });
    caseId = opened.id;
    await actOk(h, caseworker, caseId, { type: 'add_note', text: note });
    await actOk(h, caseworker, caseId, { type: 'record_screening', outcome: 'victim', basis: 'interview' });
    await actOk(h, caseworker, caseId, { type: 'confirm_location', location: { country: 'MM', site: 'KK Park' } });
    await actOk(h, caseworker, caseId, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak police' });
    tasks = await tasksOf(h, officerA, caseId);
    expect(tasks.map((t) => t.type).sort()).toEqual(['arrange_shelter', 'issue_travel_document', 'verify_nationality']);
  });

  it("when an officer of another agency gets, claims, completes, rejects or unclaims a task, then 404 and the task is untouched", async () => {
    const immigration = await h.token('agency_officer', { agency: 'immigration' });
    const task = tasks.find((t) => t.type === 'verify_nationality')!;
    for (const token of [officerB, immigration]) {
      expectError(await h.http.get(`/v1/tasks/${task.id}`).set(bearer(token)), 404, 'not_found');
      expectError(await h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(token)), 404, 'not_found');
      expectError(await h.http.post(`/v1/tasks/${task.id}/complete`).set(bearer(token)).send({ result: { verified: true } }), 404, 'not_found');
      expectError(await h.http.post(`/v1/tasks/${task.id}/reject`).set(bearer(token)).send({ reason: 'not ours' }), 404, 'not_found');
      expectError(await h.http.post(`/v1/tasks/${task.id}/unclaim`).set(bearer(token)), 404, 'not_found');
    }
    const fresh = await h.http.get(`/v1/tasks/${task.id}`).set(bearer(officerA));
    expect(fresh.body).toMatchObject({ status: 'open', claimedBy: null, result: null });
  });

  it("when a caseworker of another office gets or claims the task, then 404", async () => {
    const outsider = await h.token('caseworker', { office: `other-${randomUUID().slice(0, 8)}` });
    const task = tasks[0]!;
    expectError(await h.http.get(`/v1/tasks/${task.id}`).set(bearer(outsider)), 404, 'not_found');
    expectError(await h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(outsider)), 404, 'not_found');
  });

  it("when the case's own caseworker tries to claim an agency task, then 403 (seeing is not working)", async () => {
    const task = tasks[0]!;
    expect((await h.http.get(`/v1/tasks/${task.id}`).set(bearer(caseworker))).status).toBe(200);
    expectError(await h.http.post(`/v1/tasks/${task.id}/claim`).set(bearer(caseworker)), 403, 'forbidden');
  });

  it("when an agency officer lists tasks, then only their agency's tasks appear", async () => {
    const listA = await h.http.get('/v1/tasks?limit=200').set(bearer(officerA));
    expect(listA.status).toBe(200);
    expect(listA.body.items.length).toBeGreaterThanOrEqual(3);
    expect((listA.body.items as Array<{ agencyId: string }>).every((t) => t.agencyId === consulateA)).toBe(true);
    const listB = await h.http.get('/v1/tasks?limit=200').set(bearer(officerB));
    expect(listB.status).toBe(200);
    expect(listB.body.items).toEqual([]);
    const byCase = await h.http.get(`/v1/tasks?caseId=${caseId}`).set(bearer(officerB));
    expect(byCase.body.items).toEqual([]);
  });

  it('when an agency officer reads a task, then it carries only the need-to-know input, never the rest of the case', async () => {
    const byType = Object.fromEntries(tasks.map((t) => [t.type, t]));
    expect(Object.keys(byType.verify_nationality!.input).sort()).toEqual(['dateOfBirth', 'documents', 'fullName', 'nationality', 'sex']);
    expect(Object.keys(byType.issue_travel_document!.input).sort()).toEqual(['dateOfBirth', 'documents', 'fullName', 'nationality', 'sex']);
    expect(Object.keys(byType.arrange_shelter!.input).sort()).toEqual(['fullName', 'languages', 'location', 'riskFlags', 'sex']);
    for (const t of tasks) {
      const one = await h.http.get(`/v1/tasks/${t.id}`).set(bearer(officerA));
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty('person');
      expect(one.body).not.toHaveProperty('case');
      const text = JSON.stringify(one.body);
      // Fields of the case no agency task needs: phone, source, notes, screening.
      expect(text).not.toContain(phone);
      expect(text).not.toContain(sourceRef);
      expect(text).not.toContain(note);
      expect(text).not.toContain('interview');
      expect(text).not.toMatch(/"screening"/);
    }
  });

  it('when an agency officer calls the case endpoints of their own task, then 403', async () => {
    expectError(await h.http.get(`/v1/cases/${caseId}`).set(bearer(officerA)), 403, 'forbidden');
    expectError(await h.http.get(`/v1/cases/${caseId}/timeline`).set(bearer(officerA)), 403, 'forbidden');
    expectError(await h.http.get(`/v1/cases/${caseId}/actions`).set(bearer(officerA)), 403, 'forbidden');
    expectError(await h.http.post(`/v1/cases/${caseId}/actions`).set(bearer(officerA)).send({ type: 'add_note', text: 'x' }), 403, 'forbidden');
    expectError(await h.http.get(`/v1/cases?q=${tasks[0]!.caseReference as string}`).set(bearer(officerA)), 403, 'forbidden');
  });

  it('when another consulate takes a case opened elsewhere (control), then its own officer can claim its task', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateB);
    const [task] = await tasksOf(h, officerB, id);
    const claimed = await h.http.post(`/v1/tasks/${task!.id}/claim`).set(bearer(officerB));
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ status: 'claimed', claimedBy: 'consul-b' });
  });
});
