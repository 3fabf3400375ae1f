// The embedded PostgreSQL of `npm start` (db/embedded.ts): one PGlite session shared by every
// connection, taken in turns per protocol cycle and per transaction. Concurrent pools get their own
// answers (pglite-socket's per-message multiplexer mixes them up: "portal \"\" does not exist"),
// transactions stay isolated, a vanished or stalled client cannot block the rest, and the data
// survives a restart on its folder.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../db/embedded.js';
import { migrateDatabase } from '../../db/migrate.js';

let server: EmbeddedPostgres;
const pools: pg.Pool[] = [];
const pool = (max = 4) => {
  const p = new pg.Pool({ connectionString: server.url, max });
  p.on('error', () => {});
  pools.push(p);
  return p;
};

beforeAll(async () => {
  server = await startEmbeddedPostgres({ port: 0, idleInTransactionMs: 1_000 });
  await pool(1).query('create table items (id int primary key, owner text not null)');
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  await server?.stop();
});

describe('the embedded PostgreSQL', () => {
  it('when three pools run parameterised queries and transactions at once, then every query gets its own answer and every transaction stays whole', async () => {
    const [a, b, c] = [pool(), pool(), pool()];
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 600 }, async (_, i) => {
        try {
          if (i % 3 === 0) {
            const { rows } = await a.query('select $1::int as n', [i]);
            if (rows[0].n !== i) failures.push(`query ${i} got ${rows[0].n}`);
          } else if (i % 3 === 1) {
            const { rows } = await b.query('select $1::text as s, $2::int as n, $3::bool as b', [`s${i}`, i, i % 2 === 0]);
            if (rows[0].s !== `s${i}` || rows[0].n !== i) failures.push(`query ${i} got ${JSON.stringify(rows[0])}`);
          } else {
            const client = await c.connect();
            try {
              await client.query('begin');
              await client.query('insert into items values ($1, $2)', [i, `tx${i}`]);
              const { rows } = await client.query('select owner from items where id = $1', [i]);
              if (rows[0]?.owner !== `tx${i}`) failures.push(`transaction ${i} read ${rows[0]?.owner}`);
              await client.query(i % 9 === 2 ? 'rollback' : 'commit');
            } finally {
              client.release();
            }
          }
        } catch (err) {
          failures.push(`${i}: ${(err as Error).message}`);
        }
      }),
    );
    expect(failures).toEqual([]);
    const { rows } = await a.query<{ n: number }>('select count(*)::int as n from items');
    // 200 transactions, of which those with i % 9 === 2 (i = 2, 11, 20, …, 596: 67) rolled back.
    expect(rows[0]!.n).toBe(200 - 67);
  });

  it('when a client vanishes inside a transaction, then its writes are rolled back and the others carry on', async () => {
    const other = pool(1);
    const doomed = new pg.Client({ connectionString: server.url });
    doomed.on('error', () => {});
    await doomed.connect();
    await doomed.query('begin');
    await doomed.query('insert into items values (100001, $1)', ['vanished']);
    const waiting = other.query<{ n: number }>("select count(*)::int as n from items where owner = 'vanished'");
    (doomed as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await waiting).rows[0]!.n).toBe(0);
  });

  it('when a client holds a transaction open and sends nothing, then it is ended and the others carry on', async () => {
    const stalled = new pg.Client({ connectionString: server.url });
    const ended = new Promise<Error>((resolve) => stalled.on('error', resolve));
    await stalled.connect();
    await stalled.query('begin');
    await stalled.query('insert into items values (100002, $1)', ['stalled']);
    const { rows } = await pool(1).query<{ n: number }>("select count(*)::int as n from items where owner = 'stalled'");
    expect(rows[0]!.n).toBe(0);
    expect((await ended).message).toMatch(/idle in transaction/);
  });

  it('when stopped and started again on its data folder, then the migrated schema and the rows are still there', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'homeward-pglite-'));
    try {
      const first = await startEmbeddedPostgres({ dataDir, port: 0 });
      await migrateDatabase(first.url);
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query("insert into agencies (id, kind, name) values ('restart-check', 'consulate', 'Restart check')");
      await client.end();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir, port: 0 });
      try {
        const again = new pg.Client({ connectionString: second.url });
        await again.connect();
        const { rows } = await again.query("select name from agencies where id = 'restart-check'");
        await again.end();
        expect(rows).toEqual([{ name: 'Restart check' }]);
      } finally {
        await second.stop();
      }
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
