// The `stats` benchmark: GET /v1/stats of every office at national scale, against its baselines in
// the same run. `npm run bench:stats -- [--cases 1000000] [--rounds 3] [--iterations 100]
//                                      [--database-url URL] [--out bench/results/stats.json] [--smoke]`
//
// Ours: GET /v1/stats with a supervisor token for every office ("*"), over HTTP to createApp on an
// ephemeral port, timed to the last body byte. Baselines, run bare through `pg` and interleaved one
// by one with our requests (a load spike hits all three alike):
//   - legacy: the statement /v1/stats ran before the maintained counters (counting every case's
//     index entry), kept below verbatim;
//   - counters: the bare SELECT of the counters (the least any counter-based answer costs).
// p50/p99 per round, and the median of the rounds. Target (issue 12): our p99 <= 50 ms.
// The database is the queries benchmark's (homeward_bench), generated when it holds fewer cases.
// --smoke: 2,000 cases, 2 warm-ups, 5 iterations, 3 rounds (test/bench/stats-smoke.test.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { createApp } from '../api/app.js';
import { createLogger } from '../api/logger.js';
import { loadConfig } from '../config/index.js';
import { createDb } from '../db/client.js';
import { createIdentityHasher } from '../db/identity.js';
import { migrateDatabase } from '../db/migrate.js';
import { tasks, cases } from '../db/schema/index.js';
import { mintToken } from '../scripts/token.js';
import { generateCases } from '../scripts/generate-cases.js';
import { dataConverter } from '../temporal/client.js';
import { DEFAULT_BENCH_DATABASE_URL } from './queries.js';
import { type MachineInfo, finishMachineInfo, isMain, machineInfo, saveResults } from './support/results.js';
import { type Distribution, distribution, median, round } from './support/stats.js';

export const TARGET_P99_MS = 50;

// GET /v1/stats before the counters (api/services/stats.ts at eb776af), for the baseline.
function legacyStatsSql(office: string | null, now: Date): SQL {
  const inOffice = (column: PgColumn) => (office === null ? sql`` : sql` and ${column} = ${office}`);
  return sql`
    with open_counts as (
      select ${cases.stage} as stage, ${cases.priority} as priority, ${cases.onHold} as on_hold, count(*)::int as n
        from ${cases} where ${cases.status} = 'open'${inOffice(cases.office)}
        group by 1, 2, 3
    ), stage_counts as (
      select stage, sum(n)::int as n from open_counts group by stage
    )
    select
      (select coalesce(json_agg(json_build_array(stage, priority, on_hold, n)), '[]'::json) from open_counts) as "open",
      (select coalesce(json_agg(json_build_array(s.stage, m.median)), '[]'::json)
         from stage_counts s cross join lateral (
           -- the middle entry (odd count) or the two middle entries (even count) of the stage
           select avg(mid.x) as median from (
             select extract(epoch from ${cases.stageEnteredAt}) as x
               from ${cases} where ${cases.status} = 'open'${inOffice(cases.office)} and ${cases.stage} = s.stage
               order by ${cases.stageEnteredAt}
               offset (s.n - 1) / 2 limit 2 - s.n % 2) mid) m) as "medians",
      (select coalesce(json_agg(json_build_array(r.reason, r.n)), '[]'::json)
         from (select ${cases.closureReason} as reason, count(*)::int as n
                 from ${cases} where ${cases.status} = 'closed'${inOffice(cases.office)}
                 group by 1) r) as "closed",
      (select count(*)::int from ${tasks}
        where ${tasks.status} in ('open', 'claimed') and ${tasks.dueAt} < ${now}${inOffice(tasks.office)}) as "overdueTasks"`;
}

export interface StatsBenchOptions {
  cases?: number;
  rounds?: number;
  iterations?: number;
  warmup?: number;
  databaseUrl?: string;
  out?: string | null;
  log?: (line: string) => void;
}

export interface StatsRound {
  ours: Distribution;
  legacy: Distribution;
  counters: Distribution;
}

export interface StatsBenchResult {
  benchmark: 'stats';
  date: string;
  command: string;
  machine: MachineInfo;
  database: { name: string; cases: number; counterRows: number };
  settings: { rounds: number; iterations: number; warmup: number; units: 'ms'; percentiles: 'nearest rank' };
  rounds: StatsRound[];
  /** Medians over the rounds. */
  median: { oursP99: number; legacyP99: number; countersP99: number; oursP50: number; legacyP50: number; countersP50: number };
  /** ours p99 / legacy p99 and ours p99 / counters p99 (medians of the rounds). */
  ratio: { toLegacyP99: number; toCountersP99: number };
  target: { maxP99Ms: number };
  withinTarget: boolean;
}

