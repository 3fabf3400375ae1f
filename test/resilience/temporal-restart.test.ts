// The Temporal server killed (SIGKILL) under load and started again on its data file: the worker
// (a process of its own) and the API's client carry on by themselves. Caseworkers keep working as
// careful clients, retrying with the same Idempotency-Key. Afterwards nothing accepted is lost,
// nothing is applied twice, every case acts, no workflow task failed and every history replays.
// The server killed here is the test's own dev server, on a free port and a temporary data file.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import { type ChildHandle, type OwnTemporal, startOwnTemporal, startWorkerProcess } from '../support/processes.js';
import { Journal, NO_DAMAGE, busyDay, faultReport, untilEveryCaseAnswered, officeStaff } from '../support/careful.js';

const CASEWORKERS = 6;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let temporal: OwnTemporal;
let h: Harness;
let worker: ChildHandle;

beforeAll(async () => {
  temporal = await startOwnTemporal();
  h = await startHarness({
    worker: false,
    config: {
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: temporal.address,
      HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS: '4000',
      // A day lasts a quarter of a second: deadlines come due between the caseworkers' steps.
      HOMEWARD_TIME_SCALE: String(0.25 / 86_400),
    },
  });
  worker = await startWorkerProcess(h.config);
});
afterAll(async () => {
  await worker?.kill();
  await h?.stop();
  await temporal?.destroy();
});

describe('a Temporal server restart under load', () => {
  it('when the Temporal server is killed and started again on its data file while caseworkers act, then nothing accepted is lost or applied twice, every case acts and no workflow task fails', async () => {
    const consulateId = await createConsulate(h);
    const journal = new Journal();
    let giveUpAt = Number.POSITIVE_INFINITY;
    let killed!: () => void;
    const gone = new Promise<void>((resolve) => (killed = resolve));
    const day = busyDay({
      http: () => h.http,
      ...(await officeStaff(h, CASEWORKERS)),
      consulateId,
      journal,
      client: { giveUpAt: () => giveUpAt },
      // Each caseworker also opens a person while the server is down (503s until it is back).
      moreCases: [gone.then(() => sleep(500))],
      person: () => personBody(),
    });

    // Killed once every case has some history, with steps and updates in flight.
    await untilEveryCaseAnswered(journal, day.caseIds, CASEWORKERS, 4);
    await temporal.kill();
    killed();
    await sleep(3_000);
    await temporal.start();
    await sleep(4_000);
    giveUpAt = Date.now() + 60_000;
    await day.stop();

    expect(worker.exitInfo, worker.output()).toBeUndefined();
    expect(await faultReport(h, journal, day, 2 * CASEWORKERS)).toEqual(NO_DAMAGE);
  }, 180_000);
});
