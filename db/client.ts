// PostgreSQL access: one pool per process, wrapped by drizzle with the schema.
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export function createDb(url: string, poolSize = 10): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Fail fast when PostgreSQL is down, so callers can answer 503 instead of hanging.
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor a checked-out one: pg emits 'error' on a client whose server went away (a PostgreSQL restart)
  // even while a query or a transaction holds it, and the pool listens only while it is idle. The
  // query in flight fails on its own; the client is no longer queryable and the pool drops it.
  pool.on('connect', (client) => client.on('error', () => {}));
  return drizzle(pool, { schema }) as Db;
}

export { schema };
