// /v1/cases/:id/retention, /legal-hold, /erase: retention and erasure of a person's data (admins).
import { Router } from 'express';
import { eraseSchema, legalHoldSchema } from '../../domain/schemas.js';
import { route } from '../http.js';
import { idParams } from '../schemas.js';
import type { RetentionService } from '../services/retention.js';
import { retentionSchema } from '../responses/retention.js';

const ADMIN = ['admin'] as const;
const OUT = { status: 200, description: 'the retention status of the case', schema: retentionSchema };

export function retentionRouter(retention: RetentionService): Router {
  const router = Router();
  route(router, {
    method: 'get',
    path: '/v1/cases/:id/retention',
    tag: 'retention',
    summary: 'When a case is due for anonymisation, its legal hold, and whether it was anonymised',
    roles: ADMIN,
    params: idParams,
    success: OUT,
    handler: ({ auth, params }) => retention.get(auth, params.id),
  });
  route(router, {
    method: 'post',
    path: '/v1/cases/:id/legal-hold',
    tag: 'retention',
    summary: 'Set or clear a legal hold on a closed case (a held case is not anonymised when its retention ends)',
    roles: ADMIN,
    params: idParams,
    body: legalHoldSchema,
    idempotency: 'replay',
    success: OUT,
    errors: ['conflict'],
    handler: ({ auth, params, body }) => retention.setLegalHold(auth, params.id, body.hold, body.reason),
  });
  route(router, {
    method: 'post',
    path: '/v1/cases/:id/erase',
    tag: 'retention',
    summary: "Erase a closed case's person on request: personal fields replaced, document hashes removed, a tombstone in the timeline; statistics unchanged",
    roles: ADMIN,
    params: idParams,
    body: eraseSchema,
    idempotency: 'replay',
    success: OUT,
    errors: ['conflict'],
    handler: ({ auth, params, body }) => retention.erase(auth, params.id, body.reason),
  });
  return router;
}
