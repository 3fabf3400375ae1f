// Supervision statistics of one office (or of every office, for a supervisor whose token says "*"),
// from the read model. One SQL statement, so the numbers come from one snapshot and add up. Every part
// is an index-only scan: open cases counted by stage, priority and hold over cases_open_stage_idx;
// the median time in each stage read off that index's order (the middle entry of each (office, stage)
// run, found by OFFSET, so nothing is sorted; cases_open_stage_entered_idx for all offices); closures
// by reason over cases_closed_reason_idx; overdue tasks over tasks_office_idx.
//
// Definitions (docs/api.md "Supervision"):
//   byStatus           every case, open or closed;
//   byStage            every case by its current stage: open cases in their working stage, closed
//                      cases under `closed` (so it sums to the same total as byStatus);
//   byPriority, onHold open cases only (a closed case has no urgency and cannot be on hold);
//   overdueTasks       open or claimed agency tasks of the office's cases whose due time has passed;
//   medianDaysInStage  per working stage, the median number of days the open cases there have spent
//                      in it so far (since stage_entered_at), to 0.01 day; null when the stage is empty;
//   closedByReason     closed cases by closure reason.
// Every key is always present; counts are 0 when there is nothing to count.
import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { CLOSURE_REASONS, PRIORITIES, STAGES } from '../../domain/schemas.js';
import { tasks, cases } from '../../db/schema/index.js';
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
  medianDaysInStage: Record<OpenStage, number | null>;
  closedByReason: Record<(typeof CLOSURE_REASONS)[number], number>;
}

const DAY_S = 86_400;

/** The one statement behind GET /v1/stats; `office` null means every office. */
export function statsSql(office: string | null, now: Date): SQL {
  const inOffice = (column: PgColumn) => (office === null ? sql`` : sql` and ${column} = ${office}`);
  return sql`
    with open_counts as (
      select ${cases.stage} as stage, ${cases.priority} as priority, ${cases.onHold} as on_hold, count(*)::int as n
        from ${cases} where ${cases.status} = 'open'${inOffice(cases.office)}
        group by 1, 2, 3
    ), stage_counts as (
      select stage, sum(n)::int as n from open_counts group by stage
    )
    select
      (select coalesce(json_agg(json_build_array(stage, priority, on_hold, n)), '[]'::json) from open_counts) as "open",
      (select coalesce(json_agg(json_build_array(s.stage, m.median)), '[]'::json)
         from stage_counts s cross join lateral (
           -- the middle entry (odd count) or the two middle entries (even count) of the stage
           select avg(mid.x) as median from (
             select extract(epoch from ${cases.stageEnteredAt}) as x
               from ${cases} where ${cases.status} = 'open'${inOffice(cases.office)} and ${cases.stage} = s.stage
               order by ${cases.stageEnteredAt}
               offset (s.n - 1) / 2 limit 2 - s.n % 2) mid) m) as "medians",
      (select coalesce(json_agg(json_build_array(r.reason, r.n)), '[]'::json)
         from (select ${cases.closureReason} as reason, count(*)::int as n
                 from ${cases} where ${cases.status} = 'closed'${inOffice(cases.office)}
                 group by 1) r) as "closed",
      (select count(*)::int from ${tasks}
        where ${tasks.status} in ('open', 'claimed') and ${tasks.dueAt} < ${now}${inOffice(tasks.office)}) as "overdueTasks"`;
}

type StatsRow = {
  open: Array<[string, string, boolean, number]>;
  medians: Array<[string, number | string | null]>;
  closed: Array<[string | null, number]>;
  overdueTasks: number;
};

export function statsFromRow(row: StatsRow, now: Date): Stats {
  const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const byStage = zeros(STAGES);
  const byPriority = zeros(PRIORITIES);
  const closedByReason = zeros(CLOSURE_REASONS);
  const medianDaysInStage = Object.fromEntries(OPEN_STAGES.map((s) => [s, null])) as Record<OpenStage, number | null>;
  let open = 0;
  let onHold = 0;
  for (const [stage, priority, held, n] of row.open) {
    open += n;
    if (held) onHold += n;
    if (stage in byStage) byStage[stage as keyof typeof byStage] += n;
    if (priority in byPriority) byPriority[priority as keyof typeof byPriority] += n;
  }
  for (const [stage, median] of row.medians) {
    if (stage in medianDaysInStage && median !== null) {
      medianDaysInStage[stage as OpenStage] = Math.round(((now.getTime() / 1000 - Number(median)) / DAY_S) * 100) / 100;
    }
  }
  let closed = 0;
  for (const [reason, n] of row.closed) {
    closed += n;
    if (reason !== null && reason in closedByReason) closedByReason[reason as keyof typeof closedByReason] = n;
  }
  byStage.closed = closed;
  return { byStage, byStatus: { open, closed }, byPriority, onHold, overdueTasks: row.overdueTasks, medianDaysInStage, closedByReason };
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

  async function stats(auth: Auth, q: { office?: string }): Promise<Stats> {
    const office = statsOffice(auth, q.office);
    const now = new Date();
    const result = await db.execute<StatsRow>(statsSql(office, now));
    return statsFromRow(result.rows[0]!, now);
  }

  return { stats };
}
export type StatsService = ReturnType<typeof createStatsService>;
