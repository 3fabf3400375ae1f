// Every task type, worked through its inbox (claim, unclaim, complete, reject), on the real app: the
// inbox (GET /v1/tasks, /v1/tasks/:id) and the case (`openTasks` of GET /v1/cases/:id and of an
// action's answer) say the same of each task at every step, claims included, though claims live in
// the read model only and the case's tasks in its workflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_TYPES, type TaskType } from '../../domain/schemas.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { bearer, expectError, timelineRows } from './support.js';

const DAY_S = 86_400;

let h: Harness;
/** The same task queue, deadlines 180 days in 12 s: for the case whose follow-ups come on their day. */
let fast: Harness;
let p: drive.People;
let consulateId: string;
const covered = new Set<TaskType>();

beforeAll(async () => {
  h = await startHarness();
  fast = await startHarness({ worker: false, config: { TEMPORAL_TASK_QUEUE: h.config.temporal.taskQueue, HOMEWARD_TIME_SCALE: String(12 / (180 * DAY_S)) } });
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  await fast?.stop();
  await h?.stop();
});

type InboxTask = { id: string; type: TaskType; status: string; claimedBy: string | null } & Record<string, unknown>;
type CaseTask = { id: string; type: TaskType; status: string; claimedBy: string | null } & Record<string, unknown>;

async function inboxTask(token: string, caseId: string, taskId: string): Promise<InboxTask> {
  const list = await h.http.get('/v1/tasks').query({ caseId, limit: 200 }).set(bearer(token));
  expect(list.status, JSON.stringify(list.body)).toBe(200);
  const listed = (list.body.items as InboxTask[]).find((t) => t.id === taskId);
  const one = await h.http.get(`/v1/tasks/${taskId}`).set(bearer(token));
  expect(one.status, JSON.stringify(one.body)).toBe(200);
  expect(listed, `task ${taskId} in the inbox list`).toEqual(one.body);
  return one.body as InboxTask;
}

async function caseTasks(caseId: string): Promise<CaseTask[]> {
  const res = await h.http.get(`/v1/cases/${caseId}`).set(bearer(p.caseworker));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.openTasks as CaseTask[];
}

/**
 * The inbox (as `token` sees it) and the case agree on the task, and it is as expected: while it is
 * open or claimed the case shows it with every field the inbox shows; once done, only the inbox does.
 */
async function agree(token: string, caseId: string, taskId: string, expected: { status: string; claimedBy: string | null }, openTasks?: CaseTask[]) {
  const inbox = await inboxTask(token, caseId, taskId);
  const inCase = (openTasks ?? (await caseTasks(caseId))).find((t) => t.id === taskId);
  expect({ status: inbox.status, claimedBy: inbox.claimedBy }).toEqual(expected);
  if (expected.status === 'open' || expected.status === 'claimed') {
    expect(inCase, `task ${taskId} (${inbox.type}) in the case's openTasks`).toBeDefined();
    expect(inCase).toEqual(Object.fromEntries(Object.keys(inCase!).map((k) => [k, inbox[k]])));
  } else {
    expect(inCase, `a ${expected.status} task stays out of openTasks`).toBeUndefined();
  }
  covered.add(inbox.type);
  return inbox;
}

const post = (token: string, taskId: string, verb: 'claim' | 'unclaim' | 'complete' | 'reject', body?: object) =>
  h.http.post(`/v1/tasks/${taskId}/${verb}`).set(bearer(token)).send(body);

async function ok(res: { status: number; body: unknown }) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as InboxTask;
}

/** Claim, give back, claim again: after each, the inbox and the case agree; the answer is the inbox's task. */
async function claimUnclaimClaim(token: string, sub: string, caseId: string, taskId: string) {
  await agree(token, caseId, taskId, { status: 'open', claimedBy: null });
  expect(await ok(await post(token, taskId, 'claim'))).toEqual(await agree(token, caseId, taskId, { status: 'claimed', claimedBy: sub }));
  expect(await ok(await post(token, taskId, 'unclaim'))).toEqual(await agree(token, caseId, taskId, { status: 'open', claimedBy: null }));
  await ok(await post(token, taskId, 'claim'));
  await agree(token, caseId, taskId, { status: 'claimed', claimedBy: sub });
}

async function openTaskOf(token: string, caseId: string, type: TaskType): Promise<InboxTask> {
  return drive.waitFor(`an open ${type} task`, async () => (await drive.openTasksOf(h.http, token, caseId, type))[0] as unknown as InboxTask | undefined);
}

