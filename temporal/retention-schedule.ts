// The retention sweep's durable clock: a Temporal schedule that starts workflows/retention.ts every
// hour (scaled by HOMEWARD_TIME_SCALE, never more often than every second). The worker makes sure it
// exists at start and brings its interval and task queue up to date; a sweep still running when the
// next is due makes that one skip. Schedules survive restarts of every process, and each sweep is a
// short workflow, so no history grows with the years a case is retained.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

const HOUR_MS = 3_600_000;

export const retentionScheduleId = (taskQueue: string) => `homeward-retention-${taskQueue}`;

export function retentionSweepIntervalMs(timeScale: number): number {
  return Math.max(1_000, Math.round(HOUR_MS * timeScale));
}

export async function ensureRetentionSchedule(client: Client, opts: { taskQueue: string; timeScale: number }): Promise<string> {
  const scheduleId = retentionScheduleId(opts.taskQueue);
  const spec = { intervals: [{ every: retentionSweepIntervalMs(opts.timeScale) }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'retentionSweepWorkflow',
    workflowId: `retention-sweep-${opts.taskQueue}`,
    taskQueue: opts.taskQueue,
    args: [] as [],
  };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
  return scheduleId;
}
