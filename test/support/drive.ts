// Drives a case through the API as the people who work it would: used by tests, the history
// recorder and the lifecycle benchmark, so all of them exercise the same paths.
import { randomUUID } from 'node:crypto';
import type { Harness } from './harness.js';
import { personBody } from './harness.js';

type Http = Harness['http'];
export interface People {
  caseworker: string;
  supervisor: string;
  consul: string;
  immigration: string;
}

export async function people(h: Pick<Harness, 'token' | 'office'>, consulateId: string): Promise<People> {
  return {
    caseworker: await h.token('caseworker', { office: h.office, sub: 'cw-ana' }),
    supervisor: await h.token('supervisor', { office: h.office, sub: 'sup-ben' }),
    consul: await h.token('agency_officer', { agency: consulateId, sub: 'consul-chen' }),
    immigration: await h.token('agency_officer', { agency: 'immigration', sub: 'nia-dara' }),
  };
}

function check(res: { status: number; body: unknown }, expected: number, what: string) {
  if (res.status !== expected) throw new Error(`${what}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
}

export async function openCase(http: Http, token: string, consulateId: string, extra: Record<string, unknown> = {}) {
  const res = await http
    .post('/v1/cases')
    .set('Authorization', `Bearer ${token}`)
    .send({ person: personBody(), source: { type: 'hotline', reference: randomUUID().slice(0, 8) }, consulateId, ...extra });
  check(res, 201, 'open case');
  return res.body as { id: string; version: number; stage: string };
}

export async function act(http: Http, token: string, id: string, body: Record<string, unknown>) {
  const res = await http.post(`/v1/cases/${id}/actions`).set('Authorization', `Bearer ${token}`).send(body);
  check(res, 200, `action ${String(body.type)}`);
  return res.body as Record<string, unknown> & { stage: string; version: number; openTasks: Array<{ id: string; type: string }> };
}

export async function openTasksOf(http: Http, token: string, caseId: string, type?: string) {
  const res = await http
    .get('/v1/tasks')
    .query({ caseId, ...(type ? { type } : {}) })
    .set('Authorization', `Bearer ${token}`);
  check(res, 200, 'list tasks');
  return (res.body.items as Array<{ id: string; type: string; status: string; escalationLevel: number; dueAt: string }>).filter(
    (t) => t.status === 'open' || t.status === 'claimed',
  );
}

export async function completeTask(http: Http, token: string, taskId: string, result: Record<string, unknown>) {
  check(await http.post(`/v1/tasks/${taskId}/claim`).set('Authorization', `Bearer ${token}`), 200, 'claim');
  const res = await http.post(`/v1/tasks/${taskId}/complete`).set('Authorization', `Bearer ${token}`).send({ result });
  check(res, 200, 'complete');
  return res.body;
}

export const CONSULAR_RESULTS: Record<string, Record<string, unknown>> = {
  verify_nationality: { verified: true },
  // A number of its own each time: the travel document joins the person's documents, and no two open
  // cases may hold the same document (it would be the same person, refused as duplicate_person).
  get issue_travel_document() {
    return { documentType: 'emergency_travel_document', number: `ETD-${randomUUID().slice(0, 8).toUpperCase()}`, validUntil: '2027-01-31' };
  },
  arrange_shelter: { shelterName: 'Mae Sot shelter', from: '2026-10-21' },
  arrange_medical_check: { fitToTravel: true },
};

export async function toConsularContact(http: Http, p: People, id: string, opts: { injured?: boolean } = {}) {
  await act(http, p.caseworker, id, { type: 'confirm_location', location: { country: 'MM', region: 'Kayin', site: 'KK Park' } });
  await act(http, p.caseworker, id, { type: 'request_extraction', partner: 'Royal Thai Police', reference: 'RTP-1' });
  return act(http, p.caseworker, id, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak immigration', injured: opts.injured ?? false });
}

export async function toReturn(http: Http, p: People, id: string) {
  await toConsularContact(http, p, id);
  for (const t of await openTasksOf(http, p.consul, id)) {
    if (CONSULAR_RESULTS[t.type]) await completeTask(http, p.consul, t.id, CONSULAR_RESULTS[t.type]!);
  }
}

export async function toExitRestrictionCheck(http: Http, p: People, id: string) {
  await toReturn(http, p, id);
  await act(http, p.caseworker, id, { type: 'book_return', departureAt: '2026-11-02T06:00:00Z', arrivalPort: 'MNL', manifestId: 'M-17' });
  await act(http, p.caseworker, id, { type: 'record_departure', departedAt: '2026-11-02T06:10:00Z' });
  return act(http, p.caseworker, id, { type: 'record_arrival', arrivedAt: '2026-11-02T10:00:00Z', port: 'MNL', receivedBy: 'IACAT desk' });
}

export async function toEmployment(http: Http, p: People, id: string, decision: Record<string, unknown> = { decision: 'not_restricted' }) {
  await toExitRestrictionCheck(http, p, id);
  const [review] = await openTasksOf(http, p.immigration, id, 'exit_restriction_review');
  if (!review) throw new Error('no exit_restriction_review task');
  await completeTask(http, p.immigration, review.id, decision);
}

export async function approveClosure(http: Http, p: People, caseId: string) {
  const res = await http.get('/v1/approvals').query({ status: 'pending', limit: 200 }).set('Authorization', `Bearer ${p.supervisor}`);
  check(res, 200, 'list approvals');
  const approval = (res.body.items as Array<{ id: string; caseId: string }>).find((a) => a.caseId === caseId);
  if (!approval) throw new Error('no pending approval for the case');
  const decided = await http.post(`/v1/approvals/${approval.id}/decision`).set('Authorization', `Bearer ${p.supervisor}`).send({ decision: 'approved' });
  check(decided, 200, 'approve');
  return decided.body;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * From employment assistance to closed, the normal way: a placement, its follow-ups recorded as they
 * fall due (the case's time scale must make 180 days pass quickly), the closure the case then asks
 * for approved. Returns the closed case.
 */
export async function closeThroughEmployment(http: Http, p: People, id: string) {
  await act(http, p.caseworker, id, { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
  for (let done = 0; done < 3; done++) {
    const [task] = await waitFor('a follow-up', async () => {
      const open = await openTasksOf(http, p.caseworker, id, 'follow_up');
      return open.length > 0 ? open : undefined;
    });
    await act(http, p.caseworker, id, { type: 'record_follow_up', taskId: task!.id, outcome: 'employed' });
  }
  await waitFor('the closure approval', async () => {
    const res = await http.get('/v1/approvals').query({ status: 'pending', limit: 200 }).set('Authorization', `Bearer ${p.supervisor}`);
    return (res.body.items as Array<{ caseId: string }>).some((a) => a.caseId === id);
  });
  await approveClosure(http, p, id);
  const closed = await http.get(`/v1/cases/${id}`).set('Authorization', `Bearer ${p.caseworker}`);
  check(closed, 200, 'read the closed case');
  return closed.body as { status: string; stage: string; closure: { reason: string } | null };
}

/** The open supervisor review of a case about `topic` (and, if given, a task of `taskType`), once it is there. */
export async function reviewOf(http: Http, p: People, caseId: string, topic: string, taskType?: string) {
  return waitFor(`a ${topic} review`, async () => {
    const res = await http.get('/v1/tasks').query({ caseId, type: 'supervisor_review', status: 'open' }).set('Authorization', `Bearer ${p.supervisor}`);
    check(res, 200, 'list reviews');
    return (res.body.items as Array<{ id: string; input: Record<string, unknown> }>).find((t) => t.input.topic === topic && (!taskType || t.input.taskType === taskType));
  });
}
