// Waking a webhook subscription's dispatcher (workflows/webhook-dispatcher.ts), shared by the API (a
// new subscription) and the case steps that enqueue its deliveries (activities/cases.ts): one
// workflow per subscription, by its id, started if it is not running.
import type { Client } from '@temporalio/client';
import { webhookWorkflowId } from '../domain/ids.js';
import { webhookWakeSignal } from '../workflows/definitions.js';
import type { webhookDispatcherWorkflow } from '../workflows/webhook-dispatcher.js';
import { withDeadline } from './case-update.js';

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

/**
 * Wakes for a busy day: many steps of one office enqueue deliveries for the same subscription at
 * once, and one wake per step would flood its dispatcher's history with signals it does not need
 * (one wake makes it read everything pending). Per subscription, one wake is in flight at a time;
 * wakes asked for meanwhile become one more, sent `minIntervalMs` after the last.
 */
export function createWebhookWaker(temporal: Client, taskQueue: string, opts: { timeoutMs: number; minIntervalMs: number }) {
  const inFlight = new Map<string, { again: boolean }>();
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function wakeOne(webhookId: string): Promise<void> {
    const pending = inFlight.get(webhookId);
    if (pending) {
      pending.again = true;
      return;
    }
    const entry = { again: false };
    inFlight.set(webhookId, entry);
    try {
      do {
        entry.again = false;
        await withDeadline(temporal, opts.timeoutMs, () => wakeWebhookDispatcher(temporal, taskQueue, webhookId));
        await sleep(opts.minIntervalMs);
      } while (entry.again);
    } finally {
      inFlight.delete(webhookId);
    }
  }

  return async (webhookIds: string[]): Promise<void> => {
    await Promise.all(webhookIds.map(wakeOne));
  };
}
