// The persist activity is the read model's only writer, and Temporal may run it more than once (a
// retry after a timeout, a lost response) or late (an older step landing after a newer one). Run
// on the real database, without Temporal: every write must be idempotent and only move forward.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseActivities } from '../../activities/cases.js';
import type { PersistCaseInput } from '../../activities/cases.js';
import {
  type CaseState,
  completeTask,
  decideApproval,
  validateDecision,
  validateTaskCompletion,
} from '../../domain/case.js';
import { aad, openSnapshot } from '../../db/at-rest.js';
import { type Harness, startHarness } from '../support/harness.js';
import { steppedCase } from '../support/stepped-case.js';

let h: Harness;
let persistCase: ReturnType<typeof createCaseActivities>['persistCase'];

beforeAll(async () => {
  h = await startHarness({ worker: false });
  ({ persistCase } = createCaseActivities({ db: h.db, hasher: h.hasher, cipher: h.cipher }));
});
afterAll(async () => {
  await h?.stop();
});

const actor = { sub: 'cw-test', role: 'caseworker' as const };

/** A case driven by the pure lifecycle, producing exactly what the workflow hands to persistCase. */
const newCase = () => steppedCase({ actor, office: `persist-${randomUUID().slice(0, 8)}`, openedAt: '2026-10-01T08:00:00.000Z', stepMs: 60_000, tag: 'T' });

async function rows(sqlText: string, params: unknown[]) {
  return (await h.db.$client.query(sqlText, params)).rows;
}
const caseRow = async (id: string) => (await rows('select id, version, stage, status, snapshot from cases where id = $1', [id]))[0];
// The result column is sealed at rest: opened here as the API opens it.
const taskRow = async (id: string) => {
  const row = (await rows('select status, claimed_by, escalation_level, rev, result from tasks where id = $1', [id]))[0];
  return row && { ...row, result: h.cipher.open(row.result, aad.task(id, 'result')) };
};

async function expectTimeline(caseId: string, state: CaseState) {
  const dupes = await rows('select seq from case_events where case_id = $1 group by seq having count(*) > 1', [caseId]);
  expect(dupes).toEqual([]);
  const seqs = (await rows('select seq from case_events where case_id = $1 order by seq', [caseId])).map((r) => r.seq as number);
  expect(seqs).toEqual(Array.from({ length: state.seq }, (_, i) => i + 1));
}

