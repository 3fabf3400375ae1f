// /v1/operations: a whole raid in one request, its progress, the list of raids, and bulk actions on
// a raid's cases (one action, many cases, one durable workflow).
import { Router } from 'express';
import { operationCreateSchema } from '../../domain/schemas.js';
import { route } from '../http.js';
import { bulkActionSchema, bulkParams, bulkStatusQuery, idParams, listOperationsQuery } from '../schemas.js';
import type { createBulkActionService } from '../services/bulk-actions.js';
import type { createOperationService } from '../services/operations.js';
import { bulkActionAcceptedSchema, bulkActionStatusSchema, operationListSchema, operationSchema, operationStartedSchema } from '../responses/operations.js';

const OPERATION_ROLES = ['caseworker', 'supervisor'] as const;

export function operationsRouter(operations: ReturnType<typeof createOperationService>, bulk: ReturnType<typeof createBulkActionService>): Router {
  const router = Router();
  route(router, {
    method: 'post',
    path: '/v1/operations',
    tag: 'operations',
    summary: 'Register a mass rescue operation (up to 10,000 persons)',
    roles: OPERATION_ROLES,
    body: operationCreateSchema,
    idempotency: 'replay',
    asSeenNow: (auth, stored: { id: string }) => operations.asSeenNow(auth, stored),
    success: { status: 202, description: 'the operation, now running', schema: operationStartedSchema },
    handler: ({ auth, body, idempotencyKey }) => operations.create(auth, body, idempotencyKey),
  });
  route(router, {
    method: 'get',
    path: '/v1/operations',
    tag: 'operations',
    summary: "The operations of the caller's office (all offices with \"*\"), newest first",
    roles: OPERATION_ROLES,
    query: listOperationsQuery,
    success: { status: 200, description: 'a page of operation summaries', schema: operationListSchema },
    handler: ({ auth, query }) => operations.list(auth, query),
  });
  route(router, {
    method: 'get',
    path: '/v1/operations/:id',
    tag: 'operations',
    summary: 'Progress of an operation',
    roles: OPERATION_ROLES,
    params: idParams,
    success: { status: 200, description: 'the progress of the operation', schema: operationSchema },
    handler: ({ auth, params }) => operations.get(auth, params.id),
  });
  route(router, {
    method: 'post',
    path: '/v1/operations/:id/actions',
    tag: 'operations',
    summary: 'Apply one case action to many cases of an operation (default: every open case of it)',
    roles: OPERATION_ROLES,
    params: idParams,
    body: bulkActionSchema,
    idempotency: 'replay',
    asSeenNow: (auth, stored: { operationId: string }) => bulk.asSeenNow(auth, stored),
    success: { status: 202, description: 'the bulk action, now running', schema: bulkActionAcceptedSchema },
    handler: ({ auth, params, body, idempotencyKey }) => bulk.start(auth, params.id, body as never, idempotencyKey),
  });
  route(router, {
    method: 'get',
    path: '/v1/operations/:id/actions/:bulkId',
    tag: 'operations',
    summary: 'Progress of a bulk action, with the cases that refused it (paged)',
    roles: OPERATION_ROLES,
    params: bulkParams,
    query: bulkStatusQuery,
    success: { status: 200, description: 'the progress of the bulk action and one page of the cases that refused it', schema: bulkActionStatusSchema },
    handler: ({ auth, params, query }) => bulk.get(auth, params.id, params.bulkId, query),
  });
  return router;
}
