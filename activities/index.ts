// The worker's activities, built from their dependencies (database, identity hasher, field cipher,
// Temporal client, policy) so tests and the worker wire real ones the same way. Workflows import only the type.
import { type BulkActionDeps, createBulkActionActivities } from './bulk-actions.js';
import { createCaseActivities } from './cases.js';
import { type OperationDeps, createOperationActivities } from './operations.js';
import { createRetentionActivities } from './retention.js';
import { type WebhookActivityDeps, createWebhookActivities } from './webhooks.js';
import { createWebhookWaker } from '../temporal/webhook-dispatcher.js';

// A wake is a hint (a dispatcher also polls): it gives up soon rather than pile up behind an outage,
// and a subscription is woken at most five times a second by one worker.
const WAKE = { timeoutMs: 5_000, minIntervalMs: 200 };

/** Everything the activities need; the case activities use the database part only. */
export type ActivityDeps = OperationDeps &
  Pick<BulkActionDeps, 'bulk' | 'temporalCallTimeoutMs'> &
  Pick<WebhookActivityDeps, 'webhooks'> & {
  /** How long after closure a case keeps its personal data (HOMEWARD_RETENTION_DAYS, time-scaled). */
  retentionMs?: number;
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCaseActivities({ ...deps, wakeWebhooks: createWebhookWaker(deps.temporal, deps.caseTaskQueue, WAKE) }),
    ...createOperationActivities(deps),
    ...createBulkActionActivities(deps),
    ...createRetentionActivities(deps),
    ...createWebhookActivities(deps),
  };
}

export type CaseActivities = ReturnType<typeof createActivities>;
