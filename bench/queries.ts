// The `queries` benchmark: the supervisor's and caseworker's read paths at national scale.
// `npm run bench:queries -- [--cases 1000000] [--iterations 200] [--warmup 20] [--rounds 1] [--skip-generate]
//                           [--database-url URL] [--out bench/results/queries.json]`
//
// Against a database of its own (homeward_bench: created and migrated here, filled by
// scripts/generate-cases.ts when it holds fewer cases than asked), it measures GET /v1/cases with
// the common filters and GET /v1/stats through the real Express app (createApp, listening on an
// ephemeral port, called over HTTP), and the same SQL run bare through `pg`. The HTTP client is
// node:http with a keep-alive agent by default (--client fetch for the WHATWG fetch of undici, which
// costs some 0.3–0.5 ms more per request on the client side, none of it the API's).
//
// How the bare SQL is the same SQL: the app's pg pool is wrapped so that every statement drizzle
// sends during a timed request is recorded (query config: text, row mode, type parsers; and the
// parameter values). Right after each request, exactly those statements are run again, bare, on a
// separate pool, and timed. API and bare samples are interleaved one by one, so a load spike on the
// machine hits both alike. The ratio p99(API) / p99(bare) is what the API costs on top of the
// database: HTTP, JWT verification, validation, drizzle, mapping and JSON. Target: at most 2.
//
// With --rounds N, every query is measured N times over (round after round of all the queries), and
// each figure reported is the median of the rounds' figures (the p99 ratio: the median of the
// rounds' ratios); every round's figures are kept in the JSON under `rounds`.
//
// Each query's plan is taken with EXPLAIN (ANALYZE, BUFFERS) and checked for a Seq Scan on cases.
// The Temporal client is a lazy connection that never dials: these endpoints do not use Temporal.
import { writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { loadConfig } from '../config/index.js';
import { createDb } from '../db/client.js';
import { createIdentityHasher } from '../db/identity.js';
import { migrateDatabase } from '../db/migrate.js';
import { createApp } from '../api/app.js';
import { createLogger } from '../api/logger.js';
import { dataConverter } from '../temporal/client.js';
import { mintToken } from '../scripts/token.js';
import { GENERATED_CONSULATES, generateCases, generatedOffice } from '../scripts/generate-cases.js';
import { type PlanSummary, summarisePlan } from './support/plans.js';
import { type Distribution, distribution, median, round as roundTo } from './support/stats.js';

export type { PlanSummary };

const round3 = (n: number) => roundTo(n, 3);

export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/homeward_bench';
export const DEFAULT_RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'queries.json');
export const TARGET_P99_RATIO = 2;
const METHOD =
  'API: GET over HTTP (one keep-alive connection) to createApp on an ephemeral port, timed from request to the last body byte. ' +
  'Bare: the statements the app sent to PostgreSQL during that very request (recorded at its pg pool: text, values, ' +
  'row mode, type parsers), run again right after it on a separate pg pool. API and bare samples alternate one by one.';

export interface QueriesBenchOptions {
  /** Cases the database must hold; generated when it holds fewer. */
  cases?: number;
  /** Timed requests per query (each followed by its bare SQL). */
  iterations?: number;
  /** Untimed requests per query first (caches, JIT, connection pools). */
  warmup?: number;
  /** Times every query is measured, round after round; figures are the medians of the rounds. */
  rounds?: number;
  /** Use the database as it is, whatever its size. */
  skipGenerate?: boolean;
  databaseUrl?: string;
  /** Where to write the JSON result; null: do not write. */
  out?: string | null;
  /** HTTP client: node:http with a keep-alive agent (default), or the global fetch (undici). */
  client?: 'http' | 'fetch';
  log?: (line: string) => void;
}

export interface QueryCaseResult {
  name: string;
  request: string;
  caller: string;
  iterations: number;
  items: number | null;
  statementsPerRequest: number;
  api: Distribution;
  bare: Distribution;
  ratioP50: number;
  ratioP99: number;
  /** What the API adds on top of its SQL, in ms: HTTP, JWT, validation, drizzle, mapping, JSON. */
  overheadP50Ms: number;
  overheadP99Ms: number;
  withinTarget: boolean;
  plans: PlanSummary[];
}

