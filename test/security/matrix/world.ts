// What the security matrix calls endpoints on: two offices, two consulates and the immigration
// authority, with cases at several stages, their tasks and approvals, raids, and webhook
// subscriptions. Built once per test file through the API itself, so every fixture is what a real
// client would have made; the leak check knows every id of it (the read model is asked for them).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { type Harness, personBody, startHarness } from '../../support/harness.js';
import * as drive from '../../support/drive.js';
import { CONFIRM, EXTRACTED, actOk, bearer, openCase, tasksOf, uniqueDocNumber } from '../../api/support.js';
import { callerNamed, consulateA, consulateB, officeA, officeB, signIn } from './callers.js';

const DAY_S = 86_400;
// Checked by the API when set (always in production): the matrix runs with both, as production does.
export const AUTH = { AUTH_ISSUER: 'https://idp.homeward.test/', AUTH_AUDIENCE: 'homeward-api' };
const ERRORS_LOGGED = { LOG_LEVEL: 'error' };

export let h: Harness;
/** Same task queue, deadlines 180 days in 12 s: only for the case whose follow-up a caseworker works. */
export let fast: Harness;

export interface CaseFx {
  label: string;
  id: string;
  reference: string;
  office: string;
  names: string[];
  docs: string[];
}
export interface TaskFx {
  id: string;
  caseId: string;
  office: string;
  agencyId: string | null;
  audience: 'agency' | 'supervisor' | 'caseworker';
  type: string;
  status: string;
  claimedBy: string | null;
}
export interface ApprovalFx {
  id: string;
  caseId: string;
  office: string;
  status: string;
}
export interface OperationFx {
  label: string;
  id: string;
  office: string;
  caseIds: string[];
  /** A bulk action on the raid's cases (POST /v1/operations/:id/actions). */
  bulkId: string;
}

export interface World {
  cases: CaseFx[];
  tasks: TaskFx[];
  approvals: ApprovalFx[];
  operations: OperationFx[];
  /** The tasks, approvals and cases the matrix calls endpoints on (every one of its kind is still used by the leak check). */
  pick: {
    cases: CaseFx[];
    tasks: Array<{ label: string; task: TaskFx }>;
    approvals: Array<{ label: string; approval: ApprovalFx }>;
  };
}

/** A webhook subscription's scope: an agency's or an office's. */
export interface HookFx {
  id: string;
  agencyId: string | null;
  office: string | null;
}

export let world: World;
/** Subscriptions of consulate A and of office A: kept (lists, delivery logs) and deletable (DELETE). */
export let hooks: { kept: HookFx[]; deletable: HookFx[] };

/** A new subscription for an agency's or an office's scope, to a port nobody listens on. */
export function webhookBody(hook: Omit<HookFx, 'id'>) {
  return {
    url: 'http://127.0.0.1:9/matrix-hooks',
    events: ['task.created'],
    secret: `matrix-secret-${randomUUID()}`,
    ...(hook.agencyId ? { agencyId: hook.agencyId } : { office: hook.office! }),
  };
}

function person(label: string) {
  const name = `Matrix ${label} ${randomUUID().slice(0, 8)}`;
  const doc = uniqueDocNumber('MX');
  return { body: personBody({ fullName: name, documents: [{ type: 'passport', number: doc, issuingCountry: 'PH' }] }), name, doc };
}

async function openFx(on: Harness, token: string, label: string, office: string, consulateId: string, extra: Record<string, unknown> = {}): Promise<CaseFx> {
  const p = person(label);
  const opened = await openCase(on, token, {
    person: p.body,
    location: { country: 'MM', region: 'Kayin', site: 'KK Park' },
    source: { type: 'family_report', reference: `mx-${label}` },
    riskFlags: [],
    consulateId,
    ...extra,
  });
  return { label, id: opened.id, reference: opened.reference, office, names: [p.name], docs: [p.doc] };
}

