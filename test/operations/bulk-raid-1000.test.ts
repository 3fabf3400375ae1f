// Issue #9's "done when": a raid of 1,000 is extracted and half of it booked on flights with two bulk
// requests. The real lifecycle in between: the extraction sends each case its consular tasks, which
// the consulate completes (here concurrently, through the tasks API) before a return can be booked.
// The one test in the suite at this size; the others use small raids. It logs how long each part
// took (timings are reported, never asserted).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { openSnapshot } from '../../db/at-rest.js';
import type { CaseView } from '../../domain/case.js';
import { EXTRACTION, bulkDone, completeConsularTasks, eventCounts, flight, raid, stagesOf } from '../support/bulk.js';

let h: Harness;
let p: drive.People;
let consulateId: string;
beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  await h?.stop();
});

const RAID = 1_000;
const BOOKED = 500;
const MANIFEST = 'MNL-PR731-20261202';

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const out = await fn();
  console.log(`[bulk-raid-1000] ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

describe('a raid of 1,000 handled in bulk', () => {
  it('when a raid of 1,000 is extracted with one bulk request and half of it booked on a flight with a second, then every case is where it should be', async () => {
    const r = await timed(`raid of ${RAID} opened`, () => raid(h, p.caseworker, consulateId, RAID, 600_000));
    // Raid cases open with their location confirmed.
    expect(new Set((await stagesOf(h, r.caseIds)).values())).toEqual(new Set(['extraction']));

    const extracted = await timed('bulk record_extraction', () => bulkDone(h.http, p.caseworker, r.id, EXTRACTION, 600_000));
    expect(extracted).toMatchObject({ total: RAID, succeeded: RAID, failedCount: 0, pending: 0, failed: [] });
    expect(new Set((await stagesOf(h, r.caseIds)).values())).toEqual(new Set(['consular_contact']));

    const tasks = await timed('consular tasks completed', () => completeConsularTasks(h.http, p.consul, r.caseIds, 16));
    // Nationality and travel document for everyone, a medical check for the injured tenth.
    expect(tasks).toBe(2 * RAID + RAID / 10);
    expect(new Set((await stagesOf(h, r.caseIds)).values())).toEqual(new Set(['return']));

    const booked = r.caseIds.slice(0, BOOKED);
    const result = await timed(`bulk book_return for ${BOOKED}`, () => bulkDone(h.http, p.supervisor, r.id, { ...flight(MANIFEST), caseIds: booked }, 600_000));
    expect(result).toMatchObject({ type: 'book_return', total: BOOKED, succeeded: BOOKED, failedCount: 0, pending: 0 });

    // Every case: in return, booked once on the manifest or not at all.
    const inManifest = new Set(booked);
    const rows = await h.db.$client.query<{ id: string; stage: string; status: string; snapshot: unknown }>(
      'select id, stage, status, snapshot from cases where operation_id = $1',
      [r.id],
    );
    expect(rows.rows).toHaveLength(RAID);
    const bookings = await eventCounts(h, r.caseIds, 'book_return');
    const extractions = await eventCounts(h, r.caseIds, 'record_extraction');
    for (const row of rows.rows) {
      const view = openSnapshot<CaseView>(h.cipher, row);
      expect({ stage: row.stage, status: row.status, extractions: extractions.get(row.id) }).toEqual({ stage: 'return', status: 'open', extractions: 1 });
      if (inManifest.has(row.id)) {
        expect(bookings.get(row.id)).toBe(1);
        expect(view.returnTrip).toMatchObject({ manifestId: MANIFEST, arrivalPort: 'MNL', flightNumber: 'PR731' });
        expect(view.allowedActions).toContain('record_departure');
      } else {
        expect(bookings.get(row.id)).toBe(0);
        expect(view.returnTrip).toBeNull();
      }
    }
  }, 1_800_000);
});
