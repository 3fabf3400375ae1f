// Keeps the `console` benchmark from rotting: it runs end to end (the console built into a directory
// of its own, 400 generated cases in a database of its own, Chromium loading the sign-in and the list
// of 200 against their baselines) and its JSON result has the documented structure with finite numbers.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { CHROMIUM, type ConsoleBenchResult, runConsoleBench } from '../../bench/console.js';

const base = new URL(inject('databaseUrl'));
const databaseUrl = new URL(base);
databaseUrl.pathname = `${base.pathname}_console_smoke`;
const dir = mkdtempSync(path.join(tmpdir(), 'homeward-console-smoke-'));
const out = path.join(dir, 'console.json');
const haveChromium = existsSync(CHROMIUM);

async function dropDatabase() {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`drop database if exists "${databaseUrl.pathname.slice(1)}" with (force)`);
  await client.end();
}

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropDatabase();
});

const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n);

describe(`the console benchmark${haveChromium ? '' : ' (skipped: no Chromium)'}`, () => {
  it.skipIf(!haveChromium)('when it runs two rounds, then it reports the first load and the 200-row list with medians, baselines, ratios and bytes', async () => {
    await dropDatabase();
    const lines: string[] = [];
    const result = await runConsoleBench({ rounds: 2, cases: 400, databaseUrl: databaseUrl.toString(), distDir: path.join(dir, 'dist'), out, log: (l) => lines.push(l) });
    const written = JSON.parse(readFileSync(out, 'utf8')) as ConsoleBenchResult;
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));
    expect(written.benchmark).toBe('console');
    expect(written.settings).toMatchObject({ rounds: 2, rows: 200 });
    expect(written.machine.node).toBe(process.version);
    for (const c of [written.firstLoad, written.list200]) {
      for (const d of [c.console, c.baseline]) {
        expect(d.n).toBe(2);
        for (const k of ['p50', 'p90', 'min', 'max'] as const) expect(finite(d[k]) && d[k] > 0, k).toBe(true);
      }
      expect(finite(c.ratioMedian) && c.ratioMedian > 0).toBe(true);
      expect(c.bytes.console).toBeGreaterThan(0);
      expect(c.bytes.baseline).toBeGreaterThan(0);
    }
    expect(finite(written.list200.consoleAfterDataMs.p50)).toBe(true);
    expect(typeof written.firstLoad.withinTarget).toBe('boolean');
    // The console's assets come compressed; the bare server sends the same files as they are.
    expect(written.firstLoad.bytes.console).toBeLessThan(written.firstLoad.bytes.baseline);
    expect(lines.some((l) => l.includes('first load to usable sign-in'))).toBe(true);
  }, 300_000);
});