async function raid(token: string, label: string, office: string, consulateId: string, size: number): Promise<{ op: OperationFx; cases: CaseFx[] }> {
  const persons = Array.from({ length: size }, (_, i) => person(`${label}-${i}`));
  const res = await h.http
    .post('/v1/operations')
    .set(bearer(token))
    .send({ name: `Matrix ${label}`, country: 'MM', date: '2026-11-20', consulateId, persons: persons.map((p) => ({ person: p.body })) });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.id as string;
  await drive.waitFor(`operation ${label}`, async () => {
    const r = await h.http.get(`/v1/operations/${id}`).set(bearer(token));
    return r.body.status === 'completed';
  }, 60_000, 200);
  // A bulk action every case refuses (they are in extraction): a fixture for its status endpoint that changes no case.
  const bulk = await h.http.post(`/v1/operations/${id}/actions`).set(bearer(token)).send({ type: 'record_departure', departedAt: '2026-11-22T06:00:00Z' });
  expect(bulk.status, JSON.stringify(bulk.body)).toBe(202);
  const list = await h.http.get('/v1/cases').query({ operationId: id, limit: 200 }).set(bearer(token));
  const items = list.body.items as Array<{ id: string; reference: string; person: { fullName: string } }>;
  expect(items).toHaveLength(size);
  const cases = items.map((c) => {
    const p = persons.find((x) => x.name === c.person.fullName)!;
    return { label: `${label} person`, id: c.id, reference: c.reference, office, names: [p.name], docs: [p.doc] };
  });
  return { op: { label, id, office, caseIds: cases.map((c) => c.id), bulkId: bulk.body.id as string }, cases };
}

