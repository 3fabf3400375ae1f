// The benchmarks' baseline: trivial workflows on the bare SDK, bundled for a worker of their own
// (bench/support/bare.ts). They do nothing a case does, so what they cost is what Temporal itself
// costs on this machine: a start, a workflow task, an update.
import { condition, defineSignal, defineUpdate, proxyActivities, proxySinks, setHandler, type Sinks } from '@temporalio/workflow';

export interface BenchSinks extends Sinks {
  bench: { done(): void };
}
const { bench } = proxySinks<BenchSinks>();

export interface BenchActivities {
  noop(arg: unknown): Promise<void>;
}
const { noop } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30 seconds' });

/** Intake's baseline: starts, runs one workflow task, tells the benchmark process, completes. */
export async function noopWorkflow(): Promise<void> {
  bench.done();
}

export const noopUpdate = defineUpdate<{ ok: true; n: number }, [unknown]>('noop');
/** Like a case action's shape: the handler awaits one (no-op) activity before it answers. */
export const activityUpdate = defineUpdate<{ ok: true; n: number }, [unknown]>('noop_activity');
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
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return n;
}
