// One retention sweep: anonymises closed cases whose retention has passed (and that are not on legal
// hold), in bounded batches. Started by a Temporal schedule (temporal/retention-schedule.ts), so each
// sweep is a short workflow of its own: its history stays small, a sweep that fails is simply
// followed by the next one, and a change to this code never meets a running history.
import { proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';

const { anonymiseDueCases } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export const RETENTION_BATCH = 50;
/** At most this many batches per sweep; the rest waits for the next one. */
const MAX_BATCHES = 100;

export async function retentionSweepWorkflow(): Promise<{ anonymised: number }> {
  let anonymised = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const batch = await anonymiseDueCases({ limit: RETENTION_BATCH });
    anonymised += batch.anonymised;
    if (!batch.more) break;
  }
  return { anonymised };
}
