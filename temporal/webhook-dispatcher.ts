// Waking a webhook subscription's dispatcher (workflows/webhook-dispatcher.ts), shared by the API (a
// new subscription) and the case steps that enqueue its deliveries (activities/cases.ts): one
// workflow per subscription, by its id, started if it is not running.
import type { Client } from '@temporalio/client';
import { webhookWorkflowId } from '../domain/ids.js';
import { webhookWakeSignal } from '../workflows/definitions.js';
import type { webhookDispatcherWorkflow } from '../workflows/webhook-dispatcher.js';

/** Signal-with-start: a running dispatcher looks at its outbox at once; a missing one starts. */
export function wakeWebhookDispatcher(temporal: Client, taskQueue: string, webhookId: string): Promise<unknown> {
  return temporal.workflow.signalWithStart<typeof webhookDispatcherWorkflow, []>('webhookDispatcherWorkflow', {
    workflowId: webhookWorkflowId(webhookId),
    taskQueue,
    args: [{ webhookId }],
    signal: webhookWakeSignal,
    signalArgs: [],
  });
}
