// OpenAPI 3.1, generated from the same zod schemas and route declarations that validate requests,
// so the document cannot drift from what the API accepts.
import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import { ERROR_CODES } from '../domain/errors.js';
import { STATUS } from './errors.js';
import type { AnyRoute } from './http.js';

const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .meta({ id: 'Error' });

// ---- Responses of the operations list and of bulk actions (issue #9), by `METHOD path` ----
const isoDateTime = z.string().meta({ format: 'date-time' });
const operationSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    country: z.string(),
    site: z.string().nullable(),
    date: z.string(),
    consulateId: z.string(),
    office: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    total: z.int(),
    createdAt: isoDateTime,
    completedAt: isoDateTime.nullable(),
  })
  .meta({ id: 'OperationSummary' });
const bulkActionAcceptedSchema = z
  .object({ id: z.uuid(), operationId: z.uuid(), status: z.literal('running'), total: z.int() })
  .meta({ id: 'BulkActionAccepted' });
const bulkActionStatusSchema = z
  .object({
    id: z.uuid(),
    operationId: z.uuid(),
    type: z.string().describe('the case action type'),
    status: z.enum(['running', 'completed', 'failed']),
    total: z.int(),
    succeeded: z.int(),
    failedCount: z.int().describe('every failed case; `failed` lists one page of them'),
    pending: z.int().describe('succeeded + failedCount + pending = total'),
    failed: z.array(z.object({ caseId: z.uuid(), error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }) })),
    nextCursor: z.string().nullable().describe('the next page of `failed` (query `cursor`)'),
    requestedBy: z.object({ sub: z.string(), role: z.string() }),
    createdAt: isoDateTime,
    completedAt: isoDateTime.nullable(),
  })
  .meta({ id: 'BulkActionStatus' });
const RESPONSE_SCHEMAS: Record<string, z.ZodType> = {
  'GET /v1/operations': z.object({ items: z.array(operationSummarySchema), nextCursor: z.string().nullable() }).meta({ id: 'OperationList' }),
  'POST /v1/operations/:id/actions': bulkActionAcceptedSchema,
  'GET /v1/operations/:id/actions/:bulkId': bulkActionStatusSchema,
};
// ---- end of the operations block ----

export function buildOpenApi(routes: AnyRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const errors = r.roles ? ['validation_failed', 'unauthenticated', 'forbidden', 'not_found', 'unavailable'] : ['unavailable'];
    const responses: Record<string, unknown> = {
      [String(r.success.status)]: {
        description: r.success.description,
        content: { 'application/json': { schema: RESPONSE_SCHEMAS[`${r.method.toUpperCase()} ${r.path}`] ?? z.unknown() } },
      },
    };
    for (const code of errors) {
      responses[String(STATUS[code as keyof typeof STATUS])] = { description: code, content: { 'application/json': { schema: errorSchema } } };
    }
    const headerShape = Object.fromEntries(Object.entries(r.headers ?? {}).map(([name, h]) => [name, (h.schema as z.ZodType).optional().describe(h.description)]));
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.roles ? { security: [{ bearer: [] }], description: `Roles: ${r.roles.join(', ')}` } : {}),
      requestParams: {
        ...(r.params ? { path: r.params } : {}),
        ...(r.query ? { query: r.query } : {}),
        ...(r.headers ? { header: z.object(headerShape) } : {}),
      },
      ...(r.body ? { requestBody: { content: { 'application/json': { schema: r.body } } } } : {}),
      responses,
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'Homeward API', version: '1.0.0', description: 'Case workflows for people rescued from overseas fraud compounds.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths: paths as never,
  });
}
