// Where and how the benchmarks write their results: bench/results/<name>.json, with the date and
// the machine the numbers came from.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { cpus, freemem, hostname, loadavg, platform, release, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

export function defaultResultsFile(name: string): string {
  return path.join(RESULTS_DIR, `${name}.json`);
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  freeMemoryGbAtStart: number;
  node: string;
  platform: string;
  hostname: string;
  postgres: string | null;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

const gb = (bytes: number) => Math.round((bytes / 2 ** 30) * 10) / 10;

export async function machineInfo(databaseUrl?: string): Promise<MachineInfo> {
  let postgres: string | null = null;
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    try {
      await client.connect();
      postgres = (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;
    } catch {
      postgres = null;
    } finally {
      await client.end().catch(() => {});
    }
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: gb(totalmem()),
    freeMemoryGbAtStart: gb(freemem()),
    node: process.version,
    platform: `${platform()} ${release()}`,
    hostname: hostname(),
    postgres,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function finishMachineInfo(m: MachineInfo): MachineInfo {
  return { ...m, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) };
}

/** Writes atomically (temp file, then rename), so a reader never sees half a result. */
export function writeResults(file: string, result: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Writes a benchmark's result where asked (default bench/results/<name>.json; null or an empty path: nowhere). */
export function saveResults(name: string, out: string | null | undefined, result: unknown, log: (msg: string) => void): void {
  const file = out === undefined ? defaultResultsFile(name) : out;
  if (!file) return;
  writeResults(file, result);
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

/** Whether the module at `metaUrl` is the script node was asked to run. */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);
}
