// Whether a worker is polling the case task queue, as the Temporal server sees it (DescribeTaskQueue).
// /readyz and the worker container's healthcheck both ask this: an API without a polling worker
// accepts an action and then times out, so "ready" has to mean "a worker takes tasks now".
//
// What the server reports: each poller (one entry per worker identity) with the time of its last
// poll. That time is refreshed when a long poll starts and when it ends, and a long poll lasts up to
// `matching.longPollExpirationInterval` (1 minute by default), so an idle, healthy worker can look a
// minute old. A worker that has gone stays listed until `matching.PollerHistoryTTL` (5 minutes)
// has passed. Hence the age limit: a poller counts only if it polled within `maxAgeMs`, which must be
// longer than the server's long-poll interval.
import type { ConnectionLike } from '@temporalio/client';
// @temporalio/proto is CommonJS without named ESM exports, so only the default import works at runtime.
import proto from '@temporalio/proto';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

export interface Poller {
  identity: string;
  /** Server time of the last poll, ms since the epoch. */
  lastAccessMs: number;
}

export interface QueuePollers {
  /** Workflow tasks: case steps, updates and queries. Every action needs these. */
  workflow: Poller[];
  /** Activity tasks: operation intake. */
  activity: Poller[];
}

interface Timestamp {
  seconds?: { toNumber(): number } | number | null;
  nanos?: number | null;
}

function timestampMs(ts: Timestamp | null | undefined): number {
  if (!ts) return 0;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : (ts.seconds?.toNumber() ?? 0);
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** The pollers of both task queue types; rejects when Temporal does not answer within `timeoutMs`. */
export async function describePollers(connection: ConnectionLike, namespace: string, taskQueue: string, timeoutMs: number): Promise<QueuePollers> {
  const describe = async (taskQueueType: proto.temporal.api.enums.v1.TaskQueueType): Promise<Poller[]> => {
    const res = await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }, taskQueueType }),
    );
    return (res.pollers ?? []).map((p) => ({ identity: p.identity ?? '', lastAccessMs: timestampMs(p.lastAccessTime) }));
  };
  const [workflow, activity] = await Promise.all([describe(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), describe(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)]);
  return { workflow, activity };
}

export interface WorkerVerdict {
  ok: boolean;
  /** Why not, in words for an operator; absent when ok. */
  reason?: string;
}

/**
 * A worker is there when some poller took workflow tasks within `maxAgeMs` and the activity queue has
 * a poller at all. Activity pollers are not held to the age limit: a worker whose activity slots
 * are all busy (a large operation) stops polling activities for a while, yet it still answers every
 * caseworker action, which runs on workflow tasks.
 */
export function judgeWorkers(pollers: QueuePollers, taskQueue: string, maxAgeMs: number, nowMs = Date.now()): WorkerVerdict {
  const fresh = pollers.workflow.filter((p) => nowMs - p.lastAccessMs <= maxAgeMs);
  if (fresh.length === 0) {
    const last = Math.max(0, ...pollers.workflow.map((p) => p.lastAccessMs));
    const since = last > 0 ? ` (the last poll was ${Math.round((nowMs - last) / 1000)} s ago)` : '';
    return { ok: false, reason: `no worker has polled task queue "${taskQueue}" for workflow tasks in the last ${Math.round(maxAgeMs / 1000)} s${since}` };
  }
  if (pollers.activity.length === 0) return { ok: false, reason: `no worker polls task queue "${taskQueue}" for activity tasks` };
  return { ok: true };
}

/** Only the pollers whose identity is one of this host's (the SDK's default identity is pid@hostname). */
export function pollersOfHost(pollers: QueuePollers, hostname: string): QueuePollers {
  const mine = (p: Poller) => p.identity.endsWith(`@${hostname}`);
  return { workflow: pollers.workflow.filter(mine), activity: pollers.activity.filter(mine) };
}
