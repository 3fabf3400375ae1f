// A mass rescue operation: opens one case per person in bounded batches, linking people who already
// have an open case. The persons live in PostgreSQL, so the workflow's input and history stay small
// whatever the size; it continues as new every so many batches to keep its history bounded.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';

export interface OperationInput {
  operationId: string;
  batchSize?: number;
}

// A batch of persons may take a while (each is a workflow start); the heartbeat shows it is alive,
// so a killed worker is noticed in seconds, not at the end of the start-to-close timeout.
const { openOperationBatch } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
const { completeOperation } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const BATCHES_PER_RUN = 200;
export const DEFAULT_BATCH_SIZE = 100;

export async function operationWorkflow(input: OperationInput): Promise<void> {
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  for (let batches = 0; ; batches++) {
    const { remaining } = await openOperationBatch({ operationId: input.operationId, batchSize });
    if (remaining === 0) break;
    if (batches + 1 >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof operationWorkflow>(input);
    }
  }
  await completeOperation({ operationId: input.operationId });
}
