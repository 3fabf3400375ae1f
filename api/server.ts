// The API process: listens, and on SIGINT/SIGTERM stops taking connections, lets in-flight
// requests finish, then closes PostgreSQL and Temporal connections.
import { loadConfig } from '../config/index.js';
import { createDb } from '../db/client.js';
import { createIdentityHasher } from '../db/identity.js';
import { migrateDatabase } from '../db/migrate.js';
import { Connection } from '@temporalio/client';
import { createTemporalClient } from '../temporal/client.js';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

export async function runApi(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  await migrateDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  // Lazy: the API starts (and answers /readyz with 503) even while Temporal is still coming up.
  const connection = Connection.lazy({ address: config.temporal.address ?? '127.0.0.1:7233' });
  const temporal = createTemporalClient(connection, config);
  const app = createApp({ config, db, temporal, hasher: createIdentityHasher(config), logger });
  const server = app.listen(config.port, () => logger.info({ port: config.port }, 'api listening'));
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(async () => {
      await Promise.allSettled([connection.close(), db.$client.end()]);
      process.exit(0);
    });
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1]?.endsWith('server.ts')) {
  runApi().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
