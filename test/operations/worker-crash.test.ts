// A worker process killed (SIGKILL) in the middle of an operation, then started again: every person
// still ends with exactly one case. The API runs in this process; the worker is a real child process.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { raidPersons } from '../support/raid.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let h: Harness;
let p: drive.People;
let consulateId: string;
const children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: h.config.databaseUrl,
      TEMPORAL_ADDRESS: h.config.temporal.address,
      TEMPORAL_NAMESPACE: h.config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: h.config.temporal.taskQueue,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  h = await startHarness({ worker: false });
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await h?.stop();
});

describe('a worker crash during an operation', () => {
  it('when the worker is killed mid-operation and started again, then every person has exactly one case', async () => {
    const total = 400;
    const first = startWorkerProcess();
    const res = await h.http
      .post('/v1/operations')
      .set('Authorization', `Bearer ${p.caseworker}`)
      .send({ name: 'Crash drill', country: 'KH', site: 'Sihanoukville', date: '2026-11-21', consulateId, persons: raidPersons(total) });
    expect(res.status).toBe(202);
    const opId = res.body.id as string;
    const opened = async () =>
      (await h.db.$client.query('select count(*)::int as n from cases where operation_id = $1', [opId])).rows[0].n as number;

    // Kill it once some cases exist but the operation is far from done.
    await drive.waitFor('the first cases', async () => ((await opened()) >= 10 ? true : undefined), 120_000, 50);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atCrash = await opened();
    expect(atCrash).toBeLessThan(total);

    startWorkerProcess();
    const done = await drive.waitFor(
      'the operation to complete after the restart',
      async () => {
        const r = await h.http.get(`/v1/operations/${opId}`).set('Authorization', `Bearer ${p.caseworker}`);
        return r.body.status === 'completed' ? r.body : undefined;
      },
      300_000,
      500,
    );
    expect(done).toMatchObject({ total, opened: total, linkedExisting: 0, merged: 0, failed: 0, pending: 0 });

    const cases = await h.db.$client.query('select count(*)::int as n, count(distinct reference)::int as refs from cases where operation_id = $1', [opId]);
    expect(cases.rows[0]).toEqual({ n: total, refs: total });
    const persons = await h.db.$client.query(
      'select count(distinct case_id)::int as cases, count(*)::int as persons from operation_persons where operation_id = $1',
      [opId],
    );
    expect(persons.rows[0]).toEqual({ cases: total, persons: total });
    // Every case's workflow runs: its first step writes the opening to the timeline, exactly once.
    const openings = async () =>
      (
        await h.db.$client.query(
          `select count(*)::int as n from case_events e join cases c on c.id = e.case_id where c.operation_id = $1 and e.type = 'case_opened'`,
          [opId],
        )
      ).rows[0].n as number;
    await drive.waitFor('every case workflow to record its opening', async () => ((await openings()) >= total ? true : undefined), 300_000, 500);
    expect(await openings()).toBe(total);
  }, 700_000);
});
