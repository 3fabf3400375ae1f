// Retention and erasure, on a database of this file's own (the sweep acts on every due case of its
// database) with a fast clock: a day lasts two seconds and retention is two days, so a closed case is
// due four seconds after its closure, and the retention schedule sweeps every second. A closed case is
// anonymised once due, not before; a case on legal hold is kept until the hold is cleared; an admin
// erases a closed person at once. Each leaves a tombstone in the timeline, no personal data in any
// table or in Temporal, and the statistics as they were.
import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aad } from '../../db/at-rest.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { ensureRetentionSchedule } from '../../temporal/retention-schedule.js';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { found, ownDatabase } from '../support/security.js';
import { bearer, expectError, timelineRows } from '../api/support.js';

const DAY_S = 86_400;

interface Person {
  fullName: string;
  passport: string;
  note: string;
}
const person = (first: string): Person => {
  const fullName = `${first} Featherstonehaugh-${randomBytes(3).toString('hex')}`;
  return { fullName, passport: `FH${randomBytes(5).toString('hex').toUpperCase()}`, note: `${fullName} is staying with an aunt in Leyte` };
};

describe('retention and erasure of closed cases', () => {
  let db: Awaited<ReturnType<typeof ownDatabase>>;
  let h: Harness;
  let p: drive.People;
  let admin: string;
  let consulateId: string;
  let scheduleId: string;
  let statsBefore: Record<string, unknown>;
  const due = person('Aurelio');
  const held = person('Berenike');
  const erased = person('Cosimo');
  const cases: Record<string, string> = {};

  async function openAndClose(x: Person, opts: { close?: boolean } = {}) {
    const c = await drive.openCase(h.http, p.caseworker, consulateId, {
      person: personBody({ fullName: x.fullName, phone: '+63 917 000 7777', documents: [{ type: 'passport', number: x.passport, issuingCountry: 'PH' }] }),
      location: { country: 'MM', site: 'KK Park', confirmed: true },
    });
    await drive.act(h.http, p.caseworker, c.id, { type: 'add_note', text: x.note });
    // A correction: its timeline entry holds names from and to, and the person's match keys change.
    await drive.act(h.http, p.caseworker, c.id, { type: 'update_person', nativeName: `${x.fullName} (native)`, guardian: { fullName: `${x.fullName} Sr`, relationship: 'relative' }, reason: 'the aunt told us' });
    await drive.act(h.http, p.caseworker, c.id, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak', medicalNeeds: `${x.fullName} needs insulin` });
    if (opts.close !== false) {
      await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'transferred', comment: `moved in with ${x.fullName}'s aunt` });
      await drive.approveClosure(h.http, p, c.id);
    }
    return c.id;
  }

  const retention = async (id: string) => {
    const res = await h.http.get(`/v1/cases/${id}/retention`).set(bearer(admin));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { retainUntil: string | null; legalHold: boolean; anonymisedAt: string | null; anonymisedReason: string | null; status: string };
  };
  const stats = async () => (await h.http.get('/v1/stats').set(bearer(p.supervisor))).body as Record<string, unknown>;
  // (Not byPriority: the open case's tasks escalate on the fast clock and raise its priority meanwhile.)
  const countsOf = (s: Record<string, unknown>) => ({ byStage: s.byStage, byStatus: s.byStatus, closedByReason: s.closedByReason });

  /** Every row of the read model that mentions the case (or its operation), as JSON text. */
  async function rowsOf(caseId: string) {
    const { rows } = await h.db.$client.query<{ j: string }>(
      `select row_to_json(t)::text as j from cases t where id = $1
       union all select row_to_json(t)::text from case_events t where case_id = $1
       union all select row_to_json(t)::text from tasks t where case_id = $1
       union all select row_to_json(t)::text from approvals t where case_id = $1
       union all select row_to_json(t)::text from identity_documents t where case_id = $1
       union all select row_to_json(t)::text from operation_persons t where case_id = $1
       union all select row_to_json(t)::text from idempotency_keys t where case_id = $1`,
      [caseId],
    );
    return rows.map((r) => r.j).join('\n');
  }

  /** What the API and the tables hold of a person once anonymised: nothing, and a tombstone. */
  async function expectAnonymised(caseId: string, x: Person, basis: 'retention' | 'erasure') {
    const view = (await h.http.get(`/v1/cases/${caseId}`).set(bearer(p.caseworker))).body;
    expect(view).toMatchObject({ status: 'closed', stage: 'closed', person: { fullName: '[erased]', documents: [], nationality: 'PH' }, closure: { reason: 'transferred', comment: null } });
    expect(view.anonymised).toMatchObject({ basis });
    const timeline = await timelineRows(h, caseId);
    const tombstone = timeline[timeline.length - 1]!;
    expect(tombstone).toMatchObject({ type: 'person_erased', data: { basis } });
    // The timeline keeps its shape: every step, in order, with its stage changes.
    expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
    expect(timeline.filter((e) => e.type === 'stage_changed').map((e) => e.data.to)).toEqual(['consular_contact', 'closed']);
    const apiTimeline = JSON.stringify((await h.http.get(`/v1/cases/${caseId}/timeline`).query({ limit: 500 }).set(bearer(p.caseworker))).body);
    const tasks = JSON.stringify((await h.http.get('/v1/tasks').query({ caseId }).set(bearer(p.consul))).body);
    const raw = await rowsOf(caseId);
    expect(raw).toContain(caseId);
    const needles = [x.fullName, x.fullName.split(' ')[1]!, x.passport, x.note, '+63 917 000 7777', 'insulin'];
    expect(found(JSON.stringify(view) + apiTimeline + tasks, needles)).toEqual([]);
    expect(found(raw, needles)).toEqual([]);
    // Sealed values are opened to look inside them as well.
    const opened = (await timelineRows(h, caseId)).map((e) => JSON.stringify(e.data)).join('\n');
    expect(found(opened, needles)).toEqual([]);
    const docs = await h.db.$client.query('select 1 from identity_documents where case_id = $1', [caseId]);
    expect(docs.rowCount).toBe(0);
    const keys = await h.db.$client.query('select 1 from person_match_keys where case_id = $1', [caseId]);
    expect(keys.rowCount).toBe(0);
    expect((await h.http.get('/v1/cases').query({ q: x.passport }).set(bearer(p.caseworker))).body.items).toEqual([]);

  }

  beforeAll(async () => {
    db = await ownDatabase();
    h = await startHarness({ config: { ...db.config, HOMEWARD_TIME_SCALE: String(2 / DAY_S), HOMEWARD_RETENTION_DAYS: '2' } });
    consulateId = await createConsulate(h);
    p = await drive.people(h, consulateId);
    admin = await h.token('admin', { sub: 'root' });
    scheduleId = await ensureRetentionSchedule(h.temporal, { taskQueue: h.config.temporal.taskQueue, timeScale: h.config.timeScale });
    cases.open = await openAndClose(person('Dorotea'), { close: false });
    statsBefore = countsOf(await stats());
  }, 120_000);
  afterAll(async () => {
    await h?.temporal.schedule.getHandle(scheduleId).delete().catch(() => {});
    await h?.stop();
    await db?.drop();
  });

  it('when a closed case reaches the end of its retention, then the sweep anonymises it (not before), leaving a tombstone and the statistics unchanged', async () => {
    cases.due = await openAndClose(due);
    const closedStats = countsOf(await stats());
    const r = await retention(cases.due);
    expect(r.retainUntil).not.toBeNull();
    expect(r.anonymisedAt).toBeNull();
    // Still whole right after closure.
    expect((await h.http.get(`/v1/cases/${cases.due}`).set(bearer(p.caseworker))).body.person.fullName).toBe(due.fullName);

    const done = await drive.waitFor('the retention sweep', async () => ((await retention(cases.due)).anonymisedAt ? retention(cases.due) : undefined), 40_000, 250);
    expect(done.anonymisedReason).toBe('retention');
    expect(Date.parse(done.anonymisedAt!)).toBeGreaterThanOrEqual(Date.parse(r.retainUntil!));
    await expectAnonymised(cases.due, due, 'retention');
    expect(countsOf(await stats())).toEqual(closedStats);
  });

  it('when a closed case is on legal hold, then it is kept whole past its retention, and anonymised once the hold is cleared', async () => {
    cases.held = await openAndClose(held);
    const set = await h.http.post(`/v1/cases/${cases.held}/legal-hold`).set(bearer(admin)).send({ hold: true, reason: 'court order 2026/114' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ legalHold: true, legalHoldReason: 'court order 2026/114', legalHoldChangedBy: 'root' });
    const { retainUntil } = await retention(cases.held);
    // Past its retention and a few sweeps more.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(retainUntil!) - Date.now()) + 3_500));
    expect(await retention(cases.held)).toMatchObject({ legalHold: true, anonymisedAt: null });
    expect((await h.http.get(`/v1/cases/${cases.held}`).set(bearer(p.caseworker))).body.person.fullName).toBe(held.fullName);
    // An erasure request does not override the hold either.
    expectError(await h.http.post(`/v1/cases/${cases.held}/erase`).set(bearer(admin)).send({ reason: 'request 17' }), 409, 'conflict');

    const cleared = await h.http.post(`/v1/cases/${cases.held}/legal-hold`).set(bearer(admin)).send({ hold: false, reason: 'order lifted' });
    expect(cleared.body).toMatchObject({ legalHold: false });
    await drive.waitFor('the sweep after the hold', async () => (await retention(cases.held)).anonymisedAt, 30_000, 250);
    await expectAnonymised(cases.held, held, 'retention');
    const types = (await timelineRows(h, cases.held)).map((e) => e.type);
    expect(types.slice(-3)).toEqual(['legal_hold_set', 'legal_hold_cleared', 'person_erased']);
  });

  it('when an admin erases a closed person on request, then it happens at once, also in the operation that registered them, and only admins may, only on closed cases', async () => {
    const raidCaseworker = p.caseworker;
    const op = await h.http
      .post('/v1/operations')
      .set(bearer(raidCaseworker))
      .set('Idempotency-Key', `raid-${randomUUID()}`)
      .send({ name: 'raid', country: 'MM', date: '2026-11-20', consulateId, persons: [{ person: personBody({ fullName: erased.fullName, documents: [{ type: 'passport', number: erased.passport, issuingCountry: 'PH' }] }), riskFlags: ['minor'] }] });
    expect(op.status).toBe(202);
    await drive.waitFor('the operation', async () => (await h.http.get(`/v1/operations/${op.body.id}`).set(bearer(raidCaseworker))).body.status === 'completed', 60_000, 200);
    const { rows } = await h.db.$client.query<{ id: string }>('select id from cases where operation_id = $1', [op.body.id]);
    cases.erased = rows[0]!.id;
    await drive.act(h.http, p.caseworker, cases.erased, { type: 'add_note', text: erased.note });
    await drive.act(h.http, p.caseworker, cases.erased, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak' });
    // Claimed with a key: the stored answer holds the task's input (the person).
    const [task] = await drive.openTasksOf(h.http, p.consul, cases.erased);
    expect((await h.http.post(`/v1/tasks/${task!.id}/claim`).set(bearer(p.consul)).set('Idempotency-Key', `c-${task!.id}`)).status).toBe(200);
    await drive.act(h.http, p.caseworker, cases.erased, { type: 'request_closure', reason: 'transferred', comment: 'moved' });
    await drive.approveClosure(h.http, p, cases.erased);

    expectError(await h.http.post(`/v1/cases/${cases.erased}/erase`).set(bearer(p.supervisor)).send({ reason: 'request 18' }), 403, 'forbidden');
    expectError(await h.http.post(`/v1/cases/${cases.open}/erase`).set(bearer(admin)).send({ reason: 'request 19' }), 409, 'conflict');
    expectError(await h.http.post(`/v1/cases/${randomUUID()}/erase`).set(bearer(admin)).send({ reason: 'request 20' }), 404, 'not_found');
    expectError(await h.http.post(`/v1/cases/${cases.erased}/erase`).set(bearer(admin)).send({}), 400, 'validation_failed');

    const before = countsOf(await stats());
    const res = await h.http.post(`/v1/cases/${cases.erased}/erase`).set(bearer(admin)).send({ reason: 'data subject request DSR-2026-18' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'closed', anonymisedReason: 'erasure' });
    await expectAnonymised(cases.erased, { ...erased, fullName: erased.fullName }, 'erasure');
    const tombstone = (await timelineRows(h, cases.erased)).at(-1)!;
    expect(tombstone).toMatchObject({ type: 'person_erased', data: { basis: 'erasure', reason: 'data subject request DSR-2026-18' } });
    const actor = await h.db.$client.query('select actor_sub, actor_role from case_events where case_id = $1 and type = $2', [cases.erased, 'person_erased']);
    expect(actor.rows).toEqual([{ actor_sub: 'root', actor_role: 'admin' }]);
    // The raid's record of the person, opened: a tombstone too.
    const person = await h.db.$client.query<{ operation_id: string; idx: number; person: unknown }>('select operation_id, idx, person from operation_persons where case_id = $1', [cases.erased]);
    expect(h.cipher.open(person.rows[0]!.person, aad.operationPerson(person.rows[0]!.operation_id, person.rows[0]!.idx, 'person'))).toMatchObject({ fullName: '[erased]', documents: [] });
    expect(countsOf(await stats())).toEqual(before);

    // Again: the same answer, nothing more.
    const again = await h.http.post(`/v1/cases/${cases.erased}/erase`).set(bearer(admin)).send({ reason: 'data subject request DSR-2026-18' });
    expect(again.body).toMatchObject({ anonymisedReason: 'erasure', anonymisedAt: res.body.anonymisedAt });
    expect((await timelineRows(h, cases.erased)).filter((e) => e.type === 'person_erased')).toHaveLength(1);
    expectError(await h.http.post(`/v1/cases/${cases.erased}/legal-hold`).set(bearer(admin)).send({ hold: true, reason: 'late' }), 409, 'conflict');
  });

  it('when a case is anonymised, then its Temporal histories are deleted as well (the server does it in the background)', async () => {
    const gone = (caseId: string) =>
      drive.waitFor(
        `the history of ${caseId} to be deleted`,
        () => h.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe().then(() => false, (err: unknown) => err instanceof WorkflowNotFoundError),
        110_000,
        500,
      );
    await Promise.all([gone(cases.due!), gone(cases.held!), gone(cases.erased!)]);
    // The open case keeps its workflow.
    expect((await h.temporal.workflow.getHandle(caseWorkflowId(cases.open!)).describe()).status.name).toBe('RUNNING');
  }, 150_000);

  it('when everything has been swept and erased, then the counts by stage, status and outcome are those of the cases', async () => {
    const after = countsOf(await stats());
    const byStatus = after.byStatus as { open: number; closed: number };
    expect(byStatus).toEqual({ open: 1, closed: 3 });
    expect((after.closedByReason as Record<string, number>).transferred).toBe(3);
    expect((statsBefore.byStatus as { open: number }).open).toBe(1);
    // An open case is never swept.
    expect((await h.http.get(`/v1/cases/${cases.open}`).set(bearer(p.caseworker))).body.person.fullName).not.toBe('[erased]');
  });
});
