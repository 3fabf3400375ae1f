// Starts the real servers once for the whole run: a fresh PostgreSQL database with the committed
// migrations applied, and a Temporal dev server (the CLI's real server, in memory) on a free port.
// Tests receive the addresses through vitest's provide/inject.
import type { TestProject } from 'vitest/node';
import { dropDatabase, migrateDatabase } from '../../db/migrate.js';
import { ensureSearchAttributes, startTemporalDevServer, type TemporalServerHandle } from '../../scripts/temporal-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    temporalNamespace: string;
  }
}

let server: TemporalServerHandle | undefined;
let databaseUrl: string | undefined;


export async function setup(project: TestProject) {
  // A database of this run's own: runs side by side (developers, CI) never drop each other's data.
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/homeward_test');
  url.pathname = `/${url.pathname.slice(1)}_${process.pid}`;
  const base = url.toString();
  await dropDatabase(base);
  await migrateDatabase(base);
  databaseUrl = base;

  const namespace = 'default';
  if (process.env.TEST_TEMPORAL_ADDRESS) {
    await ensureSearchAttributes(process.env.TEST_TEMPORAL_ADDRESS, namespace);
    project.provide('temporalAddress', process.env.TEST_TEMPORAL_ADDRESS);
  } else {
    server = await startTemporalDevServer({
      port: 0,
      uiPort: false,
      dbFile: null,
      // Low enough that a test can make a case continue as new (issue #3), high enough for the rest.
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 4000 },
      log: (m) => console.log(`[temporal] ${m}`),
    });
    await ensureSearchAttributes(server.address, namespace);
    project.provide('temporalAddress', server.address);
  }
  project.provide('databaseUrl', base);
  project.provide('temporalNamespace', namespace);
}

export async function teardown() {
  await server?.stop();
  if (databaseUrl && !process.env.KEEP_TEST_DATABASE) await dropDatabase(databaseUrl);
}
