// Replay safety proven on messy, real histories: random people act on random cases at the same time
// (some before any worker is there, so the opening step and several updates share a workflow task),
// deadlines fire on a fast clock, cases continue as new every few updates; then every run of every
// case is replayed against the current workflow code. Any nondeterminism, any failed workflow task,
// any 5xx, any accepted note lost or doubled fails the property.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, quietRuntime, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { chaosSession } from '../support/chaos.js';
import { allRuns, replayFailures, workflowTaskFailures } from '../support/histories.js';
import { NativeConnection, createCaseWorker } from '../../worker/worker.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { timelineRows } from '../api/support.js';

let h: Harness;
let consulateId: string;
let p: drive.People;
let connection: NativeConnection;

beforeAll(async () => {
  // A day lasts under two seconds, and a case continues as new after every 8 updates or signals.
  h = await startHarness({ worker: false, config: { HOMEWARD_TIME_SCALE: '0.00002', HOMEWARD_MAX_MESSAGES_PER_RUN: '8' } });
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
  quietRuntime();
  connection = await NativeConnection.connect({ address: h.config.temporal.address! });
});
afterAll(async () => {
  await connection?.close();
  await h?.stop();
});

async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
  const worker = await createCaseWorker({ config: h.config, connection, db: h.db, hasher: h.hasher, temporal: h.temporal });
  const running = worker.run();
  try {
    return await fn();
  } finally {
    worker.shutdown();
    await running;
  }
}

const round = fc.record({ seed: fc.integer(), burst: fc.integer({ min: 1, max: 4 }), pauseMs: fc.constantFrom(0, 0, 200, 900) });

describe('replay under concurrent load', () => {
  it('when people act on cases at random and at once, with timers firing and continue-as-new, then every recorded run replays, no workflow task fails and no accepted note is lost or doubled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.array(round, { minLength: 3, maxLength: 6 }), async (openSeed, rounds) => {
        const { caseIds, outcomes } = await chaosSession(h, p, consulateId, {
          openSeed,
          rounds,
          withWorker,
          openCase: (extra) => drive.openCase(h.http, p.caseworker, consulateId, extra),
        });
        expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
        for (const id of caseIds) {
          const runs = await allRuns(h.temporal, caseWorkflowId(id));
          for (const run of runs) expect(workflowTaskFailures(run.history), `${id} run ${run.runId}`).toEqual([]);
          expect(await replayFailures(runs, h.config)).toEqual([]);

          // The timeline's data is sealed at rest: opened as the API opens it.
          const rows = (await timelineRows(h, id)).map((e) => ({ seq: e.seq, text: (e.data.text as string | undefined) ?? null }));
          expect(rows.map((e) => e.seq)).toEqual(rows.map((_, i) => i + 1));
          for (const note of outcomes.filter((o) => o.caseId === id && o.note)) {
            expect(rows.filter((e) => e.text === note.note), note.note).toHaveLength(1);
          }
        }
      }),
      { numRuns: Number(process.env.REPLAY_FUZZ_RUNS ?? 4), endOnFailure: true },
    );
  }, 600_000);
});
