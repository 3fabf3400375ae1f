// What a case list selects, in one place: the filters and scope of GET /v1/cases, its order, and the
// summary it shows of each case. The paged list (services/cases.ts) and the CSV export
// (services/exports.ts) both run the statement built here, so an export is always exactly the list
// it came from.
//
// The statement is written here rather than built by drizzle: the list's SQL takes 0.05 to 0.7 ms in
// PostgreSQL, and drizzle's query building and row mapping took about as long again on every page
// (bench/RESULTS.md "Queries"). Every value is a parameter; only the fixed column and table names
// below are text. The conditions are those drizzle wrote, so the plans are unchanged.
import type { CaseView } from '../../domain/case.js';
import { cases } from '../../db/schema/index.js';
import { type FieldCipher, openSnapshot } from '../../db/at-rest.js';
import type { IdentityHasher } from '../../db/identity.js';
import { type Auth, officeScope } from '../middleware/auth.js';
import type { ListCasesQuery } from '../schemas.js';

/** The filters of GET /v1/cases without paging (`limit`, `cursor`), which an export does not take. */
export type CaseFilters = Omit<ListCasesQuery, 'limit' | 'cursor'>;

const SORTS = {
  createdAt: 'created_at',
  priority: 'priority_rank',
  stageEnteredAt: 'stage_entered_at',
} as const;
export type SortKey = keyof typeof SORTS;

/** A page: at most `limit` rows after the keyset position `after` ([sort value, id]) when given. */
export interface PageOf {
  limit: number;
  after?: [value: string | number, id: string];
}

/**
 * The statement of a case list (scope first, then the filters, the order and the page), selecting
 * SUMMARY_COLUMNS in their order; or null when the caller asked for another office than the one
 * their token covers: that list is empty, not refused, so it reveals nothing.
 */
export function caseListQuery(auth: Auth, q: CaseFilters, hasher: IdentityHasher, now: Date, page?: PageOf) {
  const scope = officeScope(auth);
  if (scope !== null && q.office !== undefined && q.office !== scope) return null;
  const params: unknown[] = [];
  const $ = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  const office = scope ?? q.office;
  if (office !== undefined) where.push(`"cases"."office" = ${$(office)}`);
  if (q.stage) where.push(`"cases"."stage" = ${$(q.stage)}`);
  if (q.status) where.push(`"cases"."status" = ${$(q.status)}`);
  if (q.priority) where.push(`"cases"."priority" = ${$(q.priority)}`);
  if (q.country) where.push(`"cases"."country" = ${$(q.country)}`);
  if (q.consulateId) where.push(`"cases"."consulate_id" = ${$(q.consulateId)}`);
  if (q.assignee) where.push(`"cases"."assignee" = ${$(q.assignee)}`);
  if (q.onHold !== undefined) where.push(`"cases"."on_hold" = ${$(q.onHold)}`);
  if (q.operationId) where.push(`"cases"."operation_id" = ${$(q.operationId)}`);
  if (q.createdAfter) where.push(`"cases"."created_at" > ${$(new Date(q.createdAfter).toISOString())}`);
  if (q.createdBefore) where.push(`"cases"."created_at" < ${$(new Date(q.createdBefore).toISOString())}`);
  if (q.overdue === true) where.push(`("cases"."status" = 'open' and "cases"."next_deadline_at" < ${$(now)})`);
  if (q.overdue === false) where.push(`not ("cases"."status" = 'open' and coalesce("cases"."next_deadline_at" < ${$(now)}, false))`);
  // One IN over a UNION ALL, not `reference = … OR id IN (…)`: PostgreSQL cannot use an index for an
  // OR with a sub-select and scanned every case of the scope; this way it looks up the (at most few)
  // matching ids by the reference and number-hash indexes, then fetches those rows.
  if (q.q) {
    const reference = $(q.q.toUpperCase());
    const hashes = hasher.numberHashes(q.q).map($).join(', ');
    where.push(
      `"cases"."id" in (select "c"."id" from "cases" "c" where "c"."reference" = ${reference} ` +
        `union all select "identity_documents"."case_id" from "identity_documents" where "identity_documents"."number_hash" in (${hashes}))`,
    );
  }
  const descending = q.sort.startsWith('-');
  const sort = q.sort.replace('-', '') as SortKey;
  const column = `"cases"."${SORTS[sort]}"`;
  if (page?.after) where.push(`(${column}, "cases"."id") ${descending ? '<' : '>'} (${$(page.after[0])}, ${$(page.after[1])})`);
  const direction = descending ? 'desc' : 'asc';
  const sql =
    `select ${SELECTED} from "cases"${where.length > 0 ? ` where (${where.join(' and ')})` : ''} ` +
    `order by ${column} ${direction}, "cases"."id" ${direction}${page ? ` limit ${$(page.limit)}` : ''}`;
  return { sql, params, sort };
}

/**
 * The columns a summary is made of, and the sort keys a cursor is made of: half of the table's
 * columns. Selecting only these spares every page the building, reading and mapping of the rest.
 */
export const SUMMARY_COLUMNS = {
  id: cases.id,
  reference: cases.reference,
  status: cases.status,
  stage: cases.stage,
  onHold: cases.onHold,
  priority: cases.priority,
  priorityRank: cases.priorityRank,
  version: cases.version,
  office: cases.office,
  assignee: cases.assignee,
  consulateId: cases.consulateId,
  operationId: cases.operationId,
  screening: cases.screening,
  nextDeadlineAt: cases.nextDeadlineAt,
  snapshot: cases.snapshot,
  createdAt: cases.createdAt,
  updatedAt: cases.updatedAt,
  stageEnteredAt: cases.stageEnteredAt,
};

const SELECTED = Object.values(SUMMARY_COLUMNS)
  .map((c) => `"${c.name}"`)
  .join(', ');
const KEYS = Object.keys(SUMMARY_COLUMNS) as Array<keyof typeof SUMMARY_COLUMNS>;

export type CaseRow = typeof cases.$inferSelect;
export type SummaryRow = Pick<CaseRow, keyof typeof SUMMARY_COLUMNS>;

/**
 * A row of caseListQuery's statement, read with pg's own type parsers (timestamps as Dates, jsonb
 * parsed, array row mode), as the row drizzle would give.
 */
export function summaryRow(values: unknown[]): SummaryRow {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < KEYS.length; i++) row[KEYS[i]!] = values[i];
  return row as SummaryRow;
}

/** One case as a list shows it; the snapshot is opened here, row by row. */
export function caseSummary(row: SummaryRow, now: Date, cipher: FieldCipher) {
  const view = openSnapshot<CaseView>(cipher, row);
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    stage: row.stage,
    onHold: row.onHold,
    priority: row.priority,
    version: row.version,
    office: row.office,
    assignee: row.assignee,
    consulateId: row.consulateId,
    operationId: row.operationId,
    person: { fullName: view.person.fullName, nationality: view.person.nationality },
    location: view.location ? { country: view.location.country, confirmed: view.location.confirmed ?? false } : null,
    riskFlags: view.riskFlags,
    screening: row.screening,
    nextDeadline: view.nextDeadline,
    overdue: row.status === 'open' && row.nextDeadlineAt !== null && row.nextDeadlineAt < now,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    stageEnteredAt: row.stageEnteredAt.toISOString(),
  };
}
export type CaseSummary = ReturnType<typeof caseSummary>;
