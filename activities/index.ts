// The worker's activities, built from their dependencies (database, identity hasher, field cipher,
// Temporal client, policy) so tests and the worker wire real ones the same way. Workflows import only the type.
import { type BulkActionDeps, createBulkActionActivities } from './bulk-actions.js';
import { createCaseActivities } from './cases.js';
import { type OperationDeps, createOperationActivities } from './operations.js';
import { createRetentionActivities } from './retention.js';
import { type WebhookActivityDeps, createWebhookActivities } from './webhooks.js';
import { withDeadline } from '../temporal/case-update.js';
import { wakeWebhookDispatcher } from '../temporal/webhook-dispatcher.js';

// A wake is a hint (a dispatcher also polls): it gives up soon rather than pile up behind an outage.
const WAKE_TIMEOUT_MS = 5_000;

/** Everything the activities need; the case activities use the database part only. */
export type ActivityDeps = OperationDeps &
  Pick<BulkActionDeps, 'bulk' | 'temporalCallTimeoutMs'> &
  Pick<WebhookActivityDeps, 'webhooks'> & {
  /** How long after closure a case keeps its personal data (HOMEWARD_RETENTION_DAYS, time-scaled). */
  retentionMs?: number;
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCaseActivities({
      ...deps,
      wakeWebhooks: async (ids) => {
        await Promise.all(ids.map((id) => withDeadline(deps.temporal, WAKE_TIMEOUT_MS, () => wakeWebhookDispatcher(deps.temporal, deps.caseTaskQueue, id))));
      },
    }),
    ...createOperationActivities(deps),
    ...createBulkActionActivities(deps),
    ...createRetentionActivities(deps),
    ...createWebhookActivities(deps),
  };
}

export type CaseActivities = ReturnType<typeof createActivities>;
