// One dispatcher per webhook subscription (`webhook-<id>`): delivers the subscription's outbox rows
// one at a time, in the order they were written, so a receiver sees a case's events in order. Each
// delivery is an activity retried with exponential backoff for the configured time (at least 24 h
// by default: config HOMEWARD_WEBHOOK_RETRY_*); if the receiver never answers 2xx in that time the
// delivery is marked failed and the next one goes. With nothing to deliver it looks again after a
// short pause (HOMEWARD_WEBHOOK_POLL_MS), or at once when woken: by the case step that enqueued a
// delivery, once it commits, which starts it again if it had ended (activities/cases.ts). It
// continues as new every so many rounds to keep its history small, and ends when the subscription
// is deleted.
import { ActivityFailure, condition, continueAsNew, isCancellation, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import { webhookWakeSignal } from './definitions.js';

export interface WebhookDispatcherInput {
  webhookId: string;
}

// Reading the outbox and settling a row are PostgreSQL writes: retried without a limit, like the case's.
const OUTBOX_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { webhookSettings, nextWebhookDeliveries } = proxyLocalActivities<CaseActivities>({ startToCloseTimeout: '30 seconds', retry: OUTBOX_RETRY });
const { settleFailedWebhookDelivery } = proxyActivities<CaseActivities>({ startToCloseTimeout: '30 seconds', retry: OUTBOX_RETRY });

/** Deliveries read per round. */
const BATCH = 50;
/** Rounds per run: an idle round (a local activity and a timer) costs a handful of history events. */
const ROUNDS_PER_RUN = 300;

/** The named retry policy of a delivery: exponential backoff, for `forMs` in all. */
export function deliveryRetry(retry: { initialMs: number; maxIntervalMs: number }) {
  return { initialInterval: retry.initialMs, backoffCoefficient: 2, maximumInterval: retry.maxIntervalMs } as const;
}

export async function webhookDispatcherWorkflow(input: WebhookDispatcherInput): Promise<void> {
  let woken = false;
  setHandler(webhookWakeSignal, () => {
    woken = true;
  });
  const settings = await webhookSettings();
  const { deliverWebhook } = proxyActivities<CaseActivities>({
    // One attempt: the HTTP timeout and a margin for the database around it.
    startToCloseTimeout: settings.timeoutMs + 10_000,
    scheduleToCloseTimeout: settings.retry.forMs,
    retry: deliveryRetry(settings.retry),
  });

  for (let round = 0; round < ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested; round++) {
    const next = await nextWebhookDeliveries({ webhookId: input.webhookId, limit: BATCH });
    if (!next.active) return;
    for (const deliveryId of next.ids) {
      try {
        await deliverWebhook({ deliveryId });
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Out of time (or out of attempts): failed for good; the receiver's later events still go.
        if (!(err instanceof ActivityFailure)) throw err;
        await settleFailedWebhookDelivery({ deliveryId });
      }
    }
    if (next.ids.length === 0) {
      woken = false;
      await condition(() => woken, settings.pollMs);
    }
  }
  await continueAsNew<typeof webhookDispatcherWorkflow>(input);
}

