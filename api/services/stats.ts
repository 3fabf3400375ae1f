// Supervision statistics of one office (or of every office, for a supervisor whose token says "*").
// The counts come from the maintained counters (db/stats-counters.ts): exact, and a few rows to read
// whatever the number of cases. One SQL statement, so every figure comes from one snapshot and adds
// up. What depends on the time of asking is read from indexes in the same statement: the median
// time in stage is located through the `entered` histogram (the month holding the middle entry, and
// its rank there) and read off cases_open_stage_idx / cases_open_stage_entered_idx from that month
// on, so a few entries are skipped, not half the stage; overdue and open tasks are counted
// index-only over the partial indexes of open tasks (tasks_open_due_idx, and
// tasks_open_office_due_idx for one office).
//
// Definitions (docs/api.md "Supervision"):
//   byStatus           every case, open or closed;
//   byStage            every case by its current stage: open cases in their working stage, closed
//                      cases under `closed` (so it sums to the same total as byStatus);
//   byPriority, onHold open cases only (a closed case has no urgency and cannot be on hold);
//   overdueTasks       open or claimed tasks of the office's cases whose due time has passed;
//   overdueRate        overdueTasks / open or claimed tasks, to 4 decimals; null when none is open;
//   medianDaysInStage  per working stage, the median number of days the open cases there have spent
//                      in it so far (since stage_entered_at), to 0.01 day; null when the stage is empty;
//   medianDaysToReturn the median of whole days from opening to arrival home, over every case that
//                      has arrived (open or closed); null when none has;
//   closedByReason     closed cases by closure reason;
//   byMonth            per UTC month of the range: cases opened, arrived home and closed in it.
// Every key is always present; counts are 0 when there is nothing to count.
import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { CLOSURE_REASONS, PRIORITIES, STAGES } from '../../domain/schemas.js';
import { tasks, cases, statsCounters } from '../../db/schema/index.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { type Auth, officeScope } from '../middleware/auth.js';

type OpenStage = Exclude<(typeof STAGES)[number], 'closed'>;
export const OPEN_STAGES = STAGES.filter((s): s is OpenStage => s !== 'closed');

export interface Stats {
  byStage: Record<(typeof STAGES)[number], number>;
  byStatus: { open: number; closed: number };
  byPriority: Record<(typeof PRIORITIES)[number], number>;
  onHold: number;
  overdueTasks: number;
  overdueRate: number | null;
  medianDaysInStage: Record<OpenStage, number | null>;
  medianDaysToReturn: number | null;
  closedByReason: Record<(typeof CLOSURE_REASONS)[number], number>;
  byMonth: Array<{ month: string; opened: number; returned: number; closed: number }>;
}

const DAY_S = 86_400;
const OPEN_TASK = sql.raw(`('open', 'claimed')`);

/** The one statement behind GET /v1/stats; `office` null means every office. */
export function statsSql(office: string | null, now: Date): SQL {
  const inOffice = (column: PgColumn) => (office === null ? sql`` : sql` and ${column} = ${office}`);
  return sql`
    with c as (
      select ${statsCounters.metric} as metric, ${statsCounters.key} as key, sum(${statsCounters.n})::bigint as n
        from ${statsCounters} where true${inOffice(statsCounters.office)}
        group by 1, 2 having sum(${statsCounters.n}) <> 0
    ), entered as (
      select split_part(key, '|', 1) as stage, split_part(key, '|', 2) as month, n,
             -- bigint (sum() gives numeric), so the middle rank is an integer division
             coalesce(sum(n) over (partition by split_part(key, '|', 1) order by split_part(key, '|', 2)
                                   rows between unbounded preceding and 1 preceding), 0)::bigint as before,
             (sum(n) over (partition by split_part(key, '|', 1)))::bigint as total
        from c where metric = 'entered'
    ), mid as (
      -- the month holding the middle entry (odd count) or the first of the two middle ones (even)
      select stage, month, (total - 1) / 2 - before as skip, 2 - total % 2 as take
        from entered where before <= (total - 1) / 2 and (total - 1) / 2 < before + n
    )
    select
      (select coalesce(json_agg(json_build_array(metric, key, n)), '[]'::json) from c where metric <> 'entered') as "counters",
      (select coalesce(json_agg(json_build_array(m.stage, x.median)), '[]'::json)
         from mid m cross join lateral (
           select avg(extract(epoch from e.at)) as median from (
             select ${cases.stageEnteredAt} as at
               from ${cases} where ${cases.status} = 'open'${inOffice(cases.office)} and ${cases.stage} = m.stage
                 and ${cases.stageEnteredAt} >= (m.month || '-01')::timestamp at time zone 'UTC'
               order by ${cases.stageEnteredAt}
               offset m.skip limit m.take) e) x) as "medians",
      (select count(*)::int from ${tasks}
        where ${tasks.status} in ${OPEN_TASK}${inOffice(tasks.office)}) as "openTasks",
      (select count(*)::int from ${tasks}
        where ${tasks.status} in ${OPEN_TASK} and ${tasks.dueAt} < ${now}${inOffice(tasks.office)}) as "overdueTasks"`;
}

