// Exports for supervisors (docs/api.md "Exports"): the CSV of a case list, with exactly the filters
// and scope of GET /v1/cases (services/case-list.ts), and the anonymised case-level dataset with
// k-anonymity (services/anonymised-export.ts). Both stream from a server-side cursor (services/export-stream.ts).
import { eq } from 'drizzle-orm';
import type { Response } from 'express';
import { cases } from '../../db/schema/index.js';
import { fieldCipher, openSnapshot } from '../../db/at-rest.js';
import type { CaseView } from '../../domain/case.js';
import type { AccessLog } from '../access-log.js';
import { accessLogUnavailable } from '../access-log.js';
import { ApiError } from '../errors.js';
import { type Auth, officeScope } from '../middleware/auth.js';
import type { ApiDeps } from '../deps.js';
import { type CaseFilters, type CaseSummary, SUMMARY_COLUMNS, type SummaryRow, caseListQuery, caseSummary } from './case-list.js';
import { type AnonymisedRecord, RECORD_FIELDS, anonymisedRecord, blanked, combinationOf, suppressionPlan } from './anonymised-export.js';
import { BOM, batchesOf, csvLines, rowMapper, sendChunks, withExportClient } from './export-stream.js';

/** Rows per cursor fetch, per access-log insert and per chunk written. */
export const EXPORT_BATCH = 500;

export const CASE_CSV_COLUMNS = [
  'id', 'reference', 'status', 'stage', 'onHold', 'priority', 'version', 'office', 'assignee', 'consulateId', 'operationId',
  'fullName', 'nationality', 'locationCountry', 'locationConfirmed', 'riskFlags', 'screening',
  'nextDeadlineKind', 'nextDeadlineAt', 'overdue', 'createdAt', 'updatedAt', 'stageEnteredAt',
] as const;

function csvRecord(s: CaseSummary): unknown[] {
  const deadline = s.nextDeadline as { kind?: string; at?: string } | null | undefined;
  return [
    s.id, s.reference, s.status, s.stage, s.onHold, s.priority, s.version, s.office, s.assignee, s.consulateId, s.operationId,
    s.person.fullName, s.person.nationality, s.location?.country ?? null, s.location?.confirmed ?? null, s.riskFlags.join(';'), s.screening,
    deadline?.kind ?? null, deadline?.at ?? null, s.overdue, s.createdAt, s.updatedAt, s.stageEnteredAt,
  ];
}

const toCaseRow = rowMapper<SummaryRow>(SUMMARY_COLUMNS);

