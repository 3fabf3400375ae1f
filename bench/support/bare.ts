// A bare-SDK worker for the baselines: the trivial workflows of bench/support/workflows.ts, bundled
// once per process, on a task queue of their own, with the default data converter (no codec), and a
// client on a connection of its own. Same server and same machine as the Homeward stack it is
// compared with. Given a database, its `write` activity is bare SQL on a pool of its own.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type InjectedSinks, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { BareWriteRow, BenchSinks } from './workflows.js';
import { quietTemporalRuntime } from './stack.js';

const WORKFLOWS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'workflows.ts');

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
function bareBundle() {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: quiet });
  return bundle;
}

export type BareWorker = Awaited<ReturnType<typeof startBareWorker>>;

const WRITES_TABLE = 'bench_bare_writes';

/** The `write` activity: one upsert of one row, no ORM, on a pool as large as the stack's. */
async function bareWrites(databaseUrl: string, poolSize: number) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  await pool.query(`create table if not exists ${WRITES_TABLE} (workflow_id text primary key, n int not null, body jsonb not null, written_at timestamptz not null default now())`);
  return {
    write: async (row: BareWriteRow) => {
      await pool.query(
        `insert into ${WRITES_TABLE} (workflow_id, n, body) values ($1, $2, $3) on conflict (workflow_id) do update set n = excluded.n, body = excluded.body, written_at = now()`,
        [row.workflowId, row.n, JSON.stringify(row.body)],
      );
    },
    close: () => pool.end(),
  };
}

export async function startBareWorker(opts: { address: string; namespace: string; database?: { url: string; poolSize: number } }) {
  quietTemporalRuntime();
  const writes = opts.database ? await bareWrites(opts.database.url, opts.database.poolSize) : undefined;
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
    activities: {
      noop: async () => {},
      write:
        writes?.write ??
        (() => {
          throw new Error('this bare worker was started without a database');
        }),
    },
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
      await writes?.close();
    },
  };
}
