// /v1/operations: a whole raid in one request, and its progress.
import { Router } from 'express';
import { operationCreateSchema } from '../../domain/schemas.js';
import { route } from '../http.js';
import { idParams } from '../schemas.js';
import type { createOperationService } from '../services/operations.js';

export function operationsRouter(operations: ReturnType<typeof createOperationService>): Router {
  const router = Router();
  route(router, {
    method: 'post',
    path: '/v1/operations',
    tag: 'operations',
    summary: 'Register a mass rescue operation (up to 10,000 persons)',
    roles: ['caseworker', 'supervisor'],
    body: operationCreateSchema,
    idempotency: 'replay',
    asSeenNow: (auth, stored: { id: string }) => operations.asSeenNow(auth, stored),
    success: { status: 202, description: '{ id, status: "running", total }' },
    handler: ({ auth, body, idempotencyKey }) => operations.create(auth, body, idempotencyKey),
  });
  route(router, {
    method: 'get',
    path: '/v1/operations/:id',
    tag: 'operations',
    summary: 'Progress of an operation',
    roles: ['caseworker', 'supervisor'],
    params: idParams,
    success: { status: 200, description: '{ id, status, total, opened, linkedExisting, merged, failed, pending, existingCases: [{ index, outcome, inScope, caseId | contactOffice }], possibleDuplicates: [{ index, caseId, possibleDuplicates }] }' },
    handler: ({ auth, params }) => operations.get(auth, params.id),
  });
  return router;
}