describe('the inbox and the case agree on every task type', () => {
  it('when consular tasks are claimed, given back, completed or rejected, and the review of the rejection is worked, then the inbox and openTasks agree at every step', async () => {
    // abused → shelter; injured → medical check: all four consular task types.
    const opened = await drive.openCase(h.http, p.caseworker, consulateId, { riskFlags: ['abused'] });
    const caseId = opened.id;
    await drive.toConsularContact(h.http, p, caseId, { injured: true });
    const consular = (await drive.openTasksOf(h.http, p.consul, caseId)) as unknown as InboxTask[];
    expect(consular.map((t) => t.type).sort()).toEqual(['arrange_medical_check', 'arrange_shelter', 'issue_travel_document', 'verify_nationality']);

    for (const t of consular) await claimUnclaimClaim(p.consul, 'consul-chen', caseId, t.id);
    // An action's answer shows the claims as well.
    const noted = await drive.act(h.http, p.caseworker, caseId, { type: 'add_note', text: 'the consulate has every task' });
    for (const t of consular) await agree(p.consul, caseId, t.id, { status: 'claimed', claimedBy: 'consul-chen' }, noted.openTasks as CaseTask[]);

    const shelter = consular.find((t) => t.type === 'arrange_shelter')!;
    await ok(await post(p.consul, shelter.id, 'reject', { reason: 'no shelter places this month' }));
    await agree(p.consul, caseId, shelter.id, { status: 'rejected', claimedBy: 'consul-chen' });
    for (const t of consular.filter((t) => t !== shelter)) {
      // One result per task: each read of CONSULAR_RESULTS issues a new travel document number.
      const result = drive.CONSULAR_RESULTS[t.type];
      const done = await ok(await post(p.consul, t.id, 'complete', { result }));
      expect(done).toMatchObject({ status: 'completed', result });
      await agree(p.consul, caseId, t.id, { status: 'completed', claimedBy: 'consul-chen' });
    }

    const review = await openTaskOf(p.supervisor, caseId, 'supervisor_review');
    await claimUnclaimClaim(p.supervisor, 'sup-ben', caseId, review.id);
    // Only an agency's task can be rejected: the case refuses, and the review stays as it was.
    expectError(await post(p.supervisor, review.id, 'reject', { reason: 'not mine' }), 409, 'conflict');
    await agree(p.supervisor, caseId, review.id, { status: 'claimed', claimedBy: 'sup-ben' });
    await ok(await post(p.supervisor, review.id, 'complete', { result: { decision: 'proceed', notes: 'family will host her' } }));
    await agree(p.supervisor, caseId, review.id, { status: 'completed', claimedBy: 'sup-ben' });
  });

  it('when the exit restriction review is claimed, given back, claimed and completed, then the inbox and openTasks agree at every step', async () => {
    const opened = await drive.openCase(h.http, p.caseworker, consulateId);
    await drive.toExitRestrictionCheck(h.http, p, opened.id);
    const review = await openTaskOf(p.immigration, opened.id, 'exit_restriction_review');
    await claimUnclaimClaim(p.immigration, 'nia-dara', opened.id, review.id);
    await ok(await post(p.immigration, review.id, 'complete', { result: { decision: 'not_restricted' } }));
    await agree(p.immigration, opened.id, review.id, { status: 'completed', claimedBy: 'nia-dara' });
  });

  it('when a follow-up is worked through the inbox like any task, then it completes with its result, the inbox and openTasks agree at every step, and rejecting it is refused', async () => {
    const opened = await drive.openCase(fast.http, p.caseworker, consulateId);
    const caseId = opened.id;
    await drive.toEmployment(h.http, p, caseId);
    await drive.act(h.http, p.caseworker, caseId, { type: 'record_placement', employer: 'Harbour Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
    const followUp = await openTaskOf(p.caseworker, caseId, 'follow_up');
    // No deadline moves the case while it is held, so each read sees the same case.
    await drive.act(h.http, p.caseworker, caseId, { type: 'hold', reason: 'the follow-up is worked by hand' });

    await claimUnclaimClaim(p.caseworker, 'cw-ana', caseId, followUp.id);
    expectError(await post(p.caseworker, followUp.id, 'reject', { reason: 'not mine' }), 409, 'conflict');
    await agree(p.caseworker, caseId, followUp.id, { status: 'claimed', claimedBy: 'cw-ana' });
    // A result of another type is refused by its type's schema, field by field.
    const wrong = expectError(await post(p.caseworker, followUp.id, 'complete', { result: { outcome: 'fine', verified: true } }), 400, 'validation_failed');
    expect(wrong.details).toEqual([
      { path: 'result.outcome', message: expect.any(String) },
      { path: 'result.verified', message: 'unknown field' },
    ]);

    const done = await ok(await post(p.caseworker, followUp.id, 'complete', { result: { outcome: 'employed', notes: 'settled in' } }));
    expect(done).toMatchObject({ type: 'follow_up', status: 'completed', result: { outcome: 'employed', notes: 'settled in' } });
    await agree(p.caseworker, caseId, followUp.id, { status: 'completed', claimedBy: 'cw-ana' });
    const completions = (await timelineRows(h, caseId)).filter((e) => e.type === 'task_completed' && e.data.taskId === followUp.id);
    expect(completions.map((e) => e.data)).toEqual([{ taskId: followUp.id, taskType: 'follow_up', result: { outcome: 'employed', notes: 'settled in' } }]);
  });

  it('when the runs above are done, then every task type was worked through its inbox', () => {
    expect([...covered].sort()).toEqual([...TASK_TYPES].sort());
  });
});
