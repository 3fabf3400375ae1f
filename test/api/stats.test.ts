// GET /v1/stats on the real app and PostgreSQL: on a known set of cases and tasks the numbers are
// exactly the known ones, scoped to the supervisor's office; cases worked through the API (and the
// case workflow) are counted as they move; the wrong role, office or query is refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks, cases } from '../../db/schema/index.js';
import { updateStatsCounters } from '../../db/stats-counters.js';
import { priorityRank } from '../../domain/case.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { caseViewOf } from '../support/case-rows.js';
import { aad } from '../../db/at-rest.js';
import { openCase, people, toConsularContact } from '../support/drive.js';
import { bearer, expectError, expectValidation } from './support.js';

let h: Harness;
let consulateId: string;
const DAY = 86_400_000;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
});
afterAll(async () => {
  await h?.stop();
});

const newOffice = () => `office-${randomUUID().slice(0, 8)}`;

type Seed = {
  stage: string;
  priority: 'critical' | 'high' | 'normal' | 'low';
  daysInStage: number;
  onHold?: boolean;
  closureReason?: string;
  /** Opened this many days ago (default: daysInStage + 5). */
  openedDaysAgo?: number;
  /** Arrived home this many days after opening. */
  returnedAfterDays?: number;
  tasks?: Array<{ status: string; dueInDays: number }>;
};

/** Writes cases (and their tasks, and their counts) straight into the read model of `office`, as the activities would. */
async function seed(office: string, rows: Seed[]) {
  const now = Date.now();
  for (const s of rows) {
    const id = randomUUID();
    const reference = `HW-TEST-${randomUUID().slice(0, 8)}`;
    const closed = s.stage === 'closed';
    const createdAt = new Date(now - (s.openedDaysAgo ?? s.daysInStage + 5) * DAY);
    const stageEnteredAt = new Date(now - s.daysInStage * DAY);
    await h.db.transaction(async (tx) => {
    await updateStatsCounters(tx, [
      {
        caseId: id,
        office,
        status: closed ? 'closed' : 'open',
        stage: s.stage,
        priority: s.priority,
        onHold: s.onHold ?? false,
        closureReason: s.closureReason ?? null,
        createdAt,
        stageEnteredAt,
        returnedAt: s.returnedAfterDays === undefined ? null : new Date(createdAt.getTime() + s.returnedAfterDays * DAY),
        closedAt: closed ? stageEnteredAt : null,
      },
    ]);
    await tx.insert(cases).values({
      id,
      reference,
      status: closed ? 'closed' : 'open',
      stage: s.stage,
      onHold: s.onHold ?? false,
      priority: s.priority,
      priorityRank: priorityRank(s.priority),
      version: 3,
      office,
      assignee: null,
      consulateId,
      nationality: 'PH',
      country: 'MM',
      screening: 'victim',
      sourceType: 'hotline',
      closureReason: s.closureReason ?? null,
      nextDeadlineAt: closed || s.onHold ? null : new Date(now + DAY),
      nextDeadlineKind: closed ? null : 'stage:locating_review',
      // A whole sealed view, as every case row has: other test files share this database, and an
      // export of every office opens each snapshot it lists.
      snapshot: h.cipher.seal({ ...caseViewOf({ office, consulateId }), id, reference }, aad.caseSnapshot(id))!,
      createdAt,
      updatedAt: stageEnteredAt,
      stageEnteredAt,
    });
    });
    for (const t of s.tasks ?? []) {
      await h.db.insert(tasks).values({
        id: randomUUID(),
        caseId: id,
        caseReference: reference,
        office,
        agencyId: consulateId,
        audience: 'agency',
        type: 'verify_nationality',
        status: t.status,
        priority: s.priority,
        dueAt: new Date(now + t.dueInDays * DAY),
        input: {},
        createdAt: new Date(now - 2 * DAY),
        rev: 1,
      });
    }
  }
}

