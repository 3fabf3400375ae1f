// `npm start`: everything for a local Homeward on one machine. Boots (or reuses) the Temporal dev
// server with its data under .data/, finds PostgreSQL (or, on a laptop without one and without
// DATABASE_URL, runs an embedded one: db/embedded.ts), applies the migrations, then runs the worker
// and the API as supervised child processes with prefixed logs: one that crashes is restarted with
// backoff while the other keeps serving (scripts/supervise.ts). Ctrl-C or SIGTERM stops all of them.
import net from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Config, loadConfig } from '../config/index.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { migrateDatabase } from '../db/migrate.js';
import { bootTemporal, freePort } from './temporal-server.js';
import { onShutdownSignals, supervise } from './supervise.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg: string) => console.log(`[homeward] ${msg}`);

/** Whether anything accepts connections where `url` points (a refusal or silence means no server). */
function answers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432), timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** The PostgreSQL of this run: DATABASE_URL, the default server, or an embedded one (see HOMEWARD_EMBEDDED_POSTGRES). */
async function database(config: Config): Promise<{ url: string; stop(): Promise<void> }> {
  const mode = config.embeddedPostgres.mode;
  const embed = !config.databaseUrlFromEnv && (mode === 'always' || (mode === 'auto' && !(await answers(config.databaseUrl))));
  if (!embed) return { url: config.databaseUrl, stop: async () => undefined };
  const dataDir = path.join(config.dataDir, 'postgres');
  const started = Date.now();
  const embedded = await startEmbeddedPostgres({ dataDir, port: config.embeddedPostgres.port }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    throw new Error(`cannot run the embedded PostgreSQL: port ${config.embeddedPostgres.port} is in use (another \`npm start\`?); set HOMEWARD_EMBEDDED_POSTGRES_PORT`);
  });
  const why = mode === 'always' ? 'HOMEWARD_EMBEDDED_POSTGRES=always' : `no PostgreSQL at ${new URL(config.databaseUrl).host} and DATABASE_URL unset`;
  say(`${why}: running an embedded PostgreSQL (PGlite) at ${embedded.url}, data in ${dataDir.startsWith(ROOT) ? path.relative(ROOT, dataDir) : dataDir} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return embedded;
}

async function main() {
  const config = loadConfig();
  const temporal = await bootTemporal({ log: say, config });
  // The web console (web/), served by the API at `/`: built once, when it is missing.
  const dist = path.resolve(ROOT, config.console.distDir ?? 'web/dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    say('building the web console (npm run build:web)');
    const { build } = await import('vite');
    await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
  }
  const db = await database(config);
  say(`migrating ${new URL(db.url).pathname.slice(1)}`);
  await migrateDatabase(db.url);

  // One /metrics on a laptop (README "Metrics"): the worker serves the Temporal SDK's metrics on a
  // port of its own, and the API appends them to its /metrics.
  const metricsPort = config.metrics.worker?.port ?? (await freePort());
  const metrics = {
    HOMEWARD_WORKER_METRICS_PORT: String(metricsPort),
    HOMEWARD_WORKER_METRICS_HOST: config.metrics.worker?.host ?? '127.0.0.1',
    HOMEWARD_METRICS_MERGE_URL: config.metrics.mergeUrl ?? `http://127.0.0.1:${metricsPort}/metrics`,
  };
  const env = { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, DATABASE_URL: db.url, ...metrics };
  const node = (name: string, entry: string) => ({ name, command: process.execPath, args: ['--import', 'tsx', entry], cwd: ROOT, env });
  const children = supervise([node('worker', 'worker/main.ts'), node('api', 'api/server.ts')], { log: say });
  say(`API on http://localhost:${config.port} (OpenAPI: /openapi.json, ready when /readyz is 200)${temporal.uiUrl ? `, Temporal UI on ${temporal.uiUrl}` : ''}`);
  say(`console: http://localhost:${config.port}/ (development sign-in: pick a role, office or agency and a name)`);
  say('tokens: npm run token -- caseworker --office manila   (see README for the walk-through; `npm run demo` fills it with invented cases)');

  onShutdownSignals(async (signal) => {
    say(`${signal} received; stopping`);
    await children.stop();
    await temporal.stop();
    // Last: the worker and the API have closed their connections, and PGlite writes out its files.
    await db.stop();
    process.exit(0);
  }, say);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
