// Time in a case, on the real servers: the ladder on a consular task, hold and resume, follow-ups,
// an exit restriction that ends after the case closed, and overdue in the read model. Durations
// are shortened through HOMEWARD_TIME_SCALE, which each case records at its start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';

const DAY_S = 86_400;
type Event = { seq: number; at: string; type: string; data: Record<string, unknown> };

async function timeline(h: Harness, token: string, id: string): Promise<Event[]> {
  const res = await h.http.get(`/v1/cases/${id}/timeline`).query({ limit: 500 }).set('Authorization', `Bearer ${token}`);
  expect(res.status).toBe(200);
  return res.body.items;
}
async function getCase(h: Harness, token: string, id: string) {
  const res = await h.http.get(`/v1/cases/${id}`).set('Authorization', `Bearer ${token}`);
  expect(res.status).toBe(200);
  return res.body;
}

function world(timeScale: number) {
  const w = {} as { h: Harness; p: drive.People; consulateId: string };
  beforeAll(async () => {
    w.h = await startHarness({ config: { HOMEWARD_TIME_SCALE: String(timeScale) } });
    w.consulateId = await createConsulate(w.h);
    w.p = await drive.people(w.h, w.consulateId);
  });
  afterAll(async () => {
    await w.h?.stop();
  });
  return w;
}