export async function runStatsBench(options: StatsBenchOptions = {}): Promise<StatsBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const wanted = options.cases ?? 1_000_000;
  const rounds = options.rounds ?? 3;
  const iterations = options.iterations ?? 100;
  const warmup = options.warmup ?? 5;
  const databaseUrl = options.databaseUrl ?? DEFAULT_BENCH_DATABASE_URL;
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000000' });
  await migrateDatabase(databaseUrl);
  const machine = await machineInfo(databaseUrl);
  const bare = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const db = createDb(databaseUrl, 4);
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:7233' }), dataConverter: dataConverter(config) });
  const app = createApp({ config, db, temporal, hasher: createIdentityHasher(config), logger: createLogger('silent') });
  const server = app.listen(0, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const present = Number((await bare.query<{ n: string }>('select count(*) as n from cases')).rows[0]!.n);
    if (present < wanted) {
      if (present > 0) await bare.query('truncate cases cascade');
      log(`generating ${wanted.toLocaleString('en')} cases …`);
      await generateCases({ databaseUrl, cases: wanted, identityHashKey: config.identityHashKey, log });
    }
    const totalCases = Number((await bare.query<{ n: string }>('select count(*) as n from cases')).rows[0]!.n);
    const counterRows = Number((await bare.query<{ n: string }>('select count(*) as n from stats_counters')).rows[0]!.n);
    // It may have started listening during generation already.
    if (!server.listening) {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', () => resolve());
        server.once('error', reject);
      });
    }
    const port = (server.address() as AddressInfo).port;
    const token = await mintToken(config.auth.jwtSecret!, { sub: 'bench-national', role: 'supervisor', office: '*' });
    const get = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/v1/stats', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET /v1/stats: ${res.statusCode}`))));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    const dialect = (db as unknown as { dialect: { sqlToQuery(s: SQL): { sql: string; params: unknown[] } } }).dialect;
    const legacy = () => {
      const q = dialect.sqlToQuery(legacyStatsSql(null, new Date()));
      return bare.query(q.sql, q.params);
    };
    const countersSelect = () => bare.query('select metric, key, sum(n)::bigint as n from stats_counters group by 1, 2');
    const timed = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };

    for (let i = 0; i < warmup; i++) {
      await get();
      await legacy();
      await countersSelect();
    }
    const out: StatsRound[] = [];
    for (let r = 0; r < rounds; r++) {
      const ours: number[] = [];
      const old: number[] = [];
      const counters: number[] = [];
      for (let i = 0; i < iterations; i++) {
        ours.push(await timed(get));
        old.push(await timed(legacy));
        counters.push(await timed(countersSelect));
      }
      out.push({ ours: distribution(ours), legacy: distribution(old), counters: distribution(counters) });
      const last = out[out.length - 1]!;
      log(`  round ${r + 1}: ours p50 ${last.ours.p50} p99 ${last.ours.p99} ms; legacy p99 ${last.legacy.p99} ms; counters p99 ${last.counters.p99} ms`);
    }
    const med = (f: (r: StatsRound) => number) => round(median(out.map(f)));
    const m = {
      oursP99: med((r) => r.ours.p99),
      legacyP99: med((r) => r.legacy.p99),
      countersP99: med((r) => r.counters.p99),
      oursP50: med((r) => r.ours.p50),
      legacyP50: med((r) => r.legacy.p50),
      countersP50: med((r) => r.counters.p50),
    };
    const result: StatsBenchResult = {
      benchmark: 'stats',
      date: new Date().toISOString(),
      command: `npm run bench:stats -- --cases ${wanted} --rounds ${rounds} --iterations ${iterations}`,
      machine: finishMachineInfo(machine),
      database: { name: new URL(databaseUrl).pathname.slice(1), cases: totalCases, counterRows },
      settings: { rounds, iterations, warmup, units: 'ms', percentiles: 'nearest rank' },
      rounds: out,
      median: m,
      ratio: { toLegacyP99: round(m.oursP99 / m.legacyP99, 3), toCountersP99: round(m.oursP99 / m.countersP99, 2) },
      target: { maxP99Ms: TARGET_P99_MS },
      withinTarget: m.oursP99 <= TARGET_P99_MS,
    };
    log(
      `${totalCases.toLocaleString('en')} cases; median of ${rounds} rounds: ours p99 ${m.oursP99} ms (p50 ${m.oursP50}); legacy p99 ${m.legacyP99} ms; ` +
        `counters SELECT p99 ${m.countersP99} ms; ours/legacy ${result.ratio.toLegacyP99}; load ${result.machine.loadAverageAtStart.join(' ')} → ${result.machine.loadAverageAtEnd!.join(' ')}`,
    );
    saveResults('stats', options.out, result, log);
    return result;
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await db.$client.end();
    await bare.end();
    await temporal.connection.close().catch(() => {});
  }
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      iterations: { type: 'string' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
      smoke: { type: 'boolean', default: false },
    },
  });
  const smoke = values.smoke;
  await runStatsBench({
    cases: Number((values.cases ?? (smoke ? '2000' : '1000000')).replace(/_/g, '')),
    rounds: Number(values.rounds),
    iterations: Number(values.iterations ?? (smoke ? '5' : '100')),
    warmup: smoke ? 2 : undefined,
    databaseUrl: values['database-url'],
    out: values.out,
  });
}