export function createExportService(deps: ApiDeps, accessLog: AccessLog) {
  const { db, hasher, config, logger } = deps;
  const cipher = fieldCipher(config);

  /**
   * Access log: one entry per exported case, written batch by batch just before that batch is sent,
   * on another pooled connection (the cursor's is busy). Not one INSERT … SELECT up front: that
   * would run in another snapshot than the cursor and could log cases the export never sent or miss
   * cases it did; logging each batch as it goes logs exactly what left, and fails closed like every
   * other read (a batch that cannot be logged is not sent, and the export is cut off there).
   */
  async function casesCsv(auth: Auth, filters: CaseFilters, requestId: string, res: Response): Promise<void> {
    const now = new Date();
    const list = caseListQuery(auth, filters, hasher, now);
    const query = list === null ? null : { sql: list.sql, params: list.params };
    const head = BOM + csvLines([[...CASE_CSV_COLUMNS]]);
    await withExportClient(db.$client, async (client) => {
      async function* chunks() {
        let pending = head;
        if (query) {
          for await (const batch of batchesOf(client, query, EXPORT_BATCH, toCaseRow)) {
            try {
              await accessLog.record({ auth, requestId, what: 'export', caseIds: batch.map((r) => r.id) });
            } catch (err) {
              throw Object.assign(accessLogUnavailable({ write: false, keyed: false }), { cause: err });
            }
            yield pending + csvLines(batch.map((r) => csvRecord(caseSummary(r, now, cipher))));
            pending = '';
          }
        }
        if (pending) yield pending;
      }
      const clean = await sendChunks(res, { contentType: 'text/csv; charset=utf-8', filename: 'cases.csv', requestId, logger }, chunks());
      return { clean, value: undefined };
    });
  }

  /**
   * The anonymised dataset, in two passes over one REPEATABLE READ snapshot: the first counts every
   * combination, the second sends the records the plan keeps (blanked or whole). Both passes see the
   * same cases, so the counts the suppression relies on are the counts of what is sent. Nothing is
   * sent before the first pass ends, so its failures are ordinary error answers. Not written to the
   * access log: it carries no person's data (docs/anonymised-export.md).
   */
  async function anonymised(auth: Auth, opts: { format: 'csv' | 'json'; k?: number }, requestId: string, res: Response): Promise<void> {
    const minK = config.exports.minK;
    const k = opts.k ?? minK;
    if (k < minK) throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'k', message: `must be at least ${minK}, the configured minimum` }]);
    const scope = officeScope(auth);
    const query = db
      .select({ id: cases.id, createdAt: cases.createdAt, nationality: cases.nationality, country: cases.country, stage: cases.stage, closureReason: cases.closureReason, snapshot: cases.snapshot })
      .from(cases)
      .where(scope === null ? undefined : eq(cases.office, scope))
      .toSQL();
    // Raw rows of the cursor: column names, as PostgreSQL sends them.
    const toRecord = (raw: Record<string, unknown>): AnonymisedRecord => {
      const view = openSnapshot<Partial<CaseView>>(cipher, { id: String(raw.id), snapshot: raw.snapshot });
      return anonymisedRecord({
        createdAt: raw.created_at instanceof Date ? raw.created_at : new Date(String(raw.created_at)),
        nationality: String(raw.nationality),
        country: (raw.country as string | null) ?? null,
        stage: String(raw.stage),
        closureReason: (raw.closure_reason as string | null) ?? null,
        person: view.person,
        exploitationTypes: view.exploitationTypes,
      });
    };
    await withExportClient(db.$client, async (client) => {
      await client.query('begin isolation level repeatable read read only');
      const counts = new Map<string, { n: number; record: AnonymisedRecord }>();
      for await (const batch of batchesOf(client, query, EXPORT_BATCH, toRecord)) {
        for (const r of batch) {
          const key = combinationOf(r);
          const c = counts.get(key);
          if (c) c.n += 1;
          else counts.set(key, { n: 1, record: r });
        }
      }
      const plan = suppressionPlan(counts, k);
      counts.clear();
      const released = (batch: AnonymisedRecord[]) =>
        batch.flatMap((r) => {
          const d = plan.decide(r);
          return d === 'keep' ? [r] : d === 'blank' ? [blanked(r)] : [];
        });
      async function* chunks() {
        const json = opts.format === 'json';
        let first = true;
        yield json
          ? `{"k":${k},"records":${plan.records},"suppressed":{"blanked":${plan.blanked},"dropped":${plan.dropped}},"items":[`
          : BOM + csvLines([[...RECORD_FIELDS]]);
        for await (const batch of batchesOf(client, query, EXPORT_BATCH, toRecord)) {
          const out = released(batch);
          if (out.length === 0) continue;
          if (json) {
            yield (first ? '' : ',') + out.map((r) => JSON.stringify(r)).join(',');
            first = false;
          } else yield csvLines(out.map((r) => RECORD_FIELDS.map((f) => r[f])));
        }
        if (json) yield ']}';
      }
      const clean = await sendChunks(
        res,
        { contentType: opts.format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8', filename: `anonymised-cases.${opts.format}`, requestId, logger },
        chunks(),
      );
      if (clean) await client.query('commit');
      return { clean, value: undefined };
    });
  }

  return { casesCsv, anonymised };
}
export type ExportService = ReturnType<typeof createExportService>;
