// A bulk action on a raid: applies one case action to many cases of an operation, a batch at a time,
// each case through its own workflow's update (activities/bulk-actions.ts). Which cases and what
// became of each live in PostgreSQL, so the input and the history stay small whatever the size: one
// activity per batch, and continue-as-new every so many batches.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BulkBatchInput } from '../activities/bulk-actions.js';
import type { CaseActivities } from '../activities/index.js';

export interface BulkActionInput extends BulkBatchInput {
  /** Batches before continue-as-new (default 200; tests set fewer to see several runs). */
  batchesPerRun?: number;
}

// A batch asks up to HOMEWARD_BULK_BATCH_SIZE cases, each within the Temporal call timeout; the
// heartbeat shows it is alive, so a killed worker is noticed in seconds. Retried without a limit,
// backing off: a case that gives no answer is asked again a few times before it is recorded as failed.
const { applyBulkBatch } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
const { completeBulkAction } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export const DEFAULT_BATCHES_PER_RUN = 200;

export async function bulkActionWorkflow(input: BulkActionInput): Promise<void> {
  const { bulkId, action, actor } = input;
  for (let batches = 0; ; batches++) {
    const { remaining } = await applyBulkBatch({ bulkId, action, actor });
    if (remaining === 0) break;
    if (batches + 1 >= (input.batchesPerRun ?? DEFAULT_BATCHES_PER_RUN) || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof bulkActionWorkflow>(input);
    }
  }
  await completeBulkAction({ bulkId: input.bulkId });
}