describe('persistCase', () => {
  it('when every step is persisted twice (and once more concurrently), then each timeline seq, task, approval and document is there exactly once', async () => {
    const c = newCase();
    const opened = c.opened();
    const located = c.doAction({ type: 'confirm_location', location: { country: 'MM', site: 'KK Park' } });
    const extracted = c.doAction({ type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak' });
    const closing = c.doAction({ type: 'request_closure', reason: 'duplicate' });
    expect(extracted.tasks.map((t) => t.type).sort()).toEqual(['issue_travel_document', 'verify_nationality']);
    expect(closing.approvals).toHaveLength(1);

    for (const step of [opened, located, extracted, closing]) {
      await persistCase(step);
      await persistCase(step);
    }
    // A retry overlapping the attempt it retries.
    await Promise.all([persistCase(extracted), persistCase(extracted), persistCase(closing)]);

    await expectTimeline(c.caseId, c.state);
    expect(await rows('select id from cases where id = $1', [c.caseId])).toHaveLength(1);
    const tasks = await rows('select id, type, status from tasks where case_id = $1 order by type', [c.caseId]);
    expect(tasks.map((t) => [t.id, t.type, t.status])).toEqual(
      [...extracted.tasks].sort((a, b) => a.type.localeCompare(b.type)).map((t) => [t.id, t.type, 'open']),
    );
    const approvals = await rows('select id, status from approvals where case_id = $1', [c.caseId]);
    expect(approvals).toEqual([{ id: closing.approvals[0]!.id, status: 'pending' }]);
    expect(await rows('select case_id from identity_documents where case_id = $1', [c.caseId])).toHaveLength(1);
    expect(await caseRow(c.caseId)).toMatchObject({ version: 4, stage: 'consular_contact', status: 'open' });
  });

  it('when an older version is replayed after a newer one, then the case row keeps the newer version', async () => {
    const c = newCase();
    const opened = c.opened();
    const located = c.doAction({ type: 'confirm_location', location: { country: 'MM' } });
    const noted = c.doAction({ type: 'add_note', text: 'newest' });
    await persistCase(opened);
    await persistCase(located);
    await persistCase(noted);
    expect(await caseRow(c.caseId)).toMatchObject({ version: 3, stage: 'extraction' });

    // Out of order: version 1 (stage locating) and version 2 land late.
    await persistCase(opened);
    await persistCase(located);
    const row = await caseRow(c.caseId);
    expect(row).toMatchObject({ version: 3, stage: 'extraction' });
    expect(openSnapshot<{ version: number; stage: string }>(h.cipher, row as { id: string; snapshot: unknown }).version).toBe(3);
    await expectTimeline(c.caseId, c.state);

    // A step written for the first time after a newer one still adds its own timeline rows.
    const d = newCase();
    const dOpened = d.opened();
    const dNote = d.doAction({ type: 'add_note', text: 'one' });
    const dNote2 = d.doAction({ type: 'add_note', text: 'two' });
    await persistCase(dOpened);
    await persistCase(dNote2);
    await persistCase(dNote);
    expect(await caseRow(d.caseId)).toMatchObject({ version: 3 });
    await expectTimeline(d.caseId, d.state);
  });

  it('when a task is re-persisted as open after an officer claimed it, then the claim stays; a completion still lands', async () => {
    const c = newCase();
    await persistCase(c.opened());
    await persistCase(c.doAction({ type: 'confirm_location', location: { country: 'MM' } }));
    const extracted = c.doAction({ type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak' });
    await persistCase(extracted);
    const task = c.state.tasks.find((t) => t.type === 'verify_nationality')!;

    // The claim is inbox state, written by the API directly.
    await rows(`update tasks set status = 'claimed', claimed_by = 'consul-x', claimed_at = now() where id = $1 and status = 'open'`, [task.id]);

    // A retry of the step that created it (same rev) ...
    await persistCase(extracted);
    expect(await taskRow(task.id)).toMatchObject({ status: 'claimed', claimed_by: 'consul-x', rev: 1 });

    // ... and a newer revision that still says "open" (an escalation, as the workflow's timers do).
    task.escalationLevel = 1;
    task.rev += 1;
    const escalated = c.step({ events: [], tasks: [task], approvals: [] });
    await persistCase(escalated);
    await persistCase(escalated);
    expect(await taskRow(task.id)).toMatchObject({ status: 'claimed', claimed_by: 'consul-x', escalation_level: 1, rev: 2 });

    // The workflow's completion does replace the claim's status, and an older "open" cannot undo it.
    const { task: t, result } = validateTaskCompletion(c.state, task.id, { verified: true });
    const completed = c.step(completeTask(c.state, t, result, c.ctx()));
    await persistCase(completed);
    await persistCase(escalated);
    await persistCase(extracted);
    expect(await taskRow(task.id)).toMatchObject({ status: 'completed', rev: 3, result: { verified: true } });
    await expectTimeline(c.caseId, c.state);
  });

  it('when a pending approval is replayed after its decision, then the decision stays', async () => {
    const c = newCase();
    await persistCase(c.opened());
    const closing = c.doAction({ type: 'request_closure', reason: 'lost_contact' });
    await persistCase(closing);
    const approval = validateDecision(c.state, closing.approvals[0]!.id);
    const decided = c.step(decideApproval(c.state, approval, 'rejected', 'keep looking', { ...c.ctx(), actor: { sub: 'sup-x', role: 'supervisor' } }));
    await persistCase(decided);
    await persistCase(closing);
    await persistCase(decided);
    const [row] = await rows('select status, decided_by, rev from approvals where id = $1', [approval.id]);
    expect(row).toEqual({ status: 'rejected', decided_by: 'sup-x', rev: 2 });
    await expectTimeline(c.caseId, c.state);
  });

  it('when steps were written but never recorded (their worker or Temporal died first) and other steps take their places, then the read model holds only the recorded steps', async () => {
    const c = newCase();
    await persistCase(c.opened());
    await persistCase(c.doAction({ type: 'confirm_location', location: { country: 'MM' } }));
    const recorded = structuredClone(c.state);

    // Two lost steps: written with their timeline rows and the consulate's new tasks, then forgotten.
    const lost = c.doAction({ type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak' });
    await persistCase(lost);
    await persistCase(c.doAction({ type: 'add_note', text: 'never happened' }));
    expect(lost.tasks.length).toBeGreaterThan(0);

    // The workflow goes on from its recorded history, later: its next step gets the first lost
    // step's version and seq, lower than what the read model already holds.
    Object.assign(c.state, structuredClone(recorded));
    const taken = c.doAction({ type: 'add_note', text: 'the step that happened' });
    expect(taken.caseView.version).toBe(lost.caseView.version);
    await persistCase(taken);
    await persistCase(taken);
    // A lost step's write landing late changes nothing.
    await persistCase(lost);

    await expectTimeline(c.caseId, c.state);
    const events = await rows('select seq, type, data from case_events where case_id = $1 order by seq', [c.caseId]);
    expect(events.map((e) => e.type)).toEqual(['case_opened', 'confirm_location', 'stage_changed', 'add_note']);
    expect(h.cipher.open(events[3]!.data, aad.eventData(c.caseId, events[3]!.seq as number))).toEqual({ text: 'the step that happened' });
    expect(await rows('select id from tasks where case_id = $1', [c.caseId])).toEqual([]);
    expect(await caseRow(c.caseId)).toMatchObject({ version: taken.caseView.version, stage: 'extraction' });
  });
});

describe('persist failures', () => {
  it('when the database refuses a write for good, then the activity fails non-retryably with a message that quotes no personal data', async () => {
    const c = newCase();
    const first = c.opened();
    const view = first.caseView;
    const person = c.state.person;
    // A task pointing at a case row that does not exist violates the foreign key inside the transaction.
    const bad: PersistCaseInput = {
      ...first,
      tasks: [
        {
          id: randomUUID(),
          type: 'verify_nationality',
          agencyId: 'x',
          audience: 'agency',
          status: 'open',
          priority: 'normal',
          dueAt: view.createdAt,
          escalationLevel: 0,
          input: { fullName: person.fullName },
          result: null,
          reason: null,
          completedBy: null,
          createdAt: view.createdAt,
          completedAt: null,
          rev: 1,
          ladderStartAt: view.createdAt,
          remindedAt: null,
          caseId: randomUUID(),
          caseReference: view.reference,
          office: view.office,
        },
      ],
      approvals: [],
    };
    const err = await persistCase(bad).then(
      () => undefined,
      (e: unknown) => e as Error & { type?: string; nonRetryable?: boolean },
    );
    expect(err).toBeDefined();
    // A broken reference never heals by retrying: the workflow is told at once and applies nothing.
    expect(err!.type).toBe('ReadModelRefused');
    expect(err!.nonRetryable).toBe(true);
    expect(err!.message).toMatch(/\(23503\)/);
    const text = `${err!.message} ${err!.stack ?? ''} ${JSON.stringify(err)}`;
    expect(text).not.toContain(person.fullName);
    expect(text).not.toContain(person.documents[0]!.number);
    // Nothing of the failed transaction remains.
    const rows = await h.db.$client.query('select count(*)::int as n from cases where id = $1', [c.caseId]);
    expect(rows.rows[0].n).toBe(0);
  });
});
