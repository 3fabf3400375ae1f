// Starts the real servers once for the whole run: a fresh PostgreSQL database with the committed
// migrations applied, and a Temporal dev server (the CLI's real server, in memory) on a free port.
// Tests receive the addresses through vitest's provide/inject.
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrateDatabase } from '../../db/migrate.js';
import { ensureSearchAttributes, startTemporalDevServer, type TemporalServerHandle } from '../../scripts/temporal-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    temporalNamespace: string;
  }
}

let server: TemporalServerHandle | undefined;

export async function setup(project: TestProject) {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/homeward_test';
  const url = new URL(base);
  const name = url.pathname.slice(1);
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`drop database if exists "${name}" with (force)`);
  await client.end();
  await migrateDatabase(base);

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
}
