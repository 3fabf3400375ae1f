// The API process: listens, and on SIGINT/SIGTERM stops taking connections, lets in-flight
// requests finish, then closes PostgreSQL and Temporal connections.
import { exitOnStartFailure, loadConfig } from '../config/index.js';
import { createDb } from '../db/client.js';
import { createIdentityHasher } from '../db/identity.js';
import { migrateDatabase } from '../db/migrate.js';
import { Connection } from '@temporalio/client';
import { createTemporalClient } from '../temporal/client.js';
import { createApp } from './app.js';
import { answerMalformedRequests } from './errors.js';
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
  answerMalformedRequests(server);
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
  // Set before the first connection is accepted (no I/O has run since listen): a client must send its
  // headers within headersTimeout and its whole request (a raid's body too) within requestTimeout,
  // and an idle keep-alive socket is closed after keepAliveTimeout, so slow clients cannot hold
  // sockets open for ever.
  server.headersTimeout = config.hardening.headersTimeoutMs;
  server.requestTimeout = config.hardening.requestTimeoutMs;
  server.keepAliveTimeout = config.hardening.keepAliveTimeoutMs;
}

// server.ts under tsx, server.js once compiled (npm run build).
if (/(^|[\\/])server\.[jt]s$/.test(process.argv[1] ?? '')) {
  runApi().catch(exitOnStartFailure);
}
