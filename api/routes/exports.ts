// /v1/exports: a supervisor's CSV of a case list and the anonymised dataset (docs/api.md "Exports").
// The handlers write the response themselves (streamed); api/http.ts sends nothing after them.
import { Router } from 'express';
import { z } from 'zod';
import { route } from '../http.js';
import { listCasesQuery } from '../schemas.js';
import type { ExportService } from '../services/exports.js';
import { anonymisedCsvSchema, anonymisedExportSchema, casesCsvSchema } from '../responses/exports.js';

/** The filters of GET /v1/cases; an export is the whole list, so it takes no page size or cursor. */
export const exportCasesQuery = listCasesQuery.omit({ limit: true, cursor: true });

export const anonymisedQuery = z.strictObject({
  format: z.enum(['csv', 'json']).default('csv'),
  k: z.coerce
    .number()
    .int()
    .min(2)
    .max(1_000)
    .optional()
    .describe('suppress every combination rarer than k; at least HOMEWARD_EXPORT_MIN_K (default 11), which is also the default'),
});

export function exportsRouter(exports: ExportService): Router {
  const router = Router();

  route(router, {
    method: 'get',
    path: '/v1/exports/cases.csv',
    tag: 'supervision',
    summary: 'The CSV of a case list (streamed; every exported case is written to its access log)',
    roles: ['supervisor'],
    query: exportCasesQuery,
    success: { status: 200, description: 'the cases of the list with these filters, in its order', schema: casesCsvSchema, contentType: 'text/csv' },
    handler: ({ auth, query, res }) => exports.casesCsv(auth, query, String(res.locals.requestId), res),
  });

  route(router, {
    method: 'get',
    path: '/v1/exports/anonymised',
    tag: 'supervision',
    summary: 'The anonymised case-level dataset, k-anonymous (docs/anonymised-export.md)',
    roles: ['supervisor'],
    query: anonymisedQuery,
    success: {
      status: 200,
      description: 'one record per case in scope, no direct identifiers; `format=csv` (default) answers text/csv, `format=json` this object',
      schema: anonymisedExportSchema,
      alternatives: { 'text/csv': anonymisedCsvSchema },
    },
    handler: ({ auth, query, res }) => exports.anonymised(auth, query, String(res.locals.requestId), res),
  });

  return router;
}