export interface QueriesBenchResult {
  benchmark: 'queries';
  date: string;
  machine: {
    cores: number;
    cpuModel: string;
    memoryGb: number;
    freeMemoryGbAtStart: number;
    node: string;
    platform: string;
    postgres: string;
    postgresSettings: Record<string, string>;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
  };
  database: { name: string; cases: number; identityDocuments: number; tasks: number; generation: { ms: number; phases: Record<string, number> } | null };
  settings: { iterations: number; warmup: number; rounds: number; client: 'http' | 'fetch'; concurrency: 1; units: 'ms'; percentiles: 'nearest rank'; method: string };
  target: { maxP99Ratio: number; seqScanOnCases: false };
  seqScanOnCases: boolean;
  allWithinTarget: boolean;
  /** Medians of the rounds. */
  cases: QueryCaseResult[];
  /** Each round's own figures, in order. */
  rounds: Array<Array<Omit<QueryCaseResult, 'plans'>>>;
}

interface Recorded {
  config: pg.QueryConfig & { types?: unknown };
  values: unknown[] | undefined;
}

async function count(pool: pg.Pool, table: string): Promise<number> {
  const r = await pool.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(r.rows[0]!.n);
}

export async function runQueriesBench(options: QueriesBenchOptions = {}): Promise<QueriesBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const wanted = options.cases ?? 1_000_000;
  const iterations = options.iterations ?? 200;
  const warmup = options.warmup ?? Math.min(20, iterations);
  const rounds = Math.max(1, options.rounds ?? 1);
  const databaseUrl = options.databaseUrl ?? DEFAULT_BENCH_DATABASE_URL;
  const out = options.out === undefined ? DEFAULT_RESULTS_FILE : options.out;
  const client = options.client ?? 'http';
  const loadAverageAtStart = loadavg();
  const freeMemoryGbAtStart = Math.round((freemem() / 2 ** 30) * 10) / 10;

  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000000',
  });
  await migrateDatabase(databaseUrl);
  const bare = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  let generation: QueriesBenchResult['database']['generation'] = null;
  try {
    const present = await count(bare, 'cases');
    if (!options.skipGenerate && present < wanted) {
      if (present > 0) {
        log(`homeward_bench holds ${present.toLocaleString('en')} cases, fewer than ${wanted.toLocaleString('en')}: starting again`);
        await bare.query('truncate cases cascade');
      }
      log(`generating ${wanted.toLocaleString('en')} cases …`);
      const g = await generateCases({ databaseUrl, cases: wanted, identityHashKey: config.identityHashKey, log });
      generation = { ms: g.ms, phases: g.phases };
      log(`generated in ${(g.ms / 1000).toFixed(1)} s`);
    }
    const totalCases = await count(bare, 'cases');
    if (totalCases === 0) throw new Error('the benchmark database holds no cases; run without --skip-generate');
    const database = {
      name: new URL(databaseUrl).pathname.slice(1),
      cases: totalCases,
      identityDocuments: await count(bare, 'identity_documents'),
      tasks: await count(bare, 'tasks'),
      generation,
    };

    // The app, wired as in production but for Temporal, which these endpoints never call.
    const db = createDb(databaseUrl, 10);
    const recorded: Recorded[] = [];
    let recording = false;
    const appPool = db.$client;
    const query = appPool.query.bind(appPool) as (...args: unknown[]) => Promise<unknown>;
    (appPool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
      if (recording && typeof args[0] === 'object' && args[0] !== null) {
        recorded.push({ config: args[0] as Recorded['config'], values: args[1] as unknown[] | undefined });
      }
      return query(...args);
    };
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:7233' }), dataConverter: dataConverter(config) });
    const hasher = createIdentityHasher(config);
    const app = createApp({ config, db, temporal, hasher, logger: createLogger('silent') });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = async (pathAndQuery: string, token: string): Promise<{ status: number; body: Buffer }> => {
      const headers = { authorization: `Bearer ${token}` };
      if (client === 'fetch') {
        const res = await fetch(`http://127.0.0.1:${port}${pathAndQuery}`, { headers });
        return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
      }
      return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: pathAndQuery, agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    };

    try {
      // What to ask for: the generator's busiest office and a mid-sized consulate, or whatever the
      // database holds; identity numbers and references of real rows of that office.
      const has = async (sqlText: string, values: unknown[]) => ((await bare.query(sqlText, values)).rowCount ?? 0) > 0;
      const office = (await has('select 1 from cases where office = $1 limit 1', [generatedOffice(1)]))
        ? generatedOffice(1)
        : (await bare.query<{ office: string }>('select office from cases order by created_at desc limit 1')).rows[0]!.office;
      const consulateId = (await has('select 1 from cases where consulate_id = $1 limit 1', [GENERATED_CONSULATES[2]!.id]))
        ? GENERATED_CONSULATES[2]!.id
        : (await bare.query<{ c: string }>('select consulate_id as c from cases order by created_at desc limit 1')).rows[0]!.c;
      const samples = (
        await bare.query<{ reference: string; number: string | null }>(
          `select reference, snapshot->'person'->'documents'->0->>'number' as number
             from cases where office = $1 order by created_at desc, id desc offset $2 limit 50`,
          [office, Math.min(500, Math.floor(totalCases / 40))],
        )
      ).rows;
      if (samples.length === 0) throw new Error(`no cases in office ${office}`);
      const numbers = samples.map((s) => s.number).filter((n): n is string => !!n);
      const references = samples.map((s) => s.reference);

      const secret = config.auth.jwtSecret!;
      const caseworker = await mintToken(secret, { sub: 'bench-caseworker', role: 'caseworker', office });
      const supervisor = await mintToken(secret, { sub: 'bench-supervisor', role: 'supervisor', office });
      const national = await mintToken(secret, { sub: 'bench-national', role: 'supervisor', office: '*' });

      const queryCases: Array<{ name: string; caller: string; token: string; path: (i: number) => string; maxIterations?: number }> = [
        { name: 'office list (default sort -createdAt)', caller: 'caseworker', token: caseworker, path: () => '/v1/cases' },
        { name: 'office + stage', caller: 'caseworker', token: caseworker, path: () => '/v1/cases?stage=consular_contact' },
        { name: 'office + priority + overdue', caller: 'supervisor', token: supervisor, path: () => '/v1/cases?priority=critical&overdue=true' },
        { name: 'office + overdue', caller: 'supervisor', token: supervisor, path: () => '/v1/cases?overdue=true' },
        { name: 'consulateId (all offices)', caller: 'supervisor *', token: national, path: () => `/v1/cases?consulateId=${consulateId}` },
        {
          name: 'q = identity document number',
          caller: 'caseworker',
          token: caseworker,
          path: (i) => `/v1/cases?q=${encodeURIComponent(numbers[i % numbers.length] ?? 'none')}`,
        },
        { name: 'q = reference', caller: 'caseworker', token: caseworker, path: (i) => `/v1/cases?q=${encodeURIComponent(references[i % references.length]!)}` },
        { name: 'office list, page 2 (keyset cursor)', caller: 'caseworker', token: caseworker, path: () => '' },
        { name: 'stats of an office', caller: 'supervisor', token: supervisor, path: () => '/v1/stats' },
        // A national count reads every case's index entry: fewer rounds, or this one case would dominate the run.
        { name: 'stats of all offices', caller: 'supervisor *', token: national, path: () => '/v1/stats', maxIterations: 100 },
      ];
      // Page 2 needs the cursor of page 1.
      const firstPage = JSON.parse((await get(`/v1/cases`, caseworker)).body.toString('utf8')) as { nextCursor: string | null };
      const page2 = firstPage.nextCursor ? `/v1/cases?cursor=${firstPage.nextCursor}` : '/v1/cases';
      queryCases.find((c) => c.name.startsWith('office list, page 2'))!.path = () => page2;

      const measureRound = async (round: number): Promise<QueryCaseResult[]> => {
        const results: QueryCaseResult[] = [];
        for (const qc of queryCases) {
          const call = async (i: number) => {
            const res = await get(qc.path(i), qc.token);
            if (res.status !== 200) throw new Error(`${qc.name}: ${res.status} ${res.body.toString('utf8')}`);
            return res.body;
          };
          const replay = async (statements: Recorded[]) => {
            for (const s of statements) await bare.query(s.config as pg.QueryConfig, s.values);
          };

          for (let i = 0; i < warmup; i++) {
            recording = true;
            await call(i);
            recording = false;
            await replay(recorded.splice(0));
          }
          const apiMs: number[] = [];
          const bareMs: number[] = [];
          let statementsPerRequest = 0;
          let firstStatements: Recorded[] = [];
          let items: number | null = null;
          const runs = qc.maxIterations ? Math.min(iterations, qc.maxIterations) : iterations;
          for (let i = 0; i < runs; i++) {
            recording = true;
            const t0 = performance.now();
            const body = await call(i);
            apiMs.push(performance.now() - t0);
            recording = false;
            const statements = recorded.splice(0);
            statementsPerRequest = statements.length;
            if (i === 0) {
              firstStatements = statements;
              const parsed = JSON.parse(body.toString('utf8')) as { items?: unknown[] };
              items = Array.isArray(parsed.items) ? parsed.items.length : null;
            }
            const t1 = performance.now();
            await replay(statements);
            bareMs.push(performance.now() - t1);
          }

          const plans: PlanSummary[] = [];
          // Once: a plan does not change from round to round, and EXPLAIN ANALYZE of the access log's insert writes entries.
          for (const s of round === 0 ? firstStatements : []) {
            const explained = await bare.query<{ 'QUERY PLAN': Parameters<typeof summarisePlan>[0] }>({
              text: `explain (analyze, buffers, format json) ${s.config.text}`,
              values: s.values,
            });
            plans.push(summarisePlan(explained.rows[0]!['QUERY PLAN']));
          }
          const api = distribution(apiMs);
          const bareDist = distribution(bareMs);
          const ratioP99 = Math.round((api.p99 / bareDist.p99) * 100) / 100;
          results.push({
            name: qc.name,
            request: `GET ${qc.path(0)}`,
            caller: qc.caller,
            iterations: runs,
            items,
            statementsPerRequest,
            api,
            bare: bareDist,
            ratioP50: Math.round((api.p50 / bareDist.p50) * 100) / 100,
            ratioP99,
            overheadP50Ms: Math.round((api.p50 - bareDist.p50) * 1000) / 1000,
            overheadP99Ms: Math.round((api.p99 - bareDist.p99) * 1000) / 1000,
            withinTarget: ratioP99 <= TARGET_P99_RATIO && !plans.some((p) => p.seqScanOnCases),
            plans,
          });
          log(`  ${rounds > 1 ? `round ${round + 1}/${rounds} ` : ''}${qc.name}: API p50 ${api.p50.toFixed(2)} ms p99 ${api.p99.toFixed(2)} ms; bare p50 ${bareDist.p50.toFixed(2)} ms p99 ${bareDist.p99.toFixed(2)} ms`);
        }
        return results;
      };
      const perRound: QueryCaseResult[][] = [];
      for (let round = 0; round < rounds; round++) perRound.push(await measureRound(round));
      const results = perRound[0]!.map((first, i) => {
        const all = perRound.map((r) => r[i]!);
        const mid = (pick: (c: QueryCaseResult) => number) => round3(median(all.map(pick)));
        const dist = (side: 'api' | 'bare'): Distribution => ({
          n: mid((c) => c[side].n),
          p50: mid((c) => c[side].p50),
          p90: mid((c) => c[side].p90),
          p99: mid((c) => c[side].p99),
          mean: mid((c) => c[side].mean),
          min: mid((c) => c[side].min),
          max: mid((c) => c[side].max),
        });
        const ratioP99 = Math.round(median(all.map((c) => c.ratioP99)) * 100) / 100;
        return {
          ...first,
          api: dist('api'),
          bare: dist('bare'),
          ratioP50: Math.round(median(all.map((c) => c.ratioP50)) * 100) / 100,
          ratioP99,
          overheadP50Ms: mid((c) => c.overheadP50Ms),
          overheadP99Ms: mid((c) => c.overheadP99Ms),
          withinTarget: ratioP99 <= TARGET_P99_RATIO && !first.plans.some((p) => p.seqScanOnCases),
        };
      });

      const settings = await bare.query<{ name: string; setting: string }>(
        `select name, current_setting(name) as setting from pg_settings
          where name in ('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'max_parallel_workers_per_gather', 'jit')`,
      );
      const result: QueriesBenchResult = {
        benchmark: 'queries',
        date: new Date().toISOString(),
        machine: {
          cores: cpus().length,
          cpuModel: cpus()[0]?.model ?? 'unknown',
          memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
          freeMemoryGbAtStart,
          node: process.version,
          platform: `${process.platform} ${process.arch}`,
          postgres: (await bare.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v,
          postgresSettings: Object.fromEntries(settings.rows.map((s) => [s.name, s.setting])),
          loadAverageAtStart,
          loadAverageAtEnd: loadavg(),
        },
        database,
        settings: { iterations, warmup, rounds, client, concurrency: 1, units: 'ms', percentiles: 'nearest rank', method: METHOD },
        target: { maxP99Ratio: TARGET_P99_RATIO, seqScanOnCases: false },
        seqScanOnCases: results.some((r) => r.plans.some((p) => p.seqScanOnCases)),
        allWithinTarget: results.every((r) => r.withinTarget),
        cases: results,
        rounds: perRound.map((r) => r.map(({ plans: _plans, ...rest }) => rest)),
      };
      printTable(result, log);
      if (out) {
        mkdirSync(path.dirname(out), { recursive: true });
        writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
        log(`wrote ${path.relative(process.cwd(), out)}`);
      }
      return result;
    } finally {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await db.$client.end();
      await temporal.connection.close().catch(() => {});
    }
  } finally {
    await bare.end();
  }
}