async function buildWorld(): Promise<World> {
  const cwA = callerNamed('caseworker@A').token;
  const cwB = callerNamed('caseworker@B').token;
  const supA = callerNamed('supervisor@A').token;
  const officerA = callerNamed('officer@consulateA').token;
  const officerImm = callerNamed('officer@immigration').token;
  const peopleA: drive.People = { caseworker: cwA, supervisor: supA, consul: officerA, immigration: officerImm };

  // A: consular_contact; the consulate rejects one task (a supervisor review opens); a closure requested
  // by the caseworker and rejected, then requested again and pending.
  const caseA = async () => {
    const k = await openFx(h, cwA, 'A (consular contact)', officeA, consulateA, { riskFlags: ['abused'] });
    await actOk(h, cwA, k.id, CONFIRM);
    await actOk(h, cwA, k.id, EXTRACTED);
    const shelter = (await tasksOf(h, officerA, k.id)).find((t) => t.type === 'arrange_shelter')!;
    const rejected = await h.http.post(`/v1/tasks/${shelter.id}/reject`).set(bearer(officerA)).send({ reason: 'no shelter place this week' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const first = await actOk(h, cwA, k.id, { type: 'request_closure', reason: 'duplicate' });
    const approvalId = (first.pendingApprovals as Array<{ id: string }>)[0]!.id;
    const decided = await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(supA)).send({ decision: 'rejected', comment: 'not a duplicate' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await actOk(h, cwA, k.id, { type: 'request_closure', reason: 'lost_contact' });
    return k;
  };
  // A: at the immigration authority's exit restriction review (the consular tasks completed).
  const caseImm = async () => {
    const k = await openFx(h, cwA, 'A (exit restriction check)', officeA, consulateA);
    await drive.toExitRestrictionCheck(h.http, peopleA, k.id);
    return k;
  };
  // A: in employment assistance with a follow-up in the caseworker's inbox. Its deadlines run 180 days
  // in 12 s (opened through the fast app), so the first follow-up comes in 2 s; then it is put on hold.
  const caseFollow = async () => {
    const k = await openFx(fast, cwA, 'A (follow-up)', officeA, consulateA);
    await drive.toEmployment(h.http, peopleA, k.id);
    await drive.act(h.http, cwA, k.id, { type: 'record_placement', employer: 'Matrix Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
    await drive.waitFor('a follow-up', async () => (await drive.openTasksOf(h.http, cwA, k.id, 'follow_up')).length > 0, 30_000, 100);
    await actOk(h, cwA, k.id, { type: 'hold', reason: 'no more deadlines in the matrix' });
    return k;
  };
  // A: closed (the caseworker asked, a supervisor approved).
  const caseClosed = async () => {
    const k = await openFx(h, cwA, 'closed A', officeA, consulateA);
    await actOk(h, cwA, k.id, { type: 'request_closure', reason: 'duplicate' });
    await drive.approveClosure(h.http, peopleA, k.id);
    return k;
  };
  // B: consular_contact with consulate B's tasks, and a pending closure.
  const caseB = async () => {
    const k = await openFx(h, cwB, 'B (consular contact)', officeB, consulateB);
    await actOk(h, cwB, k.id, CONFIRM);
    await actOk(h, cwB, k.id, EXTRACTED);
    await actOk(h, cwB, k.id, { type: 'request_closure', reason: 'transferred' });
    return k;
  };

  const [a, imm, follow, closed, b, raidA, raidB] = await Promise.all([
    caseA(),
    caseImm(),
    caseFollow(),
    caseClosed(),
    caseB(),
    raid(cwA, 'raid A', officeA, consulateA, 2),
    raid(cwB, 'raid B', officeB, consulateB, 1),
  ]);
  const cases = [a, imm, follow, closed, b, ...raidA.cases, ...raidB.cases];
  const ids = cases.map((k) => k.id);

  // Every task and approval of these cases, from the read model: the leak check knows all of them.
  const taskRows = await h.db.$client.query<{ id: string; case_id: string; office: string; agency_id: string | null; audience: TaskFx['audience']; type: string; status: string; claimed_by: string | null }>(
    'select id, case_id, office, agency_id, audience, type, status, claimed_by from tasks where case_id = any($1)',
    [ids],
  );
  const tasks: TaskFx[] = taskRows.rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    office: r.office,
    agencyId: r.agency_id,
    audience: r.audience,
    type: r.type,
    status: r.status,
    claimedBy: r.claimed_by,
  }));
  const approvalRows = await h.db.$client.query<{ id: string; case_id: string; office: string; status: string }>(
    'select id, case_id, office, status from approvals where case_id = any($1)',
    [ids],
  );
  const approvals: ApprovalFx[] = approvalRows.rows.map((r) => ({ id: r.id, caseId: r.case_id, office: r.office, status: r.status }));

  const one = <T,>(what: string, found: T | undefined): T => {
    if (!found) throw new Error(`fixture missing: ${what}`);
    return found;
  };
  const taskOf = (k: CaseFx, pred: (t: TaskFx) => boolean, what: string) => one(what, tasks.find((t) => t.caseId === k.id && pred(t)));
  const approvalOf = (k: CaseFx, status: string) => one(`${status} approval of ${k.label}`, approvals.find((x) => x.caseId === k.id && x.status === status));

  return {
    cases,
    tasks,
    approvals,
    operations: [raidA.op, raidB.op],
    pick: {
      cases: [a, imm, follow, closed, b],
      tasks: [
        { label: 'consular task A (open)', task: taskOf(a, (t) => t.type === 'verify_nationality' && t.status === 'open', 'open consular task A') },
        { label: 'supervisor review A (open)', task: taskOf(a, (t) => t.type === 'supervisor_review' && t.status === 'open', 'open supervisor review A') },
        { label: 'exit restriction review A (open)', task: taskOf(imm, (t) => t.type === 'exit_restriction_review' && t.status === 'open', 'open exit restriction review A') },
        { label: 'consular task A (completed)', task: taskOf(imm, (t) => t.type === 'verify_nationality' && t.status === 'completed', 'completed consular task A') },
        { label: 'follow-up A (open)', task: taskOf(follow, (t) => t.type === 'follow_up' && t.status === 'open', 'open follow-up A') },
        { label: 'consular task B (open)', task: taskOf(b, (t) => t.type === 'verify_nationality' && t.status === 'open', 'open consular task B') },
      ],
      approvals: [
        { label: 'pending closure A', approval: approvalOf(a, 'pending') },
        { label: 'rejected closure A', approval: approvalOf(a, 'rejected') },
        { label: 'pending closure B', approval: approvalOf(b, 'pending') },
      ],
    },
  };
}

/** The beforeAll of a matrix test file: the app, the callers, the fixtures and the subscriptions. */
export async function setUpWorld(): Promise<void> {
  // Any 500 in the matrix is a defect: the app logs its cause (only errors), printed with the failing test.
  h = await startHarness({ config: { ...AUTH, ...ERRORS_LOGGED } });
  fast = await startHarness({
    worker: false,
    config: { ...AUTH, ...ERRORS_LOGGED, TEMPORAL_TASK_QUEUE: h.config.temporal.taskQueue, HOMEWARD_TIME_SCALE: String(12 / (180 * DAY_S)) },
  });
  await signIn(h);
  world = await buildWorld();
  const admin = callerNamed('admin').token;
  const hookOf = async (scope: { agencyId: string } | { office: string }): Promise<HookFx> => {
    const res = await h.http.post('/v1/webhooks').set(bearer(admin)).send(webhookBody({ agencyId: null, office: null, ...scope }));
    if (res.status !== 201) throw new Error(`webhook fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, agencyId: res.body.agencyId, office: res.body.office };
  };
  hooks = {
    kept: [await hookOf({ agencyId: consulateA }), await hookOf({ office: officeA })],
    deletable: [await hookOf({ agencyId: consulateA }), await hookOf({ office: officeA })],
  };
}

export async function tearDownWorld(): Promise<void> {
  await fast?.stop();
  await h?.stop();
}
