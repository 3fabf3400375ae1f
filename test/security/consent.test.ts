// Consent as a live gate (VCCR art. 36(1)(c); issue #8): what an agency can read follows the consent
// in force, for every task it was ever sent, whatever that task's status. After a refusal or a
// withdrawal only ids and status remain; the case's own office still sees everything; granting
// again gives it back. Real Temporal, real PostgreSQL, through the HTTP API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { CONFIRM, EXTRACTED, actOk, bearer, openBody, openCase, uniqueDocNumber } from '../api/support.js';

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

type Task = {
  id: string;
  caseId: string;
  type: string;
  status: string;
  agencyId: string | null;
  input: Record<string, unknown>;
  result: Record<string, unknown> | null;
  reason: string | null;
  redacted: string | null;
};

async function tasksAs(token: string, caseId: string): Promise<{ items: Task[]; raw: string }> {
  const res = await h.http.get('/v1/tasks').query({ caseId, limit: 200 }).set(bearer(token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { items: res.body.items as Task[], raw: JSON.stringify(res.body) };
}

async function taskAs(token: string, id: string): Promise<{ task: Task; raw: string }> {
  const res = await h.http.get(`/v1/tasks/${id}`).set(bearer(token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { task: res.body as Task, raw: JSON.stringify(res.body) };
}

async function timelineOf(caseId: string) {
  const res = await h.http.get(`/v1/cases/${caseId}/timeline`).query({ limit: 500 }).set(bearer(p.caseworker));
  expect(res.status).toBe(200);
  return res.body.items as Array<{ type: string; data: Record<string, unknown> }>;
}

/** Only ids and status: nothing of the person, nothing the agency wrote back. */
function expectRedacted(t: Task, reason: string) {
  expect(t, JSON.stringify(t)).toMatchObject({ input: {}, result: null, reason: null, redacted: reason });
  expect(Object.keys(t.input)).toEqual([]);
}

describe('consent as a live gate', () => {
  it('when consular notification is refused, then the consulate sees only ids and status of every task it had for the case (completed, rejected, cancelled), the office still sees everything, and granting again restores them', async () => {
    const passport = uniqueDocNumber('RF');
    const opened = await openCase(h, p.caseworker, openBody(consulateId, { riskFlags: ['abused'] }, { documents: [{ type: 'passport', number: passport, issuingCountry: 'PH' }] }));
    const fullName = (opened.person as { fullName: string }).fullName;
    await actOk(h, p.caseworker, opened.id, CONFIRM);
    await actOk(h, p.caseworker, opened.id, EXTRACTED);

    const before = await tasksAs(p.consul, opened.id);
    const byType = (type: string) => before.items.find((t) => t.type === type)!;
    expect(before.items.map((t) => t.type).sort()).toEqual(['arrange_shelter', 'issue_travel_document', 'verify_nationality']);
    expect(before.raw).toContain(fullName);
    expect(before.raw).toContain(passport);

    // One task completed, one rejected, one still in the consul's hands.
    await drive.completeTask(h.http, p.consul, byType('verify_nationality').id, { verified: true, notes: 'confirmed by the civil registry' });
    const rejected = await h.http.post(`/v1/tasks/${byType('arrange_shelter').id}/reject`).set(bearer(p.consul)).send({ reason: 'no shelter place left this week' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const claimed = await h.http.post(`/v1/tasks/${byType('issue_travel_document').id}/claim`).set(bearer(p.consul));
    expect(claimed.status).toBe(200);
    expect(claimed.body.input.fullName).toBe(fullName);

    await actOk(h, p.caseworker, opened.id, { type: 'record_consent', consularNotification: 'refused' });

    const after = await tasksAs(p.consul, opened.id);
    expect(after.items.map((t) => `${t.type}:${t.status}`).sort()).toEqual([
      'arrange_shelter:rejected',
      'issue_travel_document:cancelled',
      'verify_nationality:completed',
    ]);
    for (const t of after.items) {
      expectRedacted(t, 'consular_notification_refused');
      expect(t.caseId).toBe(opened.id);
      const one = await taskAs(p.consul, t.id);
      expectRedacted(one.task, 'consular_notification_refused');
      expect(one.raw).not.toContain(fullName);
    }
    for (const secret of [fullName, passport, '1996-04-12', 'civil registry', 'no shelter place']) expect(after.raw).not.toContain(secret);

    // The case's own office still reads everything.
    const office = await tasksAs(p.caseworker, opened.id);
    const officeView = (type: string) => office.items.find((t) => t.type === type)!;
    expect(officeView('verify_nationality')).toMatchObject({ redacted: null, input: { fullName }, result: { verified: true, notes: 'confirmed by the civil registry' } });
    expect(officeView('arrange_shelter')).toMatchObject({ redacted: null, reason: 'no shelter place left this week' });
    expect(office.raw).toContain(passport);

    // The timeline says what changed and what it stopped and hid.
    const changed = (await timelineOf(opened.id)).filter((e) => e.type === 'consent_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.data).toMatchObject({
      consularNotification: { from: 'unknown', to: 'refused' },
      cancelledTaskIds: [byType('issue_travel_document').id],
      restoredTaskIds: [],
      redactedFor: [consulateId],
    });
    expect((changed[0]!.data.redactedTaskIds as string[]).sort()).toEqual(before.items.map((t) => t.id).sort());

    // Granting again gives the consulate back what it had, and sends what it still has to do; the
    // shelter it rejected waits for the supervisor's decision about that rejection (issue #9).
    await actOk(h, p.caseworker, opened.id, { type: 'record_consent', consularNotification: 'granted' });
    const regained = await tasksAs(p.consul, opened.id);
    for (const old of before.items) {
      const t = regained.items.find((x) => x.id === old.id)!;
      expect(t.redacted).toBeNull();
      expect(t.input.fullName).toBe(fullName);
    }
    expect(regained.items.find((t) => t.id === byType('verify_nationality').id)!.result).toEqual({ verified: true, notes: 'confirmed by the civil registry' });
    expect(regained.items.filter((t) => t.status === 'open').map((t) => t.type).sort()).toEqual(['issue_travel_document']);
    const restored = (await timelineOf(opened.id)).filter((e) => e.type === 'consent_changed')[1]!;
    expect(restored.data).toMatchObject({ consularNotification: { from: 'refused', to: 'granted' }, cancelledTaskIds: [], redactedTaskIds: [] });
    expect((restored.data.restoredTaskIds as string[]).sort()).toEqual(before.items.map((t) => t.id).sort());
  });

  it('when data-sharing consent is withdrawn after every agency finished its work, then the consulate and the immigration authority see only ids and status, the supervisor sees everything, and granting again restores them', async () => {
    const c = (await drive.openCase(h.http, p.caseworker, consulateId)) as { id: string; person?: { fullName: string; documents: Array<{ number: string }> } };
    const view = await h.http.get(`/v1/cases/${c.id}`).set(bearer(p.caseworker));
    const fullName = view.body.person.fullName as string;
    const passport = view.body.person.documents[0].number as string;
    await drive.toEmployment(h.http, p, c.id);
    const travelDocument = (await h.http.get(`/v1/cases/${c.id}`).set(bearer(p.caseworker))).body.travelDocument.number as string;

    const consulBefore = await tasksAs(p.consul, c.id);
    const immigrationBefore = await tasksAs(p.immigration, c.id);
    expect(consulBefore.items.every((t) => t.status === 'completed' && t.input.fullName === fullName)).toBe(true);
    expect(immigrationBefore.items.map((t) => `${t.type}:${t.status}`)).toEqual(['exit_restriction_review:completed']);
    expect(immigrationBefore.raw).toContain(passport);
    expect(consulBefore.raw).toContain(travelDocument);

    await actOk(h, p.caseworker, c.id, { type: 'record_consent', dataSharing: 'withdrawn' });

    for (const [token, before] of [
      [p.consul, consulBefore],
      [p.immigration, immigrationBefore],
    ] as const) {
      const after = await tasksAs(token, c.id);
      expect(after.items.map((t) => t.id).sort()).toEqual(before.items.map((t) => t.id).sort());
      for (const t of after.items) {
        expect(t.status).toBe('completed');
        expectRedacted(t, 'data_sharing_withdrawn');
        expectRedacted((await taskAs(token, t.id)).task, 'data_sharing_withdrawn');
      }
      for (const secret of [fullName, passport, 'not_restricted', travelDocument]) expect(after.raw).not.toContain(secret);
    }
    const supervisor = await tasksAs(p.supervisor, c.id);
    expect(supervisor.raw).toContain(fullName);
    expect(supervisor.items.find((t) => t.type === 'exit_restriction_review')).toMatchObject({ redacted: null, result: { decision: 'not_restricted' } });

    const changed = (await timelineOf(c.id)).filter((e) => e.type === 'consent_changed');
    expect(changed.at(-1)!.data).toMatchObject({ dataSharing: { from: 'unknown', to: 'withdrawn' }, cancelledTaskIds: [] });
    expect((changed.at(-1)!.data.redactedTaskIds as string[]).sort()).toEqual([...consulBefore.items, ...immigrationBefore.items].map((t) => t.id).sort());
    expect((changed.at(-1)!.data.redactedFor as string[]).sort()).toEqual([consulateId, 'immigration'].sort());

    await actOk(h, p.caseworker, c.id, { type: 'record_consent', dataSharing: 'granted' });
    expect((await tasksAs(p.consul, c.id)).items.every((t) => t.redacted === null && t.input.fullName === fullName)).toBe(true);
    expect((await tasksAs(p.immigration, c.id)).items[0]).toMatchObject({ redacted: null, result: { decision: 'not_restricted' } });
  });

  it('when an agency repeats a claim with its Idempotency-Key after consent was withdrawn, then the stored answer comes back redacted', async () => {
    const opened = await openCase(h, p.caseworker, openBody(consulateId));
    const fullName = (opened.person as { fullName: string }).fullName;
    await actOk(h, p.caseworker, opened.id, CONFIRM);
    await actOk(h, p.caseworker, opened.id, EXTRACTED);
    const verify = (await tasksAs(p.consul, opened.id)).items.find((t) => t.type === 'verify_nationality')!;
    const key = `claim-${verify.id}`;
    const first = await h.http.post(`/v1/tasks/${verify.id}/claim`).set(bearer(p.consul)).set('Idempotency-Key', key);
    expect(first.status).toBe(200);
    expect(first.body.input.fullName).toBe(fullName);

    await actOk(h, p.caseworker, opened.id, { type: 'record_consent', dataSharing: 'withdrawn' });

    const again = await h.http.post(`/v1/tasks/${verify.id}/claim`).set(bearer(p.consul)).set('Idempotency-Key', key);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.id).toBe(verify.id);
    expectRedacted(again.body as Task, 'data_sharing_withdrawn');
    expect(JSON.stringify(again.body)).not.toContain(fullName);
  });
});
