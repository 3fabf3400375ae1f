// GET /v1/operations (scoped, cursor-paged), and an operation's counts as docs/api.md states them:
// opened + linkedExisting + failed (+ pending while it runs) = total, with `failed` the persons
// whose case could not be opened for good.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { raidPersons } from '../support/raid.js';
import { bearer, expectError, expectValidation } from '../api/support.js';

let h: Harness;
let p: drive.People;
let consulateId: string;
// Several raids of one office may run at once here.
beforeAll(async () => {
  h = await startHarness({ config: { HOMEWARD_MAX_RUNNING_OPERATIONS_PER_OFFICE: '20' } });
  consulateId = await createConsulate(h);
  p = await drive.people(h, consulateId);
});
afterAll(async () => {
  await h?.stop();
});

interface Progress {
  status: string;
  total: number;
  opened: number;
  linkedExisting: number;
  failed: number;
  pending: number;
  merged: number;
}
const addsUp = (o: Progress) => o.opened + o.linkedExisting + o.failed + o.pending === o.total;

async function register(http: Harness['http'], token: string, persons: unknown[], name = `Raid ${randomUUID().slice(0, 6)}`) {
  const res = await http.post('/v1/operations').set(bearer(token)).send({ name, country: 'KH', site: 'Sihanoukville', date: '2026-11-21', consulateId, persons });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id as string;
}

/** Waits for the operation to complete, checking at every look that its counts add up. */
async function completed(http: Harness['http'], token: string, id: string): Promise<Progress> {
  const seen: Progress[] = [];
  const done = await drive.waitFor(
    'the operation to complete',
    async () => {
      const r = await http.get(`/v1/operations/${id}`).set(bearer(token));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      seen.push(r.body);
      return r.body.status === 'completed' ? (r.body as Progress) : undefined;
    },
    120_000,
    100,
  );
  expect(seen.filter((s) => !addsUp(s))).toEqual([]);
  return done;
}

describe('GET /v1/operations', () => {
  it("when operations are listed, then each caller sees their office's newest first, paged by cursor, and a supervisor of every office filters by office", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await register(h.http, p.caseworker, raidPersons(1), `Listed ${i}`));
    const otherOffice = `other-${randomUUID().slice(0, 6)}`;
    const other = await h.token('caseworker', { office: otherOffice });
    const otherId = await register(h.http, other, raidPersons(1));

    const walked: Array<{ id: string; office: string; name: string; status: string; total: number }> = [];
    let cursor: string | undefined;
    do {
      const r = await h.http.get('/v1/operations').query({ limit: 1, ...(cursor ? { cursor } : {}) }).set(bearer(p.caseworker));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(1);
      walked.push(...r.body.items);
      cursor = r.body.nextCursor ?? undefined;
    } while (cursor);
    expect(walked.map((o) => o.id)).toEqual([...ids].reverse());
    expect(walked[0]).toMatchObject({ name: 'Listed 2', office: h.office, country: 'KH', total: 1, consulateId, createdAt: expect.any(String) });

    // Another office's token sees only its own, and asking for this office finds nothing.
    const theirs = await h.http.get('/v1/operations').set(bearer(other));
    expect(theirs.body.items.map((o: { id: string }) => o.id)).toEqual([otherId]);
    const peek = await h.http.get('/v1/operations').query({ office: h.office }).set(bearer(other));
    expect(peek.body).toEqual({ items: [], nextCursor: null });

    const all = await h.token('supervisor', { office: '*' });
    const mine = await h.http.get('/v1/operations').query({ office: h.office }).set(bearer(all));
    expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([...ids].reverse());
    const everywhere = await h.http.get('/v1/operations').query({ limit: 200 }).set(bearer(all));
    expect(everywhere.body.items.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([...ids, otherId]));

    for (const id of ids) await completed(h.http, p.caseworker, id);
    const done = await h.http.get('/v1/operations').query({ status: 'completed' }).set(bearer(p.caseworker));
    expect(done.body.items.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining(ids));
    expect(done.body.items.every((o: { status: string }) => o.status === 'completed')).toBe(true);
  });

  it('when the caller is an agency officer, or the cursor was not issued by us, then the list is refused', async () => {
    expectError(await h.http.get('/v1/operations').set(bearer(p.consul)), 403, 'forbidden');
    expectValidation(await h.http.get('/v1/operations').query({ cursor: 'eyJhIjoxfQ' }).set(bearer(p.caseworker)), ['cursor']);
    expectValidation(await h.http.get('/v1/operations').query({ status: 'paused' }).set(bearer(p.caseworker)), ['status']);
  });
});

describe("an operation's counts", () => {
  it('when a raid repeats a person and finds one with an open case, then opened + linkedExisting + failed + pending = total at every look', async () => {
    const existing = await drive.openCase(h.http, p.caseworker, consulateId);
    const existingDoc = (await h.http.get(`/v1/cases/${existing.id}`).set(bearer(p.caseworker))).body.person.documents[0];
    const persons = raidPersons(40) as Array<{ person: ReturnType<typeof personBody>; riskFlags: string[] }>;
    persons[7] = { person: personBody({ documents: persons[2]!.person.documents }), riskFlags: [] };
    persons[9] = { person: personBody({ documents: [existingDoc] }), riskFlags: [] };
    const id = await register(h.http, p.caseworker, persons);
    const done = await completed(h.http, p.caseworker, id);
    expect(done).toMatchObject({ total: 40, opened: 38, linkedExisting: 2, merged: 1, failed: 0, pending: 0 });
  });

  it('when Temporal refuses to start the cases for good, then the persons are counted as failed, the counts add up, and no case is left behind', async () => {
    // A namespace that defines none of the case search attributes: every case start is refused
    // (INVALID_ARGUMENT), while the operation itself runs.
    const namespace = `no-attributes-${randomUUID().slice(0, 8)}`;
    await h.temporal.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const bare = await startHarness({ config: { TEMPORAL_NAMESPACE: namespace } });
    try {
      const people = await drive.people(bare, consulateId);
      const persons = raidPersons(5);
      persons[4] = { person: personBody({ documents: persons[1]!.person.documents }), riskFlags: [] };
      const id = await register(bare.http, people.caseworker, persons);
      const done = await completed(bare.http, people.caseworker, id);
      expect(done).toMatchObject({ status: 'completed', total: 5, opened: 0, linkedExisting: 0, failed: 5, pending: 0 });
      const left = await h.db.$client.query('select count(*)::int as n from cases where operation_id = $1', [id]);
      expect(left.rows[0].n).toBe(0);
      const errors = await h.db.$client.query<{ error: string }>('select distinct error from operation_persons where operation_id = $1', [id]);
      expect(errors.rows.map((r) => r.error).sort()).toEqual(['first occurrence failed', 'start refused (gRPC 3)']);
      // Their documents are free: the same person can be taken in where Temporal works.
      const again = await h.http.post('/v1/cases').set(bearer(p.caseworker)).send({ person: persons[0]!.person, consulateId });
      expect(again.status, JSON.stringify(again.body)).toBe(201);
    } finally {
      await bare.stop();
    }
  });
});
