// GET /v1/cases against an oracle: every filter, every sort and the keyset cursors give exactly the
// cases and the order worked out here from the rows written, page after page of a few cases (so
// ties of the sort key fall across pages), within the caller's scope and never beyond it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIORITIES } from '../../domain/shapes.js';
import type { CaseView } from '../../domain/case.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { caseViewOf, insertCaseRows } from '../support/case-rows.js';
import { bearer } from './support.js';

let h: Harness;
let supervisor: string;
let national: string;
const office = `office-list-${randomUUID().slice(0, 6)}`;
const neighbour = `office-list-n-${randomUUID().slice(0, 6)}`;
const DAY = 86_400_000;
const NOW = Date.now();

interface Known {
  id: string;
  office: string;
  reference: string;
  document: string;
  consulateId: string;
  createdAt: number;
  stageEnteredAt: number;
  rank: number;
  stage: string;
  status: string;
  priority: string;
  country: string | null;
  assignee: string | null;
  onHold: boolean;
  nextDeadlineAt: number | null;
}
const known: Known[] = [];

beforeAll(async () => {
  h = await startHarness();
  supervisor = await h.token('supervisor', { office });
  national = await h.token('supervisor', { office: '*' });
  const consulates = [await createConsulate(h), await createConsulate(h)];
  const spec = (i: number, where: string) =>
    caseViewOf({
      office: where,
      consulateId: consulates[i % 2],
      // Two cases a day: createdAt ties are broken by id.
      createdAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * DAY),
      stage: (['locating', 'extraction', 'return'] as const)[i % 3],
      priority: PRIORITIES[i % 4],
      country: i % 5 === 0 ? null : i % 2 === 0 ? 'KH' : 'MM',
      closureReason: i % 7 === 3 ? 'reintegrated' : undefined,
    });
  // References as the API issues them, upper case: a search by reference is case-insensitive.
  const views: CaseView[] = [...Array.from({ length: 26 }, (_, i) => spec(i, office)), ...Array.from({ length: 6 }, (_, i) => spec(i, neighbour))].map(
    (v) => ({ ...v, reference: v.reference.toUpperCase() }),
  );
  await insertCaseRows(h, views);
  // What the row builder leaves alone, set on the rows: an assignee, holds, deadlines past and to come,
  // and stage entry times with ties.
  for (const [i, v] of views.entries()) {
    const assignee = i % 3 === 0 ? 'cw-list' : null;
    const onHold = i % 4 === 1;
    const nextDeadlineAt = i % 3 === 1 ? NOW - (i + 1) * 60_000 : i % 3 === 2 ? NOW + (i + 1) * DAY : null;
    const stageEnteredAt = Date.UTC(2026, 2, 1) + (i % 9) * DAY;
    const [row] = (
      await h.db.$client.query<{ rank: number }>(
        `update cases set assignee = $2, on_hold = $3, next_deadline_at = $4, stage_entered_at = $5 where id = $1 returning priority_rank as rank`,
        [v.id, assignee, onHold, nextDeadlineAt === null ? null : new Date(nextDeadlineAt), new Date(stageEnteredAt)],
      )
    ).rows;
    // The search by document number reads the documents' table, which the row builder does not fill.
    const doc = v.person.documents[0]!;
    await h.db.$client.query(`insert into identity_documents (case_id, document_hash, number_hash) values ($1, $2, $3)`, [
      v.id,
      h.hasher.documentHash(doc),
      h.hasher.numberHash(doc.number),
    ]);
    known.push({
      id: v.id,
      office: v.office,
      reference: v.reference,
      document: v.person.documents[0]!.number,
      consulateId: v.consulateId,
      createdAt: Date.parse(v.createdAt),
      stageEnteredAt,
      rank: row!.rank,
      stage: v.stage,
      status: v.status,
      priority: v.priority,
      country: v.location?.country ?? null,
      assignee,
      onHold,
      nextDeadlineAt,
    });
  }
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** Every page of the list, `limit` at a time, following nextCursor. */
async function listAll(token: string, query: Record<string, string>, limit = 4) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const res = await h.http.get('/v1/cases').query({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) }).set(bearer(token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const items = res.body.items as Array<{ id: string }>;
    expect(items.length).toBeLessThanOrEqual(limit);
    ids.push(...items.map((c) => c.id));
    cursor = res.body.nextCursor ?? undefined;
    if (!cursor) return ids;
  }
  throw new Error('more than 50 pages');
}

const SORT_KEYS = { createdAt: (k: Known) => k.createdAt, priority: (k: Known) => k.rank, stageEnteredAt: (k: Known) => k.stageEnteredAt };

