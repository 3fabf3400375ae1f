// What a case list selects, in one place: the filters and scope of GET /v1/cases, its order, and the
// summary it shows of each case. The paged list (services/cases.ts) and the CSV export
// (services/exports.ts) both build on it, so an export is always exactly the list it came from.
import { type SQL, and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { CaseView } from '../../domain/case.js';
import { cases, identityDocuments } from '../../db/schema/index.js';
import { type FieldCipher, openSnapshot } from '../../db/at-rest.js';
import type { IdentityHasher } from '../../db/identity.js';
import { type Auth, officeScope } from '../middleware/auth.js';
import type { ListCasesQuery } from '../schemas.js';

/** The filters of GET /v1/cases without paging (`limit`, `cursor`), which an export does not take. */
export type CaseFilters = Omit<ListCasesQuery, 'limit' | 'cursor'>;

const SORTS = {
  createdAt: cases.createdAt,
  priority: cases.priorityRank,
  stageEnteredAt: cases.stageEnteredAt,
} as const;

/**
 * The conditions (scope first) and order of a case list, or null when the caller asked for another
 * office than the one their token covers: that list is empty, not refused, so it reveals nothing.
 */
export function caseListQuery(auth: Auth, q: CaseFilters, hasher: IdentityHasher, now: Date) {
  const scope = officeScope(auth);
  if (scope !== null && q.office !== undefined && q.office !== scope) return null;
  const filters: Array<SQL | undefined> = [
    scope !== null ? eq(cases.office, scope) : q.office !== undefined ? eq(cases.office, q.office) : undefined,
    q.stage ? eq(cases.stage, q.stage) : undefined,
    q.status ? eq(cases.status, q.status) : undefined,
    q.priority ? eq(cases.priority, q.priority) : undefined,
    q.country ? eq(cases.country, q.country) : undefined,
    q.consulateId ? eq(cases.consulateId, q.consulateId) : undefined,
    q.assignee ? eq(cases.assignee, q.assignee) : undefined,
    q.onHold !== undefined ? eq(cases.onHold, q.onHold) : undefined,
    q.operationId ? eq(cases.operationId, q.operationId) : undefined,
    q.createdAfter ? gt(cases.createdAt, new Date(q.createdAfter)) : undefined,
    q.createdBefore ? lt(cases.createdAt, new Date(q.createdBefore)) : undefined,
    q.overdue === true ? and(eq(cases.status, 'open'), lt(cases.nextDeadlineAt, now)) : undefined,
    q.overdue === false ? sql`not (${cases.status} = 'open' and coalesce(${cases.nextDeadlineAt} < ${now}, false))` : undefined,
    // One IN over a UNION ALL, not `reference = … OR id IN (…)`: PostgreSQL cannot use an index
    // for an OR with a sub-select and scanned every case of the scope; this way it looks up the
    // (at most few) matching ids by the reference and number-hash indexes, then fetches those rows.
    q.q
      ? sql`${cases.id} in (select "c"."id" from ${cases} "c" where "c"."reference" = ${q.q.toUpperCase()}
          union all select ${identityDocuments.caseId} from ${identityDocuments} where ${identityDocuments.numberHash} in ${hasher.numberHashes(q.q)})`
      : undefined,
  ];
  const descending = q.sort.startsWith('-');
  const column = SORTS[q.sort.replace('-', '') as keyof typeof SORTS];
  const orderBy = [descending ? desc(column) : asc(column), descending ? desc(cases.id) : asc(cases.id)];
  return { filters, column, descending, orderBy };
}

export type CaseRow = typeof cases.$inferSelect;

/** One case as a list shows it; the snapshot is opened here, row by row. */
export function caseSummary(row: CaseRow, now: Date, cipher: FieldCipher) {
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
