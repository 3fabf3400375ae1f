// Starts the real servers once for the whole run: a fresh PostgreSQL database with the committed
// migrations applied, and a Temporal dev server (the CLI's real server, in memory) on a free port.
// Tests receive the addresses through vitest's provide/inject. TEST_EMBEDDED_POSTGRES=1 runs the
// embedded PostgreSQL of `npm start` (db/embedded.ts, in memory) instead of the one on 127.0.0.1:5432.
import type { TestProject } from 'vitest/node';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../db/embedded.js';
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
let embedded: EmbeddedPostgres | undefined;

async function database(): Promise<string> {
  if (process.env.TEST_EMBEDDED_POSTGRES === '1') {
    embedded = await startEmbeddedPostgres({ port: 0 });
    console.log(`[postgres] embedded (PGlite) at ${embedded.url}`);
    await migrateDatabase(embedded.url);
    return embedded.url;
  }
  // A database of this run's own: runs side by side (developers, CI) never drop each other's data.
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/homeward_test');
  url.pathname = `/${url.pathname.slice(1)}_${process.pid}`;
  const base = url.toString();
  await dropDatabase(base);
  await migrateDatabase(base);
  databaseUrl = base;
  return base;
}

export async function setup(project: TestProject) {
  const base = await database();

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
  await embedded?.stop();
  if (databaseUrl && !process.env.KEEP_TEST_DATABASE) await dropDatabase(databaseUrl);
}
