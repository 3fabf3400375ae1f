// The benchmarks' baseline: trivial workflows on the bare SDK, bundled for a worker of their own
// (bench/support/bare.ts). They do nothing a case does, so what they cost is what Temporal itself
// costs on this machine: a start, a workflow task, an update; and, for the floor of read-your-writes,
// an update that writes one row with bare SQL before it answers.
import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, proxySinks, setHandler, workflowInfo, type Sinks } from '@temporalio/workflow';

export interface BenchSinks extends Sinks {
  bench: { done(): void };
}
const { bench } = proxySinks<BenchSinks>();

/** The row the write baseline upserts, one per trivial workflow. */
export interface BareWriteRow {
  workflowId: string;
  n: number;
  body: unknown;
}

export interface BenchActivities {
  noop(arg: unknown): Promise<void>;
  /** One upsert of one row with bare SQL (bench/support/bare.ts). */
  write(row: BareWriteRow): Promise<void>;
}
const { noop } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30 seconds' });
const { write } = proxyLocalActivities<BenchActivities>({ startToCloseTimeout: '30 seconds' });

/** Intake's baseline: starts, runs one workflow task, tells the benchmark process, completes. */
export async function noopWorkflow(): Promise<void> {
  bench.done();
}

export const noopUpdate = defineUpdate<{ ok: true; n: number }, [unknown]>('noop');
/** Like a case action's shape: the handler awaits one (no-op) activity before it answers. */
export const activityUpdate = defineUpdate<{ ok: true; n: number }, [unknown]>('noop_activity');
/**
 * The least a step that answers only once PostgreSQL holds it can cost on Temporal: the handler
 * awaits a local activity (as a case's persist step does) that upserts one row with bare SQL.
 */
export const writeUpdate = defineUpdate<{ ok: true; n: number }, [unknown]>('noop_write');
export const finishSignal = defineSignal('finish');

/** The actions baseline: a long-lived workflow that answers updates until told to finish. */
export async function idleWorkflow(): Promise<number> {
  let n = 0;
  let finished = false;
  setHandler(noopUpdate, () => ({ ok: true as const, n: ++n }));
  setHandler(activityUpdate, async (arg) => {
    await noop(arg);
    return { ok: true as const, n: ++n };
  });
  setHandler(writeUpdate, async (arg) => {
    await write({ workflowId: workflowInfo().workflowId, n: n + 1, body: arg });
    return { ok: true as const, n: ++n };
  });
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return n;
}
