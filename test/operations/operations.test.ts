// Mass rescue intake through POST /v1/operations, on the real servers: duplicates inside the request
// become one case, people with an open case are linked (their case records the operation), and an
// invalid person refuses the whole request with nothing opened.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { raidPersons } from '../support/raid.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { caseQuery } from '../../workflows/definitions.js';

let h: Harness;
let p: drive.People;
let consulateId: string;
beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  await h?.stop();
});

const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
async function countCases(operationId: string) {
  const res = await h.db.$client.query('select count(*)::int as n, count(distinct id)::int as d from cases where operation_id = $1', [operationId]);
  return res.rows[0] as { n: number; d: number };
}

describe('mass rescue operations', () => {
  it('when a raid of 300 persons with duplicates inside it and against existing cases is registered, then every person has exactly one case', async () => {
    // Two people who already have open cases.
    const existing = [];
    for (let i = 0; i < 2; i++) {
      const doc = { type: 'passport', number: `EX${randomUUID().slice(0, 10)}`, issuingCountry: 'PH' };
      const c = await drive.openCase(h.http, p.caseworker, consulateId, { person: personBody({ documents: [doc] }) });
      existing.push({ id: c.id, doc });
    }
    const persons = raidPersons(300);
    // Persons 10 and 11 repeat persons 3 and 4 (same passport, written differently).
    persons[10] = { person: personBody({ documents: [{ ...persons[3]!.person.documents[0]!, number: persons[3]!.person.documents[0]!.number.toLowerCase() }] }), riskFlags: [] };
    persons[11] = { person: personBody({ documents: persons[4]!.person.documents }), riskFlags: [] };
    persons[20] = { person: personBody({ documents: [existing[0]!.doc] }), riskFlags: [] };
    persons[21] = { person: personBody({ documents: [existing[1]!.doc] }), riskFlags: [] };

    const res = await h.http
      .post('/v1/operations')
      .set(auth(p.caseworker))
      .send({ name: 'Myawaddy handover 7', country: 'MM', site: 'Shwe Kokko', date: '2026-11-20', consulateId, persons });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ status: 'running', total: 300 });
    const opId = res.body.id as string;

    const done = await drive.waitFor(
      'the operation to complete',
      async () => {
        const r = await h.http.get(`/v1/operations/${opId}`).set(auth(p.caseworker));
        return r.body.status === 'completed' ? r.body : undefined;
      },
      120_000,
      500,
    );
    // The two listed twice are linked to the cases opened for their first listing (merged, a part of linkedExisting).
    expect(done).toMatchObject({ total: 300, opened: 296, linkedExisting: 4, merged: 2, failed: 0, pending: 0 });
    expect(await countCases(opId)).toEqual({ n: 296, d: 296 });

    // Listed by operation, recorded as from a rescue operation, workflows running.
    const listed = await h.http.get('/v1/cases').query({ operationId: opId, limit: 200 }).set(auth(p.caseworker));
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(200);
    expect(listed.body.nextCursor).not.toBeNull();
    const one = await h.http.get(`/v1/cases/${listed.body.items[0].id}`).set(auth(p.caseworker));
    expect(one.body).toMatchObject({ operationId: opId, source: { type: 'rescue_operation' }, stage: 'extraction', version: 1 });

    // The existing cases record the operation on their timelines, once.
    for (const e of existing) {
      const tl = await drive.waitFor('linked timeline entry', async () => {
        const r = await h.http.get(`/v1/cases/${e.id}/timeline`).set(auth(p.caseworker));
        const linked = (r.body.items as Array<{ type: string; data: { operationId: string } }>).filter((x) => x.type === 'linked_to_operation');
        return linked.length > 0 ? linked : undefined;
      });
      expect(tl).toHaveLength(1);
      expect(tl[0]!.data.operationId).toBe(opId);
    }
    // Nobody among the raid got a second open case for the same document.
    const dup = await h.db.$client.query(
      `select document_hash, count(*)::int as n from identity_documents d join cases c on c.id = d.case_id
        where d.open and (c.operation_id = $1 or c.id = any($2::uuid[])) group by document_hash having count(*) > 1`,
      [opId, existing.map((e) => e.id)],
    );
    expect(dup.rows).toEqual([]);
  });

  it('when a raid is taken in, then each opening is written once, by its batch, and the case workflow starts from it, writes nothing of its own and takes the next step as usual', async () => {
    const res = await h.http
      .post('/v1/operations')
      .set(auth(p.caseworker))
      .send({ name: 'Opened once', country: 'MM', site: 'KK Park', date: '2026-11-20', consulateId, persons: raidPersons(12) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const opId = res.body.id as string;
    await drive.waitFor('the operation to complete', async () => {
      const r = await h.http.get(`/v1/operations/${opId}`).set(auth(p.caseworker));
      return r.body.status === 'completed' ? r.body : undefined;
    });
    const rows = await h.db.$client.query<{ id: string; next_deadline_at: Date | null; opened: number }>(
      `select c.id, c.next_deadline_at,
              (select count(*)::int from case_events e where e.case_id = c.id and e.type = 'case_opened') as opened
         from cases c where c.operation_id = $1`,
      [opId],
    );
    expect(rows.rows).toHaveLength(12);
    for (const r of rows.rows) {
      // The opening is complete in the read model as soon as the batch commits: its entry and the stage's deadline.
      expect(r.opened).toBe(1);
      expect(r.next_deadline_at).not.toBeNull();
    }
    const caseId = rows.rows[0]!.id;
    const handle = h.temporal.workflow.getHandle(caseWorkflowId(caseId));
    const view = await drive.waitFor('the workflow to answer', async () => {
      try {
        return await handle.query(caseQuery);
      } catch {
        return undefined;
      }
    });
    const row = await h.http.get(`/v1/cases/${caseId}`).set(auth(p.caseworker));
    expect(view.nextDeadline).toEqual(row.body.nextDeadline);
    expect(view.version).toBe(row.body.version);
    // Its history so far: no write of the opening (no local or regular activity), only its clock.
    const before = (await handle.fetchHistory()).events ?? [];
    expect(before.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity' || e.activityTaskScheduledEventAttributes)).toEqual([]);
    expect(before.some((e) => e.timerStartedEventAttributes)).toBe(true);

    const noted = await drive.act(h.http, p.caseworker, caseId, { type: 'add_note', text: 'met at the border' });
    expect(noted.version).toBe(view.version + 1);
    const timeline = await h.http.get(`/v1/cases/${caseId}/timeline`).set(auth(p.caseworker));
    expect((timeline.body.items as Array<{ type: string }>).map((e) => e.type)).toEqual(['case_opened', 'add_note']);
  });

  it('when one person of a raid is invalid, then the whole request is refused naming each bad person, and nothing is opened', async () => {
    const persons = raidPersons(50) as Array<Record<string, unknown>>;
    persons[17] = { person: { ...personBody(), nationality: 'Philippines' } };
    persons[33] = { person: { fullName: '' } };
    const before = await h.db.$client.query('select count(*)::int as n from operations');
    const res = await h.http
      .post('/v1/operations')
      .set(auth(p.caseworker))
      .send({ name: 'Bad list', country: 'MM', date: '2026-11-20', consulateId, persons });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = (res.body.error.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toContain('persons[17].person.nationality');
    expect(paths).toContain('persons[33].person.fullName');
    expect(paths).toContain('persons[33].person.nationality');
    const after = await h.db.$client.query('select count(*)::int as n from operations');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('when a raid lists more than 10,000 persons, then it is refused', async () => {
    const persons = Array.from({ length: 10_001 }, () => ({ person: { fullName: 'A', nationality: 'PH' } }));
    const res = await h.http.post('/v1/operations').set(auth(p.caseworker)).send({ name: 'Too big', country: 'MM', date: '2026-11-20', consulateId, persons });
    expect([400, 413]).toContain(res.status);
    expect(['validation_failed', 'payload_too_large']).toContain(res.body.error.code);
  });

  it('when another office asks for an operation, then it does not exist for them', async () => {
    const res = await h.http
      .post('/v1/operations')
      .set(auth(p.caseworker))
      .send({ name: 'Small', country: 'MM', date: '2026-11-20', consulateId, persons: raidPersons(1) });
    const other = await h.token('caseworker', { office: `other-${randomUUID().slice(0, 6)}` });
    const r = await h.http.get(`/v1/operations/${res.body.id}`).set(auth(other));
    expect(r.status).toBe(404);
  });
});
