// Helpers of the bulk-action tests: register a raid and wait for its cases, send a bulk action and
// wait for it to finish, and work the consular tasks of many cases at once as the consulate would.
import { expect } from 'vitest';
import type { Harness } from './harness.js';
import * as drive from './drive.js';
import { raidPersons } from './raid.js';

type Http = Harness['http'];
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface Raid {
  id: string;
  caseIds: string[];
}

/** Registers a raid of `n` persons and waits until the operation has opened every case. */
export async function raid(h: Harness, token: string, consulateId: string, n: number, timeoutMs = 120_000): Promise<Raid> {
  const res = await h.http
    .post('/v1/operations')
    .set(bearer(token))
    .send({ name: `Raid of ${n}`, country: 'MM', site: 'KK Park', date: '2026-11-20', consulateId, persons: raidPersons(n) });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.id as string;
  const done = await drive.waitFor(
    'the operation to complete',
    async () => {
      const r = await h.http.get(`/v1/operations/${id}`).set(bearer(token));
      return r.body.status === 'completed' ? r.body : undefined;
    },
    timeoutMs,
    250,
  );
  expect(done).toMatchObject({ total: n, opened: n, failed: 0 });
  const rows = await h.db.$client.query<{ id: string }>('select id from cases where operation_id = $1 order by id', [id]);
  expect(rows.rows).toHaveLength(n);
  // Every case's opening is on its timeline (its batch writes it, or after a crashed batch its workflow).
  await drive.waitFor(
    'every case to record its opening',
    async () => {
      const r = await h.db.$client.query<{ n: number }>(
        `select count(*)::int as n from case_events e join cases c on c.id = e.case_id where c.operation_id = $1 and e.type = 'case_opened'`,
        [id],
      );
      return r.rows[0]!.n >= n ? true : undefined;
    },
    timeoutMs,
    250,
  );
  return { id, caseIds: rows.rows.map((r) => r.id) };
}

export function postBulk(http: Http, token: string, operationId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return http.post(`/v1/operations/${operationId}/actions`).set(bearer(token)).set(headers).send(body);
}

export interface BulkStatus {
  id: string;
  type: string;
  status: string;
  total: number;
  succeeded: number;
  failedCount: number;
  pending: number;
  failed: Array<{ caseId: string; error: { code: string; message: string } }>;
  nextCursor: string | null;
}

/** Sends a bulk action (202) and waits for it to complete; returns its final status. */
export async function bulkDone(http: Http, token: string, operationId: string, body: Record<string, unknown>, timeoutMs = 120_000): Promise<BulkStatus> {
  const res = await postBulk(http, token, operationId, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body).toMatchObject({ status: 'running' });
  return waitBulk(http, token, operationId, res.body.id as string, timeoutMs);
}

export async function waitBulk(http: Http, token: string, operationId: string, bulkId: string, timeoutMs = 120_000, query: Record<string, string> = {}): Promise<BulkStatus> {
  return drive.waitFor(
    'the bulk action to complete',
    async () => {
      const r = await http.get(`/v1/operations/${operationId}/actions/${bulkId}`).query(query).set(bearer(token));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.status === 'completed' ? (r.body as BulkStatus) : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The stage of each case, from the read model (every step writes it before it answers). */
export async function stagesOf(h: Harness, caseIds: string[]): Promise<Map<string, string>> {
  const r = await h.db.$client.query<{ id: string; stage: string }>('select id, stage from cases where id = any($1::uuid[])', [caseIds]);
  return new Map(r.rows.map((x) => [x.id, x.stage]));
}

/** How many timeline events of `type` each case has. */
export async function eventCounts(h: Harness, caseIds: string[], type: string): Promise<Map<string, number>> {
  const r = await h.db.$client.query<{ case_id: string; n: number }>(
    'select case_id, count(*)::int as n from case_events where case_id = any($1::uuid[]) and type = $2 group by case_id',
    [caseIds, type],
  );
  const counts = new Map(caseIds.map((id) => [id, 0]));
  for (const row of r.rows) counts.set(row.case_id, row.n);
  return counts;
}

/**
 * Completes, as the consulate, every open consular task of these cases (the lifecycle's way out of
 * consular_contact), `concurrency` at a time through POST /v1/tasks/:id/complete.
 */
export async function completeConsularTasks(http: Http, consul: string, caseIds: string[], concurrency = 16): Promise<number> {
  const wanted = new Set(caseIds);
  const tasks: Array<{ id: string; type: string }> = [];
  let cursor: string | undefined;
  do {
    const res = await http
      .get('/v1/tasks')
      .query({ status: 'open', limit: 200, ...(cursor ? { cursor } : {}) })
      .set(bearer(consul));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (const t of res.body.items as Array<{ id: string; type: string; caseId: string }>) {
      if (wanted.has(t.caseId) && drive.CONSULAR_RESULTS[t.type]) tasks.push(t);
    }
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const t = tasks[next++]!;
        const res = await http.post(`/v1/tasks/${t.id}/complete`).set(bearer(consul)).send({ result: drive.CONSULAR_RESULTS[t.type] });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    }),
  );
  return tasks.length;
}

export const EXTRACTION = { type: 'record_extraction', extractedAt: '2026-11-20T03:00:00Z', handedOverTo: 'Tak immigration' };
export const flight = (manifestId: string) => ({
  type: 'book_return',
  departureAt: '2026-12-02T06:00:00Z',
  arrivalPort: 'MNL',
  carrier: 'PR',
  flightNumber: 'PR731',
  manifestId,
});
