// The bulk action workflow keeps its history bounded whatever the number of cases: one activity per
// batch, and continue-as-new every so many batches. Here with one case per batch and two batches per
// run, so a handful of cases takes several runs; each run stays small, every run replays against the
// current code, and every case still takes the action exactly once across the runs.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { allRuns, replayFailures, workflowTaskFailures } from '../support/histories.js';
import { eventCounts, raid } from '../support/bulk.js';
import { bulkActionWorkflowId } from '../../domain/ids.js';
import type { bulkActionWorkflow } from '../../workflows/bulk-action.js';

let h: Harness;
let p: drive.People;
let consulateId: string;
beforeAll(async () => {
  h = await startHarness({ config: { HOMEWARD_BULK_BATCH_SIZE: '1', HOMEWARD_BULK_CONCURRENCY: '1' } });
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  await h?.stop();
});

describe('the bulk action workflow', () => {
  it('when it works through more batches than one run takes, then it continues as new, each run stays small and replays, and every case takes the action once', async () => {
    const r = await raid(h, p.caseworker, consulateId, 7);
    // The rows the API would write, and the workflow started with fewer batches per run than in production.
    const bulkId = randomUUID();
    await h.db.$client.query(`insert into bulk_actions (id, operation_id, type, status, total, requested_by) values ($1, $2, 'add_note', 'running', 7, $3)`, [
      bulkId,
      r.id,
      JSON.stringify({ sub: 'cw-ana', role: 'caseworker' }),
    ]);
    await h.db.$client.query('insert into bulk_action_results (bulk_id, case_id) select $1, unnest($2::uuid[])', [bulkId, r.caseIds]);
    const handle = await h.temporal.workflow.start<typeof bulkActionWorkflow>('bulkActionWorkflow', {
      workflowId: bulkActionWorkflowId(bulkId),
      taskQueue: h.config.temporal.taskQueue,
      args: [{ bulkId, action: { type: 'add_note', text: 'Seen at the shelter' }, actor: { sub: 'cw-ana', role: 'caseworker' }, batchesPerRun: 2 }],
    });
    await handle.result();

    const runs = await allRuns(h.temporal, handle.workflowId);
    // Seven batches, two per run.
    expect(runs).toHaveLength(4);
    for (const run of runs) {
      expect(workflowTaskFailures(run.history)).toEqual([]);
      // Start, two activities (scheduled, started, completed) with their workflow tasks, the end: well under 40.
      expect(run.history.events!.length).toBeLessThan(40);
    }
    expect(await replayFailures(runs, h.config)).toEqual([]);

    const status = await h.http.get(`/v1/operations/${r.id}/actions/${bulkId}`).set('Authorization', `Bearer ${p.caseworker}`);
    expect(status.body).toMatchObject({ status: 'completed', total: 7, succeeded: 7, failedCount: 0, pending: 0 });
    expect([...(await eventCounts(h, r.caseIds, 'add_note')).values()]).toEqual(Array(7).fill(1));
  });
});