describe('the ladder on a consular task', () => {
  // One day lasts two seconds: the shelter task (1 day) reminds at 1 s, escalates at 2 s and 4 s.
  const w = world(2 / DAY_S);

  it('when the shelter task is left undone, then reminder, first and second escalation land on the timeline and the task, with a supervisor review and a raised priority', async () => {
    const { h, p, consulateId } = w;
    const c = await drive.openCase(h.http, p.caseworker, consulateId, { riskFlags: ['abused'] });
    expect(c).toMatchObject({ priority: 'high' });
    await drive.toConsularContact(h.http, p, c.id);
    const [shelter] = await drive.openTasksOf(h.http, p.consul, c.id, 'arrange_shelter');
    expect(shelter!.escalationLevel).toBe(0);

    const escalated = await drive.waitFor('second escalation', async () =>
      (await drive.openTasksOf(h.http, p.consul, c.id, 'arrange_shelter')).find((t) => t.escalationLevel === 2),
    );
    // The task stays with the consulate all along.
    expect(escalated.id).toBe(shelter!.id);

    const events = (await timeline(h, p.caseworker, c.id)).filter((e) => e.data.taskId === shelter!.id || e.type === 'priority_raised');
    const ladder = events.filter((e) => ['task_reminder', 'task_escalated'].includes(e.type) && e.data.taskId === shelter!.id);
    expect(ladder.map((e) => [e.type, e.data.level ?? null])).toEqual([
      ['task_reminder', null],
      ['task_escalated', 1],
      ['task_escalated', 2],
    ]);
    // Each rung at its time: half, due, twice (measured from creation, 1 day = 2 s).
    const created = Date.parse(events.find((e) => e.type === 'task_created')!.at);
    const offsets = ladder.map((e) => (Date.parse(e.at) - created) / 2000);
    expect(offsets[0]).toBeGreaterThanOrEqual(0.5);
    expect(offsets[1]).toBeGreaterThanOrEqual(1);
    expect(offsets[2]).toBeGreaterThanOrEqual(2);

    const reviews = await drive.openTasksOf(h.http, p.supervisor, c.id, 'supervisor_review');
    expect(reviews.length).toBeGreaterThanOrEqual(1);
    const escalatedReviews = await Promise.all(
      reviews.map(async (r) => (await h.http.get(`/v1/tasks/${r.id}`).set('Authorization', `Bearer ${p.supervisor}`)).body),
    );
    expect(escalatedReviews.some((r) => r.input.taskId === shelter!.id && r.input.topic === 'task_overdue')).toBe(true);

    const after = await getCase(h, p.caseworker, c.id);
    expect(after.priority).toBe('critical');

    // Overdue in the read model.
    const overdueTasks = await h.http.get('/v1/tasks').query({ overdue: 'true', caseId: c.id }).set('Authorization', `Bearer ${p.consul}`);
    expect(overdueTasks.body.items.map((t: { id: string }) => t.id)).toContain(shelter!.id);
    expect(overdueTasks.body.items.every((t: { overdue: boolean }) => t.overdue)).toBe(true);
    const overdueCases = await h.http.get('/v1/cases').query({ overdue: 'true' }).set('Authorization', `Bearer ${p.caseworker}`);
    expect(overdueCases.body.items.map((x: { id: string }) => x.id)).toContain(c.id);
    const onTime = await h.http.get('/v1/cases').query({ overdue: 'false' }).set('Authorization', `Bearer ${p.caseworker}`);
    expect(onTime.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
  });
});

describe('hold and resume', () => {
  // One day lasts four seconds: the shelter task is due four seconds after it is sent.
  const w = world(4 / DAY_S);

  it('when a case is held in the middle of a deadline and resumed, then the deadline fires after the time it had left, not before', async () => {
    const { h, p, consulateId } = w;
    const c = await drive.openCase(h.http, p.caseworker, consulateId, { riskFlags: ['abused'] });
    await drive.toConsularContact(h.http, p, c.id);
    const [before] = await drive.openTasksOf(h.http, p.consul, c.id, 'arrange_shelter');

    const held = await drive.act(h.http, p.caseworker, c.id, { type: 'hold', reason: 'person in hospital' });
    const heldAt = Date.now();
    expect(held.nextDeadline).toMatchObject({ paused: true });
    const remaining = Date.parse(before!.dueAt) - heldAt;
    expect(remaining).toBeGreaterThan(2000);

    // Longer than the whole ladder: nothing may fire while on hold.
    await new Promise((r) => setTimeout(r, 9_000));
    const whileHeld = await timeline(h, p.caseworker, c.id);
    expect(whileHeld.filter((e) => e.type === 'task_reminder' || e.type === 'task_escalated')).toEqual([]);
    expect((await drive.openTasksOf(h.http, p.consul, c.id, 'arrange_shelter'))[0]!.escalationLevel).toBe(0);

    await drive.act(h.http, p.caseworker, c.id, { type: 'resume' });
    const resumedAt = Date.now();
    const [shifted] = await drive.openTasksOf(h.http, p.consul, c.id, 'arrange_shelter');
    // The due time moved by exactly the time on hold.
    const moved = Date.parse(shifted!.dueAt) - Date.parse(before!.dueAt);
    expect(moved).toBeGreaterThan(resumedAt - heldAt - 1500);
    expect(moved).toBeLessThan(resumedAt - heldAt + 1500);

    await drive.waitFor('first escalation', async () =>
      (await drive.openTasksOf(h.http, p.consul, c.id, 'arrange_shelter')).find((t) => t.escalationLevel >= 1),
    );
    const escalation = (await timeline(h, p.caseworker, c.id)).find((e) => e.type === 'task_escalated' && e.data.taskId === before!.id)!;
    expect(Date.parse(escalation.at)).toBeGreaterThanOrEqual(Date.parse(shifted!.dueAt));
    expect(Date.parse(escalation.at) - resumedAt).toBeGreaterThanOrEqual(remaining - 1500);
  });
});

describe('employment follow-ups', () => {
  // 180 days pass in about twelve seconds: follow-ups at 2 s, 6 s and 12 s, far enough apart to be
  // seen one by one even on a loaded machine.
  const w = world(12 / (180 * DAY_S));

  it('when a placement is recorded, then follow-ups arrive one by one on their days, and the last one asks for closure as reintegrated', async () => {
    const { h, p, consulateId } = w;
    const c = await drive.openCase(h.http, p.caseworker, consulateId);
    await drive.toEmployment(h.http, p, c.id);
    const placed = await drive.act(h.http, p.caseworker, c.id, { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
    expect(placed.openTasks.filter((t) => t.type === 'follow_up')).toEqual([]);

    const offsets: number[] = [];
    for (let i = 0; i < 3; i++) {
      const open = await drive.waitFor(`follow-up ${i + 1}`, async () => {
        const tasks = await drive.openTasksOf(h.http, p.caseworker, c.id, 'follow_up');
        return tasks.length > 0 ? tasks : undefined;
      });
      expect(open).toHaveLength(1);
      const task = await h.http.get(`/v1/tasks/${open[0]!.id}`).set('Authorization', `Bearer ${p.caseworker}`);
      offsets.push(task.body.input.dayOffset);
      await drive.act(h.http, p.caseworker, c.id, { type: 'record_follow_up', taskId: open[0]!.id, outcome: 'employed' });
    }
    expect(offsets).toEqual([30, 90, 180]);

    const view = await getCase(h, p.caseworker, c.id);
    expect(view.pendingApprovals).toHaveLength(1);
    expect(view.pendingApprovals[0]).toMatchObject({ reason: 'reintegrated', requestedBy: { role: 'system' } });
  });
});

describe('an exit restriction that outlives its case', () => {
  // A year of restriction passes in about four seconds.
  const w = world(4 / (365 * DAY_S));

  it('when the restriction ends after the case was closed, then the end is recorded and the case shows it lifted', async () => {
    const { h, p, consulateId } = w;
    const c = await drive.openCase(h.http, p.caseworker, consulateId);
    const from = new Date().toISOString().slice(0, 10);
    const until = new Date(Date.now() + 365 * DAY_S * 1000).toISOString().slice(0, 10);
    await drive.toEmployment(h.http, p, c.id, { decision: 'restricted', basis: 'Exit and Entry Administration Law art. 12', from, until });
    const restricted = await getCase(h, p.caseworker, c.id);
    expect(restricted.exitRestriction).toMatchObject({ status: 'active', until });
    const refused = await h.http
      .post(`/v1/cases/${c.id}/actions`)
      .set('Authorization', `Bearer ${p.caseworker}`)
      .send({ type: 'record_placement', employer: 'X', position: 'Y', startDate: from, abroad: true });
    expect(refused.status).toBe(409);

    await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'transferred' });
    await drive.approveClosure(h.http, p, c.id);
    const closed = await getCase(h, p.caseworker, c.id);
    expect(closed).toMatchObject({ status: 'closed', exitRestriction: { status: 'active' } });

    const lifted = await drive.waitFor(
      'the restriction to be lifted',
      async () => {
        const view = await getCase(h, p.caseworker, c.id);
        return view.exitRestriction.status === 'lifted' ? view : undefined;
      },
      30_000,
      250,
    );
    expect(lifted.status).toBe('closed');
    expect(lifted.exitRestriction.liftedAt).toBeTruthy();
    const events = await timeline(h, p.caseworker, c.id);
    const expiry = events.filter((e) => e.type === 'exit_restriction_expired');
    expect(expiry).toHaveLength(1);
    expect(expiry[0]!.seq).toBe(events.length);
    expect(events.findIndex((e) => e.type === 'closure_approved')).toBeLessThan(events.indexOf(expiry[0]!));
  });
});
