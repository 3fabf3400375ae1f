// The servers a benchmark runs against. By default a benchmark starts a Temporal dev server of its
// own (in memory, on a free port) and uses a database of its own (homeward_bench_<name>, dropped and
// migrated afresh), so it never disturbs a developer's data or another run. Given addresses (the
// smoke tests pass the test suite's servers) are used as they are: nothing is dropped.
import { loadConfig } from '../../config/index.js';
import { dropDatabase as dropBenchDatabase, migrateDatabase } from '../../db/migrate.js';
import { ensureSearchAttributes, startTemporalDevServer } from '../../scripts/temporal-server.js';
import { quietTemporalRuntime } from './stack.js';

export interface ServerOptions {
  /** An existing database; when absent, a dedicated one is (re)created. */
  databaseUrl?: string;
  /** host:port of an existing Temporal server; when absent, a dev server is started. */
  temporalAddress?: string;
  namespace?: string;
  log?: (line: string) => void;
}

export interface BenchServers {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  /** True when this run started the Temporal server (and so owns it). */
  ownTemporal: boolean;
  ownDatabase: boolean;
  temporalVersion: string | null;
  stop(): Promise<void>;
}

export function dedicatedDatabaseUrl(name: string): string {
  // On the server of DATABASE_URL (the default: 127.0.0.1:5432), under a name of the benchmark's own.
  const base = new URL(loadConfig().databaseUrl);
  base.pathname = `/homeward_bench_${name}`;
  return base.toString();
}

// Only databases named for a benchmark are ever dropped here.
async function dropDatabase(url: string) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^homeward_bench_[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}: not a benchmark database`);
  await dropBenchDatabase(url);
}

async function temporalCliVersion(): Promise<string | null> {
  try {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)('temporal', ['--version']);
    return stdout.trim();
  } catch {
    return null;
  }
}

export async function benchServers(name: string, opts: ServerOptions = {}): Promise<BenchServers> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const namespace = opts.namespace ?? 'default';
  let databaseUrl = opts.databaseUrl;
  const ownDatabase = !databaseUrl;
  if (!databaseUrl) {
    databaseUrl = dedicatedDatabaseUrl(name);
    log(`database: ${new URL(databaseUrl).pathname.slice(1)} (fresh)`);
    await dropDatabase(databaseUrl);
  }
  await migrateDatabase(databaseUrl);

  if (opts.temporalAddress) {
    await ensureSearchAttributes(opts.temporalAddress, namespace, log);
    return { databaseUrl, temporalAddress: opts.temporalAddress, namespace, ownTemporal: false, ownDatabase, temporalVersion: null, stop: async () => {} };
  }
  // Before the dev server: the SDK brings up its runtime for it, which cannot be configured afterwards.
  quietTemporalRuntime();
  const server = await startTemporalDevServer({ port: 0, uiPort: false, dbFile: null, namespace, log: (m) => log(`[temporal] ${m}`) });
  try {
    await ensureSearchAttributes(server.address, namespace, (m) => log(`[temporal] ${m}`));
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    databaseUrl,
    temporalAddress: server.address,
    namespace,
    ownTemporal: true,
    ownDatabase,
    temporalVersion: await temporalCliVersion(),
    stop: () => server.stop(),
  };
}
