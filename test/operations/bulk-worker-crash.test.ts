// A worker process killed (SIGKILL) in the middle of a bulk action, then started again: the bulk
// action still finishes, and every case took the action exactly once. The action is add_note, which
// the lifecycle would accept a second time: only the bulk action's per-case update ids keep the
// retried batch from writing a note twice. The API runs in this process; the worker is a real
// child process, with small batches so the kill lands while a batch is in flight.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { type ChildHandle, startWorkerProcess } from '../support/processes.js';
import { eventCounts, postBulk, raid, waitBulk } from '../support/bulk.js';

let h: Harness;
let p: drive.People;
let consulateId: string;
const workers: ChildHandle[] = [];
// Few cases at a time, so the kill finds cases asked whose outcome is not recorded yet.
const WORKER_ENV = { HOMEWARD_BULK_CONCURRENCY: '4', HOMEWARD_BULK_BATCH_SIZE: '24' };

beforeAll(async () => {
  h = await startHarness({ worker: false });
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  for (const w of workers) await w.kill();
  await h?.stop();
});

describe('a worker crash during a bulk action', () => {
  it('when the worker is killed mid-batch and started again, then every case has the note exactly once and the bulk action completes', async () => {
    const total = 120;
    workers.push(await startWorkerProcess(h.config, WORKER_ENV));
    const r = await raid(h, p.caseworker, consulateId, total, 300_000);

    const res = await postBulk(h.http, p.caseworker, r.id, { type: 'add_note', text: 'Briefed on the return flight' });
    expect(res.status).toBe(202);
    const bulkId = res.body.id as string;
    const notes = async () =>
      (await h.db.$client.query<{ n: number }>(`select count(*)::int as n from case_events where case_id = any($1::uuid[]) and type = 'add_note'`, [r.caseIds])).rows[0]!.n;
    const recorded = async () =>
      (await h.db.$client.query<{ n: number }>('select count(*)::int as n from bulk_action_results where bulk_id = $1 and outcome is not null', [bulkId])).rows[0]!.n;

    // Kill it once some cases have their note but the bulk action is far from done, while a batch is
    // in flight: cases that took the note whose outcome is not recorded yet.
    await drive.waitFor('notes of a batch in flight', async () => {
      const [n, rec] = [await notes(), await recorded()];
      return n >= 30 && n - rec >= 3 ? true : undefined;
    }, 120_000, 10);
    await workers[0]!.kill('SIGKILL');
    const notesAtCrash = await notes();
    const recordedAtCrash = await recorded();
    expect(notesAtCrash).toBeLessThan(total);
    // Notes the killed worker wrote that no result records yet: the retried batch asks those cases again.
    expect(notesAtCrash).toBeGreaterThan(recordedAtCrash);

    workers.push(await startWorkerProcess(h.config, WORKER_ENV));
    const done = await waitBulk(h.http, p.caseworker, r.id, bulkId, 300_000);
    expect(done).toMatchObject({ status: 'completed', total, succeeded: total, failedCount: 0, pending: 0, failed: [] });
    const counts = await eventCounts(h, r.caseIds, 'add_note');
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
  }, 700_000);
});
