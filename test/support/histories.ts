// Reading back what Temporal recorded: every run of a workflow (continue-as-new included), replaying
// them against today's workflow code, and spotting workflow tasks that failed along the way.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { Config } from '../../config/index.js';
import { dataConverter } from '../../temporal/client.js';
import { workflowBundle } from '../../worker/worker.js';
import { quietRuntime } from './harness.js';

type History = proto.temporal.api.history.v1.IHistory;
const EventType = proto.temporal.api.enums.v1.EventType;

export interface RecordedRun {
  workflowId: string;
  runId: string;
  history: History;
}

/** Every run of a workflow, oldest first, found by walking back from the latest through continue-as-new. */
export async function allRuns(client: Client, workflowId: string): Promise<RecordedRun[]> {
  const runs: RecordedRun[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift({ workflowId, runId, history });
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    runId = started?.continuedExecutionRunId || undefined;
  }
  return runs;
}

/** The workflow tasks that failed in a history (nondeterminism, a thrown error…): none is the goal. */
export function workflowTaskFailures(history: History): string[] {
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .map((e) => `event ${String(e.eventId)}: ${e.workflowTaskFailedEventAttributes?.failure?.message ?? 'failed'}`);
}

/** Replays each run against the current workflow bundle; returns the runs that did not replay, with why. */
export async function replayFailures(runs: RecordedRun[], config: Pick<Config, 'payloadKeys' | 'activePayloadKeyId'>): Promise<string[]> {
  quietRuntime();
  const failures: string[] = [];
  const opts = { workflowBundle: await workflowBundle(), dataConverter: dataConverter(config) };
  for await (const result of Worker.runReplayHistories(opts, runs.map((r) => ({ workflowId: r.workflowId, history: r.history })))) {
    if (result.error) failures.push(`${result.workflowId} run ${result.runId}: ${String(result.error).slice(0, 600)}`);
  }
  return failures;
}
