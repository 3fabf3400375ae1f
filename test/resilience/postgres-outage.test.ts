// PostgreSQL stopped for 15 s while caseworkers work their cases through the real app: meanwhile the
// API answers 503 (never 500); afterwards every case acts, every action that was answered 2xx is in
// its timeline exactly once, the read model equals the workflows' state, no workflow task failed
// and every history replays. Deadlines keep coming due meanwhile, on a clock where a day is a
// quarter of a second. The cluster stopped here is the test's own (a temporary one on a free port),
// not the suite's; the worker is a process of its own, as in production.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import { type ChildHandle, type PostgresCluster, startPostgresCluster, startWorkerProcess } from '../support/processes.js';
import { Journal, NO_DAMAGE, busyDay, faultReport, officeStaff } from '../support/careful.js';

const CASEWORKERS = 6;
const OUTAGE_MS = 15_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let pg: PostgresCluster;
let h: Harness;
let worker: ChildHandle;

beforeAll(async () => {
  pg = await startPostgresCluster();
  h = await startHarness({
    worker: false,
    config: {
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      // The API gives up on a case after 4 s (a 503 that says the step may still complete), not 15 s.
      HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS: '4000',
      // A day lasts a quarter of a second: deadlines (the 14-day locating review, its reminders and
      // escalations) come due during the outage and after it, between the caseworkers' steps.
      HOMEWARD_TIME_SCALE: String(0.25 / 86_400),
    },
  });
  worker = await startWorkerProcess(h.config);
});
afterAll(async () => {
  await worker?.kill();
  await h?.stop();
  await pg?.destroy();
});

describe('a PostgreSQL outage under load', () => {
  it('when PostgreSQL is down for 15 s while caseworkers act, then meanwhile only 503s, and afterwards every case acts, every accepted action is in the timeline once and the read model equals the workflows', async () => {
    const consulateId = await createConsulate(h);
    const journal = new Journal();
    let giveUpAt = Number.POSITIVE_INFINITY;
    let outage!: () => void;
    const down = new Promise<void>((resolve) => (outage = resolve));
    const day = busyDay({
      http: () => h.http,
      ...(await officeStaff(h, CASEWORKERS)),
      consulateId,
      journal,
      client: { giveUpAt: () => giveUpAt },
      // Each caseworker also opens a person during the outage (a 503 until PostgreSQL is back).
      moreCases: [down.then(() => sleep(1_000))],
      person: () => personBody(),
    });

    await sleep(3_000);
    await pg.stop('immediate');
    const downFrom = Date.now();
    outage();
    await sleep(OUTAGE_MS);
    const downUntil = Date.now();
    await pg.start();
    // Work goes on after the restart while the worker's writes catch up (they back off up to 12.8 s
    // by then); then everyone finishes what they started.
    await sleep(8_000);
    giveUpAt = Date.now() + 60_000;
    await day.stop();

    const during = journal.attemptsWithin(downFrom, downUntil);
    expect(during.length).toBeGreaterThan(CASEWORKERS);
    expect(during.filter((a) => a.status !== 503)).toEqual([]);
    expect(worker.exitInfo, worker.output()).toBeUndefined();
    expect(await faultReport(h, journal, day, 2 * CASEWORKERS)).toEqual(NO_DAMAGE);
  }, 180_000);
});
