// Helpers of activities: a bounded pool of concurrent calls for those that work through many cases
// at once (an operation's batch, a bulk action's batch), a heartbeat that shows the activity is
// alive, and the running activity's attempt and logger.
import { Context } from '@temporalio/activity';

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function inPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export function heartbeat(detail?: unknown): void {
  try {
    Context.current().heartbeat(detail);
  } catch {
    // called outside an activity (a direct call from a test): nothing to report to
  }
}

/** The attempt of the running activity (1 for the first), or 1 outside an activity. */
export function activityAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** The running activity's logger, for work it leaves running after it returns; undefined outside an activity. */
export function activityLogger(): Context['log'] | undefined {
  try {
    return Context.current().log;
  } catch {
    return undefined;
  }
}
