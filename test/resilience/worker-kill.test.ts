// Processes killed (SIGKILL) under load, then started again: first the worker alone, then every
// process at once (the worker, the API with its Temporal client, and a Temporal dev server of the
// test's own, restarted on its data file). Caseworkers keep working through it as careful clients:
// a 503, a timeout or a refused connection is retried with the same Idempotency-Key. Afterwards no
// workflow task failed in any run of any case, every run replays, no accepted action is lost or
// applied twice (counted in the timeline) and every case still acts.
import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import { type ChildHandle, type OwnTemporal, freePort, startApiProcess, startOwnTemporal, startWorkerProcess } from '../support/processes.js';
import { Journal, NO_DAMAGE, busyDay, faultReport, untilEveryCaseAnswered, officeStaff } from '../support/careful.js';

const CASEWORKERS = 4;
// A day lasts a quarter of a second: deadlines keep coming due while processes are down.
const FAST_CLOCK = { HOMEWARD_TIME_SCALE: String(0.25 / 86_400) };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const children: ChildHandle[] = [];
const harnesses: Harness[] = [];
let temporal: OwnTemporal | undefined;

afterAll(async () => {
  for (const c of children) await c.kill();
  for (const h of harnesses) await h.stop();
  await temporal?.destroy();
});

async function tokens(h: Harness) {
  return {
    ...(await officeStaff(h, CASEWORKERS)),
  };
}

describe('processes killed under load', () => {
  it('when the worker process is killed while cases are opened and acted on, and a new one started (twice), then no workflow task fails, nothing accepted is lost or doubled, every case acts and every history replays', async () => {
    const h = await startHarness({ worker: false, config: { HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS: '4000', ...FAST_CLOCK } });
    harnesses.push(h);
    const consulateId = await createConsulate(h);
    const first = await startWorkerProcess(h.config);
    children.push(first);

    const journal = new Journal();
    let giveUpAt = Number.POSITIVE_INFINITY;
    let workerGone!: () => void;
    const gone = new Promise<void>((resolve) => (workerGone = resolve));
    const day = busyDay({
      http: () => h.http,
      ...(await tokens(h)),
      consulateId,
      journal,
      client: { giveUpAt: () => giveUpAt },
      // More people are opened while no worker runs: their opening and first updates wait together.
      moreCases: [gone],
      person: () => personBody(),
    });

    // Killed in the middle of it: steps persisting, updates waiting for their answers.
    await untilEveryCaseAnswered(journal, day.caseIds, CASEWORKERS, 4);
    await first.kill();
    workerGone();
    await sleep(1_000);
    const second = await startWorkerProcess(h.config);
    children.push(second);
    // Killed again once it has caught up with every case: the next worker must replay what the
    // second one recorded while working off the backlog.
    await untilEveryCaseAnswered(journal, day.caseIds, 2 * CASEWORKERS, 4);
    await second.kill();
    children.push(await startWorkerProcess(h.config));
    await sleep(3_000);
    giveUpAt = Date.now() + 60_000;
    await day.stop();

    expect(await faultReport(h, journal, day, 2 * CASEWORKERS)).toEqual(NO_DAMAGE);
  }, 240_000);

  it('when every process is killed at once (worker, API, Temporal) and started again on the same data, then no workflow task fails, nothing accepted is lost or doubled, every case acts and every history replays', async () => {
    temporal = await startOwnTemporal();
    const own = temporal;
    // The harness gives this process a client for checks; the API under test is a child process.
    const h = await startHarness({
      worker: false,
      config: { DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: own.address, HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS: '4000', ...FAST_CLOCK },
    });
    harnesses.push(h);
    const consulateId = await createConsulate(h);
    const port = await freePort();
    let api = await startApiProcess(h.config, port);
    let worker = await startWorkerProcess(h.config);
    children.push(api, worker);
    const http = supertest(api.url);

    const journal = new Journal();
    let giveUpAt = Number.POSITIVE_INFINITY;
    let allGone!: () => void;
    const gone = new Promise<void>((resolve) => (allGone = resolve));
    const day = busyDay({
      http: () => http,
      ...(await tokens(h)),
      consulateId,
      journal,
      client: { giveUpAt: () => giveUpAt },
      moreCases: [gone.then(() => sleep(1_000))],
      person: () => personBody({ fullName: `Ana Reyes ${randomUUID().slice(0, 6)}` }),
    });

    await untilEveryCaseAnswered(journal, day.caseIds, CASEWORKERS, 4);
    await Promise.all([worker.kill(), api.kill(), own.kill()]);
    allGone();
    await sleep(1_000);
    await own.start();
    api = await startApiProcess(h.config, port);
    children.push(api);
    worker = await startWorkerProcess(h.config);
    children.push(worker);
    await sleep(3_000);
    giveUpAt = Date.now() + 60_000;
    await day.stop();

    expect(await faultReport(h, journal, day, 2 * CASEWORKERS)).toEqual(NO_DAMAGE);
  }, 240_000);
});