type StatsRow = {
  counters: Array<[string, string, number | string]>;
  medians: Array<[string, number | string | null]>;
  openTasks: number;
  overdueTasks: number;
};

/** The months of byMonth, oldest first: `from`..`to` (YYYY-MM), by default the 12 months up to now's. */
export function monthRange(now: Date, from?: string, to?: string): string[] {
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  const last = index(to ?? now.toISOString().slice(0, 7));
  const first = from ? index(from) : last - 11;
  const out: string[] = [];
  for (let i = first; i <= last; i++) out.push(`${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`);
  return out;
}

/** The median of a histogram of whole days: the middle value, or the mean of the two middle ones. */
function histogramMedian(days: Map<number, number>): number | null {
  const total = [...days.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const [d, n] of [...days].sort(([a], [b]) => a - b)) {
      seen += n;
      if (rank < seen) return d;
    }
    return Number.NaN;
  };
  return (at((total - 1) >> 1) + at(total >> 1)) / 2;
}

export function statsFromRow(row: StatsRow, now: Date, months: string[]): Stats {
  const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const byStage = zeros(STAGES);
  const byPriority = zeros(PRIORITIES);
  const closedByReason = zeros(CLOSURE_REASONS);
  const medianDaysInStage = Object.fromEntries(OPEN_STAGES.map((s) => [s, null])) as Record<OpenStage, number | null>;
  const byMonth = new Map(months.map((month) => [month, { month, opened: 0, returned: 0, closed: 0 }]));
  const returnDays = new Map<number, number>();
  let open = 0;
  let onHold = 0;
  let closed = 0;
  for (const [metric, key, count] of row.counters) {
    const n = Number(count);
    if (metric === 'open') {
      const [stage, priority, held] = key.split('|');
      open += n;
      if (held === '1') onHold += n;
      if (stage! in byStage) byStage[stage as keyof typeof byStage] += n;
      if (priority! in byPriority) byPriority[priority as keyof typeof byPriority] += n;
    } else if (metric === 'closed') {
      closed += n;
      if (key in closedByReason) closedByReason[key as keyof typeof closedByReason] += n;
    } else if (metric === 'return_days') {
      returnDays.set(Number(key), n);
    } else {
      const month = byMonth.get(key);
      if (!month) continue;
      if (metric === 'opened') month.opened += n;
      else if (metric === 'returned') month.returned += n;
      else if (metric === 'closed_month') month.closed += n;
    }
  }
  for (const [stage, median] of row.medians) {
    if (stage in medianDaysInStage && median !== null) {
      medianDaysInStage[stage as OpenStage] = Math.round(((now.getTime() / 1000 - Number(median)) / DAY_S) * 100) / 100;
    }
  }
  byStage.closed = closed;
  return {
    byStage,
    byStatus: { open, closed },
    byPriority,
    onHold,
    overdueTasks: row.overdueTasks,
    overdueRate: row.openTasks === 0 ? null : Math.round((row.overdueTasks / row.openTasks) * 10_000) / 10_000,
    medianDaysInStage,
    medianDaysToReturn: histogramMedian(returnDays),
    closedByReason,
    byMonth: [...byMonth.values()],
  };
}

/** Which office the caller asks about: their own, or (with "*") the one named, or all (null). */
export function statsOffice(auth: Auth, office: string | undefined): string | null {
  const scope = officeScope(auth);
  if (scope === null) return office ?? null;
  if (office !== undefined && office !== scope) throw new ApiError('forbidden', `your token covers office ${scope}, not ${office}`);
  return scope;
}

export function createStatsService(deps: Pick<ApiDeps, 'db'>) {
  const { db } = deps;

  async function stats(auth: Auth, q: { office?: string; from?: string; to?: string }): Promise<Stats> {
    const office = statsOffice(auth, q.office);
    const now = new Date();
    const result = await db.execute<StatsRow>(statsSql(office, now));
    return statsFromRow(result.rows[0]!, now, monthRange(now, q.from, q.to));
  }

  return { stats };
}
export type StatsService = ReturnType<typeof createStatsService>;
