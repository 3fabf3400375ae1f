// A bare-SDK worker for the baselines: the trivial workflows of bench/support/workflows.ts, bundled
// once per process, on a task queue of their own, with the default data converter (no codec), and a
// client on a connection of its own. Same server and same machine as the Homeward stack it is
// compared with.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type InjectedSinks, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { BenchSinks } from './workflows.js';
import { quietTemporalRuntime } from './stack.js';

const WORKFLOWS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'workflows.ts');

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
function bareBundle() {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: quiet });
  return bundle;
}

export type BareWorker = Awaited<ReturnType<typeof startBareWorker>>;

export async function startBareWorker(opts: { address: string; namespace: string }) {
  quietTemporalRuntime();
  const taskQueue = `bench-bare-${randomUUID().slice(0, 8)}`;
  let onDone: ((workflowId: string) => void) | undefined;
  const sinks: InjectedSinks<BenchSinks> = {
    bench: { done: { fn: (info) => onDone?.(info.workflowId), callDuringReplay: false } },
  };
  const nativeConnection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: opts.namespace,
    taskQueue,
    workflowBundle: await bareBundle(),
    activities: { noop: async () => {} },
    sinks,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: opts.address });
  const client = new Client({ connection, namespace: opts.namespace });
  return {
    client,
    taskQueue,
    /** Called with the workflow id each time a noopWorkflow has run. */
    set onDone(fn: ((workflowId: string) => void) | undefined) {
      onDone = fn;
    },
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}
