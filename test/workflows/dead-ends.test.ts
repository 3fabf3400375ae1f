// The three dead ends of issue #9, over HTTP on the real servers: each now reaches closed through
// its normal path (employment assistance, follow-ups, the closure the case asks for). A day lasts
// about 20 ms here, so the follow-ups (up to 180 days after placement) and a supervisor's wait
// (7 days) come in seconds; the ladders of other deadlines run too and get in nobody's way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';

const DAY_S = 86_400;
let h: Harness;
let p: drive.People;
let consulateId: string;

beforeAll(async () => {
  h = await startHarness({ config: { HOMEWARD_TIME_SCALE: String(4 / (180 * DAY_S)) } });
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  await h?.stop();
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const getCase = async (id: string) => (await h.http.get(`/v1/cases/${id}`).set(auth(p.caseworker))).body;
const timelineTypes = async (id: string) => {
  const res = await h.http.get(`/v1/cases/${id}/timeline`).query({ limit: 500 }).set(auth(p.caseworker));
  return (res.body.items as Array<{ type: string }>).map((e) => e.type);
};
async function decide(taskId: string, result: Record<string, unknown>) {
  return h.http.post(`/v1/tasks/${taskId}/complete`).set(auth(p.supervisor)).send({ result });
}
async function home(id: string) {
  await drive.act(h.http, p.caseworker, id, { type: 'book_return', departureAt: '2026-12-02T06:00:00Z', arrivalPort: 'MNL' });
  await drive.act(h.http, p.caseworker, id, { type: 'record_departure', departedAt: '2026-12-02T06:10:00Z' });
  return drive.act(h.http, p.caseworker, id, { type: 'record_arrival', arrivedAt: '2026-12-02T10:00:00Z', port: 'MNL', receivedBy: 'IACAT desk' });
}
async function exitReviewDone(id: string) {
  const review = await drive.waitFor('the exit restriction review', async () => (await drive.openTasksOf(h.http, p.immigration, id, 'exit_restriction_review'))[0]);
  await drive.completeTask(h.http, p.immigration, review.id, { decision: 'not_restricted' });
}

describe('the dead ends of issue #9, now reaching closed', () => {
  it('when data sharing is withdrawn during consular contact and the supervisor proceeds, then the consular steps are waived and the case closes its normal way', async () => {
    const c = await drive.openCase(h.http, p.caseworker, consulateId);
    await drive.toConsularContact(h.http, p, c.id);
    await drive.act(h.http, p.caseworker, c.id, { type: 'record_consent', dataSharing: 'withdrawn' });
    expect(await drive.openTasksOf(h.http, p.consul, c.id)).toEqual([]);

    const review = await drive.reviewOf(h.http, p, c.id, 'data_sharing_withdrawn');
    expect(review.input.decisions).toMatchObject({ proceed: 'the consular steps still missing are waived and the case moves on to its return' });
    const reissue = await decide(review.id, { decision: 'reissue' });
    expect(reissue.status, JSON.stringify(reissue.body)).toBe(400);
    expect(reissue.body.error.details).toEqual([{ path: 'result.decision', message: 'reissue is not possible while data-sharing consent is withdrawn' }]);
    expect((await decide(review.id, { decision: 'proceed' })).status).toBe(200);
    expect((await getCase(c.id)).stage).toBe('return');

    await home(c.id);
    await exitReviewDone(c.id);
    const closed = await drive.closeThroughEmployment(h.http, p, c.id);
    expect(closed).toMatchObject({ status: 'closed', stage: 'closed', closure: { reason: 'reintegrated' } });
    expect(await timelineTypes(c.id)).toEqual(expect.arrayContaining(['consular_contact_waived', 'closure_approved']));
  });

  it('when the authority rejects its review and the supervisor proceeds, then the case moves on without a decision and closes its normal way', async () => {
    const c = await drive.openCase(h.http, p.caseworker, consulateId);
    await drive.toExitRestrictionCheck(h.http, p, c.id);
    const [task] = await drive.openTasksOf(h.http, p.immigration, c.id, 'exit_restriction_review');
    expect((await h.http.post(`/v1/tasks/${task!.id}/reject`).set(auth(p.immigration)).send({ reason: 'no record of this person' })).status).toBe(200);

    const review = await drive.reviewOf(h.http, p, c.id, 'task_rejected', 'exit_restriction_review');
    expect((await decide(review.id, { decision: 'proceed' })).status).toBe(200);
    const moved = await getCase(c.id);
    expect(moved).toMatchObject({ stage: 'employment_assistance', exitRestriction: null });

    const closed = await drive.closeThroughEmployment(h.http, p, c.id);
    expect(closed).toMatchObject({ status: 'closed', closure: { reason: 'reintegrated' } });
    expect(await timelineTypes(c.id)).toEqual(expect.arrayContaining(['exit_restriction_check_waived', 'closure_approved']));
  });

  it('when the authority rejects its review and the supervisor waits, then the review is sent again after the waiting period and the case closes its normal way', async () => {
    const c = await drive.openCase(h.http, p.caseworker, consulateId);
    await drive.toExitRestrictionCheck(h.http, p, c.id);
    const [task] = await drive.openTasksOf(h.http, p.immigration, c.id, 'exit_restriction_review');
    expect((await h.http.post(`/v1/tasks/${task!.id}/reject`).set(auth(p.immigration)).send({ reason: 'file incomplete' })).status).toBe(200);

    const review = await drive.reviewOf(h.http, p, c.id, 'task_rejected', 'exit_restriction_review');
    expect(review.input.decisions).toMatchObject({ wait: 'exit_restriction_review is sent again in 7 days' });
    expect((await decide(review.id, { decision: 'wait' })).status).toBe(200);
    const again = await drive.waitFor('the review sent again', async () => (await drive.openTasksOf(h.http, p.immigration, c.id, 'exit_restriction_review'))[0]);
    expect(again.id).not.toBe(task!.id);
    await drive.completeTask(h.http, p.immigration, again.id, { decision: 'not_restricted' });
    expect((await getCase(c.id)).stage).toBe('employment_assistance');

    const closed = await drive.closeThroughEmployment(h.http, p, c.id);
    expect(closed).toMatchObject({ status: 'closed', closure: { reason: 'reintegrated' } });
    expect(await timelineTypes(c.id)).toEqual(expect.arrayContaining(['review_waiting', 'review_wait_over']));
  });

  it('when the medical check finds the person unfit, then no return is booked until a fit record, and the case closes its normal way', async () => {
    const c = await drive.openCase(h.http, p.caseworker, consulateId);
    await drive.toConsularContact(h.http, p, c.id, { injured: true });
    for (const t of await drive.openTasksOf(h.http, p.consul, c.id)) {
      const result = t.type === 'arrange_medical_check' ? { fitToTravel: false, notes: 'fractured wrist' } : drive.CONSULAR_RESULTS[t.type]!;
      await drive.completeTask(h.http, p.consul, t.id, result);
    }
    expect(await getCase(c.id)).toMatchObject({ stage: 'return', medical: { fitToTravel: false } });
    const refused = await h.http.post(`/v1/cases/${c.id}/actions`).set(auth(p.caseworker)).send({ type: 'book_return', departureAt: '2026-12-02T06:00:00Z', arrivalPort: 'MNL' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'invalid_transition', details: { stage: 'return' } });
    expect(refused.body.error.details.allowed).not.toContain('book_return');

    await drive.act(h.http, p.caseworker, c.id, { type: 'record_medical', fitToTravel: true, notes: 'cleared' });
    await home(c.id);
    await exitReviewDone(c.id);
    const closed = await drive.closeThroughEmployment(h.http, p, c.id);
    expect(closed).toMatchObject({ status: 'closed', closure: { reason: 'reintegrated' } });
  });
});
