// `npm start`: everything for a local Homeward on one machine. Boots (or reuses) the Temporal dev
// server with its data under .data/, applies the migrations, then runs the worker and the API as
// supervised child processes with prefixed logs: one that crashes is restarted with backoff while
// the other keeps serving (scripts/supervise.ts). Ctrl-C or SIGTERM stops all of them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import { migrateDatabase } from '../db/migrate.js';
import { bootTemporal, freePort } from './temporal-server.js';
import { onShutdownSignals, supervise } from './supervise.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg: string) => console.log(`[homeward] ${msg}`);

async function main() {
  const config = loadConfig();
  const temporal = await bootTemporal({ log: say });
  // The web console (web/), served by the API at `/`: built once, when it is missing.
  const dist = path.resolve(ROOT, config.console.distDir ?? 'web/dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    say('building the web console (npm run build:web)');
    const { build } = await import('vite');
    await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
  }
  say(`migrating ${new URL(config.databaseUrl).pathname.slice(1)}`);
  await migrateDatabase(config.databaseUrl);

  // One /metrics on a laptop (README "Metrics"): the worker serves the Temporal SDK's metrics on a
  // port of its own, and the API appends them to its /metrics.
  const metricsPort = config.metrics.worker?.port ?? (await freePort());
  const metrics = {
    HOMEWARD_WORKER_METRICS_PORT: String(metricsPort),
    HOMEWARD_WORKER_METRICS_HOST: config.metrics.worker?.host ?? '127.0.0.1',
    HOMEWARD_METRICS_MERGE_URL: config.metrics.mergeUrl ?? `http://127.0.0.1:${metricsPort}/metrics`,
  };
  const env = { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, ...metrics };
  const node = (name: string, entry: string) => ({ name, command: process.execPath, args: ['--import', 'tsx', entry], cwd: ROOT, env });
  const children = supervise([node('worker', 'worker/main.ts'), node('api', 'api/server.ts')], { log: say });
  say(`API on http://localhost:${config.port} (OpenAPI: /openapi.json, ready when /readyz is 200)${temporal.uiUrl ? `, Temporal UI on ${temporal.uiUrl}` : ''}`);
  say(`console: http://localhost:${config.port}/ (development sign-in: pick a role, office or agency and a name)`);
  say('tokens: npm run token -- caseworker --office manila   (see README for the walk-through)');

  onShutdownSignals(async (signal) => {
    say(`${signal} received; stopping`);
    await children.stop();
    await temporal.stop();
    process.exit(0);
  }, say);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