async function statsOf(token: string, query: Record<string, string> = {}) {
  const res = await h.http.get('/v1/stats').query(query).set(bearer(token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    byStage: Record<string, number>;
    byStatus: Record<string, number>;
    byPriority: Record<string, number>;
    onHold: number;
    overdueTasks: number;
    overdueRate: number | null;
    medianDaysInStage: Record<string, number | null>;
    medianDaysToReturn: number | null;
    closedByReason: Record<string, number>;
    byMonth: Array<{ month: string; opened: number; returned: number; closed: number }>;
  };
}

describe('GET /v1/stats', () => {
  const officeA = newOffice();
  const officeB = newOffice();

  beforeAll(async () => {
    await seed(officeA, [
      { stage: 'locating', priority: 'critical', daysInStage: 1, tasks: [{ status: 'open', dueInDays: -1 }] },
      { stage: 'locating', priority: 'normal', daysInStage: 2, onHold: true },
      { stage: 'locating', priority: 'normal', daysInStage: 10, tasks: [{ status: 'claimed', dueInDays: -0.1 }, { status: 'open', dueInDays: 1 }] },
      { stage: 'extraction', priority: 'high', daysInStage: 4, tasks: [{ status: 'completed', dueInDays: -7 }, { status: 'cancelled', dueInDays: -3 }] },
      { stage: 'extraction', priority: 'low', daysInStage: 6 },
      { stage: 'consular_contact', priority: 'normal', daysInStage: 3, onHold: true },
      { stage: 'closed', priority: 'normal', daysInStage: 30, closureReason: 'reintegrated' },
      { stage: 'closed', priority: 'high', daysInStage: 40, closureReason: 'reintegrated' },
      { stage: 'closed', priority: 'low', daysInStage: 50, closureReason: 'deceased' },
    ]);
    // Another office's cases and overdue tasks, which officeA's supervisor must not see.
    await seed(officeB, [
      { stage: 'locating', priority: 'critical', daysInStage: 7, tasks: [{ status: 'open', dueInDays: -2 }] },
      { stage: 'return', priority: 'high', daysInStage: 2 },
      { stage: 'closed', priority: 'normal', daysInStage: 9, closureReason: 'duplicate' },
    ]);
  });

  it('when an office holds a known set of cases and tasks, then every number is the known one and every key is present', async () => {
    const supervisor = await h.token('supervisor', { office: officeA });
    const stats = await statsOf(supervisor);

    expect(Object.keys(stats).sort()).toEqual([
      'byMonth',
      'byPriority',
      'byStage',
      'byStatus',
      'closedByReason',
      'medianDaysInStage',
      'medianDaysToReturn',
      'onHold',
      'overdueRate',
      'overdueTasks',
    ]);
    expect(stats.byStage).toEqual({
      locating: 3,
      extraction: 2,
      consular_contact: 1,
      return: 0,
      exit_restriction_check: 0,
      employment_assistance: 0,
      closed: 3,
    });
    expect(stats.byStatus).toEqual({ open: 6, closed: 3 });
    // Open cases only: the closed ones' priorities do not count.
    expect(stats.byPriority).toEqual({ critical: 1, high: 1, normal: 3, low: 1 });
    expect(stats.onHold).toBe(2);
    // Open or claimed and past due: not the completed or cancelled ones, not the one due tomorrow.
    expect(stats.overdueTasks).toBe(2);
    expect(stats.closedByReason).toEqual({
      reintegrated: 2,
      declined_assistance: 0,
      deceased: 1,
      duplicate: 0,
      not_a_national: 0,
      transferred: 0,
      lost_contact: 0,
    });
    expect(Object.keys(stats.medianDaysInStage).sort()).toEqual(
      ['consular_contact', 'employment_assistance', 'exit_restriction_check', 'extraction', 'locating', 'return'].sort(),
    );
    // Odd count: the middle one (1, 2, 10 → 2); even count: the mean of the middle two (4, 6 → 5).
    expect(stats.medianDaysInStage.locating).toBeCloseTo(2, 1);
    expect(stats.medianDaysInStage.extraction).toBeCloseTo(5, 1);
    expect(stats.medianDaysInStage.consular_contact).toBeCloseTo(3, 1);
    expect(stats.medianDaysInStage.return).toBeNull();
    expect(stats.medianDaysInStage.exit_restriction_check).toBeNull();
    expect(stats.medianDaysInStage.employment_assistance).toBeNull();
  });

  it('when a supervisor of every office names an office, then they get exactly that office; without one, every office', async () => {
    const national = await h.token('supervisor', { office: '*' });
    const a = await statsOf(national, { office: officeA });
    const own = await statsOf(await h.token('supervisor', { office: officeA }));
    expect(a).toEqual({ ...own, medianDaysInStage: a.medianDaysInStage });
    for (const [stage, median] of Object.entries(own.medianDaysInStage)) {
      if (median === null) expect(a.medianDaysInStage[stage]).toBeNull();
      else expect(a.medianDaysInStage[stage]).toBeCloseTo(median, 1);
    }

    const b = await statsOf(national, { office: officeB });
    expect(b.byStatus).toEqual({ open: 2, closed: 1 });
    expect(b.byStage).toMatchObject({ locating: 1, return: 1, closed: 1 });
    expect(b.overdueTasks).toBe(1);
    expect(b.closedByReason.duplicate).toBe(1);

    // Other tests write cases too: all offices hold at least A and B, and the totals add up.
    const all = await statsOf(national);
    expect(all.byStatus.open).toBeGreaterThanOrEqual(8);
    expect(all.byStatus.closed).toBeGreaterThanOrEqual(4);
    expect(all.overdueTasks).toBeGreaterThanOrEqual(3);
    const sum = (o: Record<string, number>) => Object.values(o).reduce((x, y) => x + y, 0);
    expect(sum(all.byStage)).toBe(all.byStatus.open + all.byStatus.closed);
    expect(sum(all.byPriority)).toBe(all.byStatus.open);
    expect(sum(all.closedByReason)).toBe(all.byStatus.closed);
  });

  it('when cases are opened and worked through the API, then they are counted in their current stage', async () => {
    const p = await people(h, consulateId);
    await openCase(h.http, p.caseworker, consulateId);
    const moving = await openCase(h.http, p.caseworker, consulateId);
    await toConsularContact(h.http, p, moving.id);

    // Each step writes the read model before it answers; the wait only guards a slow machine.
    let stats = await statsOf(p.supervisor);
    for (const until = Date.now() + 10_000; stats.byStage.consular_contact !== 1 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
      stats = await statsOf(p.supervisor);
    }
    expect(stats.byStatus).toEqual({ open: 2, closed: 0 });
    expect(stats.byStage).toMatchObject({ locating: 1, consular_contact: 1, extraction: 0, closed: 0 });
    expect(stats.onHold).toBe(0);
    // Consular tasks were just sent, due in days.
    expect(stats.overdueTasks).toBe(0);
    expect(stats.medianDaysInStage.locating).toBeCloseTo(0, 1);
    expect(stats.medianDaysInStage.consular_contact).toBeCloseTo(0, 1);
    expect(stats.medianDaysInStage.extraction).toBeNull();
  });

  it('when an office has returned, closed and tasked cases, then medianDaysToReturn, overdueRate and byMonth are the known ones', async () => {
    const officeC = newOffice();
    const rows: Seed[] = [
      { stage: 'locating', priority: 'normal', daysInStage: 1, openedDaysAgo: 2, tasks: [{ status: 'open', dueInDays: -1 }, { status: 'open', dueInDays: 1 }] },
      { stage: 'exit_restriction_check', priority: 'high', daysInStage: 1, openedDaysAgo: 30, returnedAfterDays: 3, tasks: [{ status: 'claimed', dueInDays: 2 }] },
      {
        stage: 'employment_assistance',
        priority: 'normal',
        daysInStage: 20,
        openedDaysAgo: 60,
        returnedAfterDays: 5,
        tasks: [{ status: 'open', dueInDays: 3 }, { status: 'completed', dueInDays: -5 }],
      },
      { stage: 'closed', priority: 'normal', daysInStage: 10, openedDaysAgo: 100, returnedAfterDays: 10, closureReason: 'reintegrated' },
      { stage: 'closed', priority: 'low', daysInStage: 40, openedDaysAgo: 200, returnedAfterDays: 20, closureReason: 'reintegrated' },
    ];
    await seed(officeC, rows);
    const supervisor = await h.token('supervisor', { office: officeC });
    const stats = await statsOf(supervisor);

    // Whole days to return: 3, 5, 10, 20 → the mean of the middle two.
    expect(stats.medianDaysToReturn).toBe(7.5);
    // One of the four open or claimed tasks is past due; the completed one counts in neither.
    expect(stats.overdueTasks).toBe(1);
    expect(stats.overdueRate).toBe(0.25);

    const now = Date.now();
    const monthOf = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString().slice(0, 7);
    const expected = new Map<string, { opened: number; returned: number; closed: number }>();
    const bump = (month: string, k: 'opened' | 'returned' | 'closed') => {
      const m = expected.get(month) ?? { opened: 0, returned: 0, closed: 0 };
      m[k] += 1;
      expected.set(month, m);
    };
    for (const r of rows) {
      bump(monthOf(r.openedDaysAgo!), 'opened');
      if (r.returnedAfterDays !== undefined) bump(monthOf(r.openedDaysAgo! - r.returnedAfterDays), 'returned');
      if (r.stage === 'closed') bump(monthOf(r.daysInStage), 'closed');
    }
    // The last 12 months, this one included, oldest first; the case opened 200 days ago is within them.
    expect(stats.byMonth).toHaveLength(12);
    expect(stats.byMonth.at(-1)!.month).toBe(new Date(now).toISOString().slice(0, 7));
    expect(stats.byMonth.map((m) => m.month)).toEqual([...stats.byMonth.map((m) => m.month)].sort());
    for (const m of stats.byMonth) expect(m, m.month).toEqual({ month: m.month, ...(expected.get(m.month) ?? { opened: 0, returned: 0, closed: 0 }) });

    // A range of its own: exactly the months asked for.
    const from = monthOf(100);
    const to = monthOf(60);
    const ranged = await statsOf(supervisor, { from, to });
    expect(ranged.byMonth[0]!.month).toBe(from);
    expect(ranged.byMonth.at(-1)!.month).toBe(to);
    const openedWithin = rows.filter((r) => monthOf(r.openedDaysAgo!) >= from && monthOf(r.openedDaysAgo!) <= to).length;
    expect(openedWithin).toBeGreaterThanOrEqual(2);
    expect(ranged.byMonth.reduce((n, m) => n + m.opened, 0)).toBe(openedWithin);

    // An office without returns or tasks: nulls, not zeros.
    const empty = await statsOf(await h.token('supervisor', { office: newOffice() }));
    expect(empty.medianDaysToReturn).toBeNull();
    expect(empty.overdueRate).toBeNull();
    expect(empty.byMonth.every((m) => m.opened === 0 && m.returned === 0 && m.closed === 0)).toBe(true);
  });

  it('when byMonth is asked for an impossible range, then 400 validation_failed naming the field', async () => {
    const supervisor = await h.token('supervisor', { office: officeA });
    expectValidation(await h.http.get('/v1/stats').query({ from: '2026-13' }).set(bearer(supervisor)), ['from']);
    expectValidation(await h.http.get('/v1/stats').query({ to: '2026-1' }).set(bearer(supervisor)), ['to']);
    expectValidation(await h.http.get('/v1/stats').query({ from: '2026-05', to: '2026-01' }).set(bearer(supervisor)), ['from']);
    expectValidation(await h.http.get('/v1/stats').query({ from: '1990-01', to: '2026-01' }).set(bearer(supervisor)), ['from']);
  });

  it('when a supervisor asks for another office, then 403 forbidden', async () => {
    const supervisor = await h.token('supervisor', { office: officeA });
    expectError(await h.http.get('/v1/stats').query({ office: officeB }).set(bearer(supervisor)), 403, 'forbidden');
    // Their own office, named, is fine.
    expect((await h.http.get('/v1/stats').query({ office: officeA }).set(bearer(supervisor))).status).toBe(200);
  });

  it('when the caller is not a supervisor, then 403 forbidden; without a token, 401', async () => {
    for (const token of [
      await h.token('caseworker', { office: officeA }),
      await h.token('agency_officer', { agency: consulateId }),
      await h.token('admin'),
    ]) {
      expectError(await h.http.get('/v1/stats').set(bearer(token)), 403, 'forbidden');
    }
    expectError(await h.http.get('/v1/stats'), 401, 'unauthenticated');
  });

  it('when the query has an unknown parameter or a malformed office, then 400 validation_failed naming it', async () => {
    const supervisor = await h.token('supervisor', { office: officeA });
    expectValidation(await h.http.get('/v1/stats').query({ stage: 'locating' }).set(bearer(supervisor)), ['stage']);
    expectValidation(await h.http.get('/v1/stats').query({ office: 'no such office!' }).set(bearer(supervisor)), ['office']);
    expectValidation(await h.http.get('/v1/stats?office=a&office=b').set(bearer(supervisor)), ['office']);
  });
});
