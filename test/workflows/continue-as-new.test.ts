// Continue-as-new in the middle of a case's life, on a Temporal server of its own whose
// `limit.historyCount.suggestContinueAsNew` is lowered to 60 events: open tasks, running timers and
// the timeline carry over, and callers see the same case under the same workflow id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureSearchAttributes, startTemporalDevServer, type TemporalServerHandle } from '../../scripts/temporal-server.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { type Harness, createConsulate, quietRuntime, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';

let server: TemporalServerHandle;
let h: Harness;
let p: drive.People;
let consulateId: string;

beforeAll(async () => {
  // Before the dev server: the SDK brings up its runtime for it, which cannot be configured afterwards.
  quietRuntime();
  server = await startTemporalDevServer({ port: 0, uiPort: false, dbFile: null, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 } });
  await ensureSearchAttributes(server.address, 'default');
  h = await startHarness({ config: { DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: server.address } });
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  await h?.stop();
  await server?.stop();
});

describe('continue-as-new', () => {
  it('when a run has taken its policy\'s number of updates, then it continues as new before the server would suggest it', async () => {
    // The global test server suggests continue-as-new only at 4,000 events; this case's policy says 10 updates.
    const small = await startHarness({ config: { HOMEWARD_MAX_MESSAGES_PER_RUN: '10' } });
    try {
      const consulate = await createConsulate(small);
      const people = await drive.people(small, consulate);
      const c = await drive.openCase(small.http, people.caseworker, consulate);
      const handle = small.temporal.workflow.getHandle(caseWorkflowId(c.id));
      const firstRun = (await handle.describe()).runId;
      for (let i = 0; i < 12; i++) await drive.act(small.http, people.caseworker, c.id, { type: 'add_note', text: `note ${i}` });
      const info = await handle.describe();
      expect(info.runId).not.toBe(firstRun);
      expect(info.historyLength).toBeLessThan(60);
      const view = (await small.http.get(`/v1/cases/${c.id}`).set('Authorization', `Bearer ${people.caseworker}`)).body;
      expect(view.version).toBe(13);
    } finally {
      await small.stop();
    }
  });

  it('when a case with open tasks and running timers continues as new, then nothing is lost and the API answers the same', async () => {
    const c = await drive.openCase(h.http, p.caseworker, consulateId, { riskFlags: ['abused'] });
    await drive.toConsularContact(h.http, p, c.id);
    const handle = h.temporal.workflow.getHandle(caseWorkflowId(c.id));
    const firstRun = (await handle.describe()).runId;
    const before = (await h.http.get(`/v1/cases/${c.id}`).set('Authorization', `Bearer ${p.caseworker}`)).body;
    expect(before.openTasks.length).toBe(3);

    const notes = 20;
    for (let i = 0; i < notes; i++) await drive.act(h.http, p.caseworker, c.id, { type: 'add_note', text: `call ${i}` });

    const info = await handle.describe();
    expect(info.runId).not.toBe(firstRun);
    expect(info.status.name).toBe('RUNNING');

    const after = (await h.http.get(`/v1/cases/${c.id}`).set('Authorization', `Bearer ${p.caseworker}`)).body;
    const same = (v: typeof before) => ({
      stage: v.stage,
      priority: v.priority,
      consent: v.consent,
      openTasks: v.openTasks.map((t: { id: string; dueAt: string; escalationLevel: number }) => [t.id, t.dueAt, t.escalationLevel]),
      nextDeadline: v.nextDeadline,
      allowedActions: v.allowedActions,
      createdAt: v.createdAt,
    });
    expect(same(after)).toEqual(same(before));
    expect(after.version).toBe(before.version + notes);

    // The carried-over tasks still work, and the timeline has every step exactly once.
    for (const t of await drive.openTasksOf(h.http, p.consul, c.id)) await drive.completeTask(h.http, p.consul, t.id, drive.CONSULAR_RESULTS[t.type]!);
    const moved = (await h.http.get(`/v1/cases/${c.id}`).set('Authorization', `Bearer ${p.caseworker}`)).body;
    expect(moved.stage).toBe('return');
    const timeline = (await h.http.get(`/v1/cases/${c.id}/timeline`).query({ limit: 500 }).set('Authorization', `Bearer ${p.caseworker}`)).body.items as Array<{ seq: number; type: string }>;
    expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
    expect(timeline.filter((e) => e.type === 'add_note')).toHaveLength(notes);
  });
});
