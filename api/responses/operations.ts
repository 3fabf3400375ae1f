// What the mass rescue operation endpoints answer: the registration and the progress of a raid.
import { z } from 'zod';
import { ERROR_CODES } from '../../domain/errors.js';
import { calendarDate, page, possibleDuplicatesSchema, timestamp, uuid } from './common.js';

const operationStatus = z.enum(['running', 'completed', 'failed']);

export const operationStartedSchema = z
  .strictObject({ id: uuid, status: operationStatus.describe('running, or where it is now when a repeated Idempotency-Key replays'), total: z.int().min(1) })
  .meta({ id: 'OperationStarted', example: { id: 'c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d', status: 'running', total: 200 } });

// Invented data only: the raid as a list shows it; the operation's own example adds its counts.
const OPERATION_SUMMARY_EXAMPLE = {
  id: 'c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d',
  name: 'Raid at Compound 7',
  country: 'MM',
  site: 'Compound 7',
  date: '2026-10-19',
  consulateId: 'ph-consulate-bkk',
  office: 'manila',
  status: 'completed',
  total: 200,
  createdAt: '2026-10-20T02:00:00.000Z',
  completedAt: '2026-10-20T02:04:10.000Z',
};

export const operationSchema = z
  .strictObject({
    id: uuid,
    name: z.string(),
    country: z.string(),
    site: z.string().nullable(),
    date: calendarDate,
    consulateId: z.string(),
    office: z.string(),
    status: operationStatus,
    total: z.int().min(1),
    opened: z.int().min(0).describe('cases opened for persons without one'),
    linkedExisting: z.int().min(0).describe('persons who already had an open case, linked to it'),
    merged: z.int().min(0).describe('persons listed twice in the request (same document), merged into the first'),
    failed: z.int().min(0),
    pending: z.int().min(0).describe('persons not handled yet'),
    existingCases: z
      .array(
        z.union([
          z.strictObject({ index: z.int().min(0), outcome: z.enum(['linked', 'merged']), inScope: z.literal(true), caseId: uuid }),
          z.strictObject({ index: z.int().min(0), outcome: z.enum(['linked', 'merged']), inScope: z.literal(false), contactOffice: z.string() }),
        ]),
      )
      .describe("persons who turned out to have a case already: its id when it is in the caller's scope, otherwise the office to contact"),
    possibleDuplicates: z
      .array(z.strictObject({ index: z.int().min(0), caseId: uuid, possibleDuplicates: possibleDuplicatesSchema }))
      .describe('per person the raid opened a case for: other cases that may be the same person'),
    createdAt: timestamp,
    completedAt: timestamp.nullable(),
  })
  .meta({
    id: 'Operation',
    example: {
      ...OPERATION_SUMMARY_EXAMPLE,
      opened: 196,
      linkedExisting: 3,
      merged: 1,
      failed: 0,
      pending: 0,
      existingCases: [
        { index: 17, outcome: 'linked', inScope: true, caseId: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f' },
        { index: 88, outcome: 'linked', inScope: false, contactOffice: 'cebu' },
      ],
      possibleDuplicates: [],
    },
  });

export const operationSummarySchema = operationSchema
  .pick({ id: true, name: true, country: true, site: true, date: true, consulateId: true, office: true, status: true, total: true, createdAt: true, completedAt: true })
  .meta({ id: 'OperationSummary' });
export const operationListSchema = page(operationSummarySchema).meta({
  id: 'OperationList',
  example: {
    items: [OPERATION_SUMMARY_EXAMPLE],
    nextCursor: null,
  },
});

// Bulk actions on a raid (issue #9): one case action applied to many cases of an operation.
export const bulkActionAcceptedSchema = z
  .strictObject({ id: uuid, operationId: uuid, status: z.literal('running'), total: z.int().min(0) })
  .meta({ id: 'BulkActionAccepted', example: { id: '0b7c3f7e-2f1a-4d1e-9a55-3c2b1d0e9f8a', operationId: 'c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d', status: 'running', total: 50 } });
export const bulkActionStatusSchema = z
  .strictObject({
    id: uuid,
    operationId: uuid,
    type: z.string().describe('the case action type'),
    status: z.enum(['running', 'completed', 'failed']),
    total: z.int().min(0),
    succeeded: z.int().min(0),
    failedCount: z.int().min(0).describe('every failed case; `failed` lists one page of them'),
    pending: z.int().min(0).describe('succeeded + failedCount + pending = total'),
    failed: z.array(z.strictObject({ caseId: uuid, error: z.strictObject({ code: z.enum(ERROR_CODES), message: z.string() }) })),
    nextCursor: z.string().nullable().describe('the next page of `failed` (query `cursor`)'),
    requestedBy: z.strictObject({ sub: z.string(), role: z.string() }),
    createdAt: timestamp,
    completedAt: timestamp.nullable(),
  })
  .meta({
    id: 'BulkActionStatus',
    example: {
      id: '0b7c3f7e-2f1a-4d1e-9a55-3c2b1d0e9f8a',
      operationId: 'c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d',
      type: 'book_return',
      status: 'completed',
      total: 50,
      succeeded: 49,
      failedCount: 1,
      pending: 0,
      failed: [{ caseId: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f', error: { code: 'invalid_transition', message: 'book_return is not allowed in stage consular_contact' } }],
      nextCursor: null,
      requestedBy: { sub: 'cw-ana', role: 'caseworker' },
      createdAt: '2026-10-24T08:00:00.000Z',
      completedAt: '2026-10-24T08:00:41.000Z',
    },
  });
