// `npm start`: everything for a local Homeward on one machine. Boots (or reuses) the Temporal dev
// server with its data under .data/, applies the migrations, then runs the worker and the API as
// child processes with prefixed logs. Ctrl-C stops all of them.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import { migrateDatabase } from '../db/migrate.js';
import { bootTemporal } from './temporal-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg: string) => console.log(`[homeward] ${msg}`);

function run(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => `[${name}] ${l}`)
      .join('\n');
  child.stdout?.on('data', (c: Buffer) => console.log(prefix(c)));
  child.stderr?.on('data', (c: Buffer) => console.error(prefix(c)));
  return child;
}

async function main() {
  const config = loadConfig();
  const temporal = await bootTemporal({ log: say });
  say(`migrating ${new URL(config.databaseUrl).pathname.slice(1)}`);
  await migrateDatabase(config.databaseUrl);

  const env = { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace };
  const children = [run('worker', 'worker/main.ts', env), run('api', 'api/server.ts', env)];
  say(`API on http://localhost:${config.port} (OpenAPI: /openapi.json)${temporal.uiUrl ? `, Temporal UI on ${temporal.uiUrl}` : ''}`);
  say('tokens: npm run token -- caseworker --office manila   (see README for the walk-through)');

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    await temporal.stop();
    process.exit(code);
  };
  for (const c of children) {
    c.once('exit', (code) => {
      if (!stopping) {
        say(`a process exited (code ${code}); stopping the rest`);
        void stop(code ?? 1);
      }
    });
  }
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
