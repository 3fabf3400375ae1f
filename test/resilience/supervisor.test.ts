// Processes that come back: the supervisor behind `npm start` restarts a child that exits, after
// delays that double up to a cap and start over after a healthy run, leaves the other children
// alone, and stops everything on SIGINT/SIGTERM. Real child processes throughout (a tiny Node
// script that crashes on schedule, see test/fixtures/processes/child.mjs), and finally the real dev
// stack of scripts/dev.ts, on a port and a database of its own, surviving a SIGKILL of its worker.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { freePort } from '../../scripts/temporal-server.js';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type ProcessSpec, type SupervisorEvent, supervise } from '../../scripts/supervise.js';
import { dropDatabase } from '../../db/migrate.js';
import { mintToken } from '../../scripts/token.js';
import { loadConfig } from '../../config/index.js';
import { personBody } from '../support/harness.js';
import { waitFor } from '../support/drive.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = path.join(ROOT, 'test', 'fixtures', 'processes', 'child.mjs');
const STACK = path.join(ROOT, 'test', 'fixtures', 'processes', 'stack.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-supervisor-'));
const spawned: number[] = [];
const processes: ChildProcess[] = [];

afterAll(() => {
  // Whatever a failed test left behind.
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const pid of spawned) if (alive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function child(name: string, lifetimes: string, mode?: 'ignore-term'): ProcessSpec & { journal: string } {
  const journal = path.join(dir, `${name}-${randomUUID().slice(0, 8)}.log`);
  return { name, journal, command: process.execPath, args: [CHILD, journal, lifetimes, ...(mode ? [mode] : [])] };
}

function journal(file: string) {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  const entries = lines.map((l) => {
    const [what, pid, at] = l.split(' ');
    return { what, pid: Number(pid), at: Number(at) };
  });
  return { starts: entries.filter((e) => e.what === 'start'), stopped: entries.filter((e) => e.what === 'stopped') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the supervisor', () => {
  it('when a child keeps crashing, then it is restarted after doubling delays up to the cap, back to the first after a healthy run, and the other child keeps running', async () => {
    // Runs 1-4 crash at once, run 5 stays up longer than resetAfterMs, then quick crashes again.
    const crasher = child('crasher', '0,0,0,0,2500,0');
    const steady = child('steady', 'forever');
    const events: SupervisorEvent[] = [];
    const supervisor = supervise([crasher, steady], {
      initialDelayMs: 200,
      factor: 2,
      maxDelayMs: 600,
      resetAfterMs: 2_000,
      log: () => {},
      output: () => {},
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'started') spawned.push(e.pid);
      },
    });
    const steadyPid = supervisor.pids().steady!;
    const restarts = () => events.filter((e): e is Extract<SupervisorEvent, { type: 'restarting' }> => e.type === 'restarting' && e.name === 'crasher');
    try {
      await waitFor('seven runs of the crasher', async () => journal(crasher.journal).starts.length >= 7, 30_000, 50);
    } finally {
      await supervisor.stop();
    }

    expect(restarts().slice(0, 6).map((e) => e.delayMs)).toEqual([200, 400, 600, 600, 200, 400]);
    // The delays really passed between one run and the next (the journal is written by the children).
    const starts = journal(crasher.journal).starts;
    expect(starts.length).toBeGreaterThanOrEqual(7);
    const planned = [200, 400, 600, 600, 2_500 + 200, 400];
    planned.forEach((ms, i) => expect(starts[i + 1]!.at - starts[i]!.at, `gap after run ${i + 1}`).toBeGreaterThanOrEqual(ms));
    expect(new Set(starts.map((s) => s.pid)).size).toBe(starts.length);

    // The steady child ran once, the whole time, and was stopped with SIGTERM.
    const s = journal(steady.journal);
    expect(s.starts.map((e) => e.pid)).toEqual([steadyPid]);
    expect(s.stopped.map((e) => e.pid)).toEqual([steadyPid]);
    expect(events.filter((e) => e.name === 'steady').map((e) => e.type)).toEqual(['started', 'exited']);

    // Nothing comes back after stop().
    const count = starts.length;
    await sleep(1_000);
    expect(journal(crasher.journal).starts.length).toBe(count);
    for (const { pid } of starts) expect(alive(pid)).toBe(false);
    expect(alive(steadyPid)).toBe(false);
  });

  it('when a child ignores SIGTERM, then stop() kills it after the grace period', async () => {
    const stubborn = child('stubborn', 'forever', 'ignore-term');
    const supervisor = supervise([stubborn], { stopTimeoutMs: 500, log: () => {}, output: () => {} });
    const pid = supervisor.pids().stubborn!;
    spawned.push(pid);
    await waitFor('the child to start', async () => journal(stubborn.journal).starts.length === 1, 10_000, 20);
    const started = Date.now();
    await supervisor.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(alive(pid)).toBe(false);
    expect(journal(stubborn.journal).stopped).toEqual([]);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`when the supervising process gets ${signal}, then every child stops, none is restarted, and it exits 0`, async () => {
      const crasher = child('crasher', '0');
      const steady = child('steady', 'forever');
      const proc = spawn(process.execPath, ['--import', 'tsx', STACK], {
        cwd: ROOT,
        env: {
          ...process.env,
          SUPERVISE_SPECS: JSON.stringify([crasher, steady]),
          SUPERVISE_OPTIONS: JSON.stringify({ initialDelayMs: 100, maxDelayMs: 400, stopTimeoutMs: 5_000 }),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      processes.push(proc);
      const events: Array<Record<string, unknown>> = [];
      readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
        const e = JSON.parse(line) as Record<string, unknown>;
        events.push(e);
        if (e.type === 'started') spawned.push(e.pid as number);
      });
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

      await waitFor('the crasher to be restarted twice', async () => events.filter((e) => e.type === 'restarting').length >= 2, 30_000, 50);
      proc.kill(signal);
      expect(await exited).toBe(0);
      expect(events.at(-1)).toEqual({ type: 'stopped', signal });

      const s = journal(steady.journal);
      expect(s.starts).toHaveLength(1);
      expect(s.stopped.map((e) => e.pid)).toEqual([s.starts[0]!.pid]);
      const starts = journal(crasher.journal).starts;
      await sleep(800);
      expect(journal(crasher.journal).starts.length).toBe(starts.length);
      for (const { pid } of [...starts, ...s.starts]) expect(alive(pid)).toBe(false);
    });
  }
});


describe('npm start', () => {
  it('when the worker of the dev stack is killed, then it is restarted, the API keeps serving, and a case can be opened again; SIGTERM stops it all', async () => {
    const port = await freePort();
    const dbUrl = new URL(inject('databaseUrl'));
    dbUrl.pathname = `${dbUrl.pathname}_devstack`;
    const databaseUrl = dbUrl.toString();
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      LOG_LEVEL: 'warn',
    };
    const config = loadConfig(env);
    const base = `http://127.0.0.1:${port}`;
    const dev = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    processes.push(dev);
    const lines: string[] = [];
    for (const stream of [dev.stdout!, dev.stderr!]) readline.createInterface({ input: stream }).on('line', (l) => lines.push(l));
    const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
    // The dev process's children running an entry point, from the process table (not from its logs),
    // each pid remembered once seen.
    const seen: Record<'worker' | 'api', number[]> = { worker: [], api: [] };
    const pidsOf = (name: 'worker' | 'api') => {
      const entry = name === 'worker' ? 'worker/main.ts' : 'api/server.ts';
      let table = '';
      try {
        table = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(dev.pid)], { encoding: 'utf8' });
      } catch {
        // ps exits 1 when there are no such processes
      }
      for (const row of table.split('\n')) {
        const m = /^\s*(\d+)\s+(.*)$/.exec(row);
        const pid = Number(m?.[1]);
        if (m && m[2]!.includes(entry) && !seen[name].includes(pid)) seen[name].push(pid);
      }
      return seen[name];
    };
    const polling = () => lines.filter((l) => l.startsWith('[worker] worker polling ')).length;

    try {
      await waitFor('the dev stack to be ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, 120_000, 250);
      const [workerPid] = pidsOf('worker');
      const [apiPid] = pidsOf('api');
      spawned.push(workerPid!, apiPid!);

      const admin = await mintToken(config.auth.jwtSecret!, { sub: 'root', role: 'admin' });
      const consulateId = `consulate-${randomUUID().slice(0, 8)}`;
      const created = await fetch(`${base}/v1/agencies`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` },
        body: JSON.stringify({ id: consulateId, kind: 'consulate', name: 'Consulate', country: 'TH', city: 'Bangkok' }),
      });
      expect(created.status).toBe(201);
      const caseworker = await mintToken(config.auth.jwtSecret!, { sub: 'cw', role: 'caseworker', office: 'manila' });
      const openCase = () =>
        fetch(`${base}/v1/cases`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${caseworker}` },
          body: JSON.stringify({ person: personBody(), source: { type: 'hotline' }, consulateId }),
        });

      process.kill(workerPid!, 'SIGKILL');
      // While the worker is gone and coming back, the API answers every liveness probe.
      const newWorkerPid = await waitFor(
        'a new worker process',
        async () => {
          expect((await fetch(`${base}/healthz`)).status).toBe(200);
          return pidsOf('worker').find((pid) => pid !== workerPid);
        },
        60_000,
        200,
      );
      spawned.push(newWorkerPid);
      expect(alive(workerPid!)).toBe(false);
      expect(lines).toContainEqual(expect.stringMatching(/^\[homeward\] worker exited \(signal SIGKILL\) after [\d.]+ s; restarting in 1\.0 s$/));
      await waitFor('the new worker to poll', async () => polling() >= 2, 60_000, 200);
      const res = await openCase();
      expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);

      // The API was never restarted, and the dev process is still up.
      expect(pidsOf('api')).toEqual([apiPid]);
      expect(alive(apiPid!)).toBe(true);
      expect(dev.exitCode).toBeNull();

      dev.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(alive(newWorkerPid)).toBe(false);
      expect(alive(apiPid!)).toBe(false);
    } catch (err) {
      console.error(lines.slice(-40).join('\n'));
      throw err;
    } finally {
      if (dev.exitCode === null) {
        dev.kill('SIGTERM');
        await exited;
      }
      await dropDatabase(databaseUrl);
    }
  }, 240_000);
});