function expected(scope: string | null, match: (k: Known) => boolean, sort = '-createdAt') {
  const key = SORT_KEYS[sort.replace('-', '') as keyof typeof SORT_KEYS];
  const sign = sort.startsWith('-') ? -1 : 1;
  return known
    .filter((k) => (scope === null ? true : k.office === scope) && match(k))
    .sort((a, b) => sign * (key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    .map((k) => k.id);
}

describe('GET /v1/cases filters, order and cursors', () => {
  it('when the office is paged in every sort order, then every case comes once, in that order, and no other office shows', async () => {
    for (const sort of ['-createdAt', 'createdAt', 'priority', '-priority', 'stageEnteredAt', '-stageEnteredAt']) {
      const want = expected(office, () => true, sort);
      expect(want.length).toBe(26);
      expect(await listAll(supervisor, { sort }), sort).toEqual(want);
    }
    expect(await listAll(supervisor, {}, 200)).toEqual(expected(office, () => true));
  });

  it('when each filter is given, alone or combined, then exactly the matching cases come, in order', async () => {
    const overdue = (k: Known) => k.status === 'open' && k.nextDeadlineAt !== null && k.nextDeadlineAt < Date.now();
    const checks: Array<[Record<string, string>, (k: Known) => boolean]> = [
      [{ stage: 'extraction' }, (k) => k.stage === 'extraction'],
      [{ status: 'closed' }, (k) => k.status === 'closed'],
      [{ status: 'open', sort: 'priority' }, (k) => k.status === 'open'],
      [{ priority: 'high' }, (k) => k.priority === 'high'],
      [{ country: 'KH' }, (k) => k.country === 'KH'],
      [{ consulateId: known[1]!.consulateId }, (k) => k.consulateId === known[1]!.consulateId],
      [{ assignee: 'cw-list' }, (k) => k.assignee === 'cw-list'],
      [{ onHold: 'true' }, (k) => k.onHold],
      [{ onHold: 'false' }, (k) => !k.onHold],
      [{ overdue: 'true' }, overdue],
      [{ overdue: 'false', sort: 'stageEnteredAt' }, (k) => !overdue(k)],
      [{ createdAfter: '2026-01-03T00:00:00Z', createdBefore: '2026-01-09T00:00:00Z' }, (k) => k.createdAt > Date.UTC(2026, 0, 3) && k.createdAt < Date.UTC(2026, 0, 9)],
      [{ priority: 'critical', overdue: 'true', sort: '-priority' }, (k) => k.priority === 'critical' && overdue(k)],
      [{ stage: 'locating', country: 'MM', onHold: 'false' }, (k) => k.stage === 'locating' && k.country === 'MM' && !k.onHold],
      [{ q: known[5]!.reference.toLowerCase() }, (k) => k.id === known[5]!.id],
      [{ q: known[8]!.document }, (k) => k.id === known[8]!.id],
      [{ q: 'HW-NO-SUCH-CASE' }, () => false],
      [{ office }, () => true],
      [{ office: neighbour }, () => false],
    ];
    for (const [query, match] of checks) {
      const want = expected(office, match, query.sort);
      expect(await listAll(supervisor, query), JSON.stringify(query)).toEqual(want);
    }
  });

  it('when a supervisor of every office filters, then the office filter chooses among all offices and the other filters apply to them all', async () => {
    expect(await listAll(national, { office: neighbour })).toEqual(expected(neighbour, () => true));
    const mine = new Set(known.map((k) => k.id));
    const all = await listAll(national, { consulateId: known[0]!.consulateId, sort: 'priority' }, 7);
    // The database may hold other files' cases of no consulate of ours; this consulate is ours alone.
    expect(all.every((id) => mine.has(id))).toBe(true);
    expect(all).toEqual(expected(null, (k) => k.consulateId === known[0]!.consulateId, 'priority'));
    expect(await listAll(national, { q: known[30]!.reference })).toEqual([known[30]!.id]);
    expect(await listAll(supervisor, { q: known[30]!.reference })).toEqual([]);
  });

  it('when a page is read, then each case shows its facts from the row and its person from the sealed snapshot', async () => {
    const k = known.find((c) => c.status === 'open' && c.nextDeadlineAt !== null && c.nextDeadlineAt < NOW)!;
    const res = await h.http.get('/v1/cases').query({ q: k.reference }).set(bearer(supervisor));
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      id: k.id,
      reference: k.reference,
      status: 'open',
      stage: k.stage,
      priority: k.priority,
      office,
      assignee: k.assignee,
      onHold: k.onHold,
      consulateId: k.consulateId,
      overdue: true,
      stageEnteredAt: new Date(k.stageEnteredAt).toISOString(),
      createdAt: new Date(k.createdAt).toISOString(),
      person: { fullName: expect.stringMatching(/^Test Person /), nationality: 'PH' },
    });
  });
});
