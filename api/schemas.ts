// Query and path schemas of the HTTP edge. Bodies use the domain schemas, shared with the workflow.
import { z } from 'zod';
import {
  ACTION_TYPES,
  type Action,
  MAX_OPERATION_PERSONS,
  PRIORITIES,
  STAGES,
  TASK_STATUSES,
  TASK_TYPES,
  actionSchemas,
  agencyIdSchema,
  officeIdSchema,
  storable,
} from '../domain/schemas.js';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);
const cursor = z.string().max(500).regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this API issued');
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code');

export const idParams = z.strictObject({ id: z.uuid({ message: 'expected a UUID' }) });

export const listCasesQuery = z.strictObject({
  stage: z.enum(STAGES).optional(),
  status: z.enum(['open', 'closed']).optional(),
  priority: z.enum(PRIORITIES).optional(),
  country: countryCode.optional(),
  consulateId: agencyIdSchema.optional(),
  assignee: storable(z.string().min(1).max(200)).optional(),
  office: officeIdSchema.optional(),
  onHold: bool.optional(),
  overdue: bool.optional(),
  operationId: z.uuid().optional(),
  q: storable(z.string().trim().min(1).max(100)).optional(),
  createdAfter: z.iso.datetime({ offset: true }).optional(),
  createdBefore: z.iso.datetime({ offset: true }).optional(),
  sort: z.enum(['createdAt', '-createdAt', 'priority', '-priority', 'stageEnteredAt', '-stageEnteredAt']).default('-createdAt'),
  limit: limit(200, 50),
  cursor: cursor.optional(),
});
export type ListCasesQuery = z.infer<typeof listCasesQuery>;

export const timelineQuery = z.strictObject({ limit: limit(500, 100), cursor: cursor.optional() });

export const listTasksQuery = z.strictObject({
  status: z.enum(TASK_STATUSES).optional(),
  type: z.enum(TASK_TYPES).optional(),
  overdue: bool.optional(),
  caseId: z.uuid().optional(),
  limit: limit(200, 50),
  cursor: cursor.optional(),
});
export type ListTasksQuery = z.infer<typeof listTasksQuery>;

export const listApprovalsQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected', 'cancelled']).optional(),
  limit: limit(200, 50),
  cursor: cursor.optional(),
});

/** GET /v1/webhooks and a subscription's deliveries. */
export const listWebhooksQuery = z.strictObject({ limit: limit(200, 50), cursor: cursor.optional() });

// ---- Mass rescue operations and bulk actions on them ----
export const listOperationsQuery = z.strictObject({
  status: z.enum(['running', 'completed', 'failed']).optional(),
  /** Only for a token of every office ("*"); another office's name in a one-office token finds nothing. */
  office: officeIdSchema.optional(),
  limit: limit(200, 50),
  cursor: cursor.optional(),
});
export type ListOperationsQuery = z.infer<typeof listOperationsQuery>;

export const bulkParams = z.strictObject({ id: z.uuid({ message: 'expected a UUID' }), bulkId: z.uuid({ message: 'expected a UUID' }) });

/** The failed cases of a bulk action are paged: `limit` per page, `cursor` from the last page. */
export const bulkStatusQuery = z.strictObject({ limit: limit(1_000, 100), cursor: cursor.optional() });

/**
 * Body of POST /v1/operations/:id/actions: a case action exactly as POST /v1/cases/:id/actions takes
 * it (the same schemas, each extended by `caseIds`), so a new action type is a bulk action too. Built
 * here, not in domain/: the workflow bundle loads domain/schemas.ts in every workflow, and needs none of this.
 */
export const bulkActionSchema = z.discriminatedUnion(
  'type',
  ACTION_TYPES.map((type) =>
    actionSchemas[type].safeExtend({
      caseIds: z
        .array(z.uuid({ message: 'expected a case id (UUID)' }))
        .min(1)
        .max(MAX_OPERATION_PERSONS, `at most ${MAX_OPERATION_PERSONS} cases`)
        .optional()
        .describe('the cases to act on; default: every open case of the operation'),
    }),
  ) as unknown as [(typeof actionSchemas)[keyof typeof actionSchemas], ...(typeof actionSchemas)[keyof typeof actionSchemas][]],
);
export type BulkActionBody = Action & { caseIds?: string[] };

export const ifMatchHeader = z
  .string()
  .regex(/^(W\/)?"?\d{1,9}"?$/, 'If-Match must be the case version, e.g. 7')
  .transform((v) => Number(v.replace(/^W\//, '').replace(/"/g, '')));

export const idempotencyKeyHeader = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII only');

/** Keyset cursors: opaque to callers, a base64url JSON tuple to us. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}
export function decodeCursor(cursor: string, arity: number): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity) return values;
  } catch {
    // fall through to the same answer as a well-formed but foreign cursor
  }
  throw Object.assign(new Error('bad cursor'), { badCursor: true });
}