function printTable(r: QueriesBenchResult, log: (line: string) => void) {
  const rows = r.cases.map((c) => [
    c.name,
    c.api.p50.toFixed(2),
    c.api.p99.toFixed(2),
    c.bare.p50.toFixed(2),
    c.bare.p99.toFixed(2),
    c.ratioP99.toFixed(2),
    c.overheadP50Ms.toFixed(2),
    c.plans.some((p) => p.seqScanOnCases) ? 'SEQ SCAN' : 'index',
  ]);
  const head = ['query', 'API p50', 'API p99', 'SQL p50', 'SQL p99', 'p99 ratio', '+p50', 'plan'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  log('');
  log(
    `${r.database.cases.toLocaleString('en')} cases, ${r.settings.iterations} iterations (stats of all offices: ${r.cases[r.cases.length - 1]?.iterations})` +
      `${r.settings.rounds > 1 ? ` × ${r.settings.rounds} rounds, medians of the rounds` : ''}, ` +
      `ms; client ${r.settings.client}; ${r.machine.cores} cores, node ${r.machine.node}, PostgreSQL ${r.machine.postgres}; load ${r.machine.loadAverageAtStart[0]} → ${r.machine.loadAverageAtEnd[0]}`,
  );
  log(line(head));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) log(line(row));
  log(`seq scan on cases: ${r.seqScanOnCases ? 'YES' : 'none'}; every p99 ratio <= ${TARGET_P99_RATIO}: ${r.cases.every((c) => c.ratioP99 <= TARGET_P99_RATIO) ? 'yes' : 'no'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '1000000' },
      iterations: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '1' },
      warmup: { type: 'string' },
      'skip-generate': { type: 'boolean', default: false },
      'database-url': { type: 'string' },
      out: { type: 'string' },
      client: { type: 'string', default: 'http' },
    },
  });
  if (values.client !== 'http' && values.client !== 'fetch') throw new Error('--client is http or fetch');
  await runQueriesBench({
    cases: Number(values.cases.replace(/_/g, '')),
    iterations: Number(values.iterations),
    warmup: values.warmup === undefined ? undefined : Number(values.warmup),
    rounds: Number(values.rounds),
    skipGenerate: values['skip-generate'],
    databaseUrl: values['database-url'],
    out: values.out,
    client: values.client,
  });
}
