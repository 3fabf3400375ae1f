// Creates the database if it is missing and applies the committed drizzle-kit migrations.
// Used by `npm run db:migrate`, `npm start`, the worker at start and the test setup.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { createDb } from './client.js';

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing to create a database named ${JSON.stringify(name)}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`create database "${name}"`);
      } catch (err) {
        // Two processes starting together may both try; the loser finds it there.
        if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
      }
    }
  } finally {
    await client.end();
  }
}

/** Drops a database (tests and benchmarks make their own and remove them). */
export async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing to drop a database named ${JSON.stringify(name)}`);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

export async function migrateDatabase(url: string): Promise<void> {
  await ensureDatabase(url);
  const db = createDb(url, 1);
  try {
    // Serialise concurrent migrators (API and worker starting together) on an advisory lock.
    await db.$client.query('select pg_advisory_lock(727274)');
    await migrate(db, { migrationsFolder: MIGRATIONS });
  } finally {
    await db.$client.query('select pg_advisory_unlock(727274)').catch(() => {});
    await db.$client.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { exitOnStartFailure, loadConfig } = await import('../config/index.js');
  try {
    const config = loadConfig();
    await migrateDatabase(config.databaseUrl);
    console.log(`migrated ${new URL(config.databaseUrl).pathname.slice(1)}`);
  } catch (err) {
    exitOnStartFailure(err);
  }
}
