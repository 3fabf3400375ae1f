// /v1/agencies: consulates, the immigration authority, employment services.
import { Router } from 'express';
import { agencyCreateSchema } from '../../domain/schemas.js';
import { route } from '../http.js';
import type { createAgencyService } from '../services/agencies.js';
import { agencyListSchema, agencySchema } from '../responses/agencies.js';

export function agenciesRouter(agencies: ReturnType<typeof createAgencyService>): Router {
  const router = Router();
  route(router, {
    method: 'get',
    path: '/v1/agencies',
    tag: 'agencies',
    summary: 'All agencies',
    roles: ['caseworker', 'agency_officer', 'supervisor', 'admin'],
    success: { status: 200, description: 'every agency', schema: agencyListSchema },
    handler: () => agencies.list(),
  });
  route(router, {
    method: 'post',
    path: '/v1/agencies',
    tag: 'agencies',
    summary: 'Add an agency',
    roles: ['admin'],
    body: agencyCreateSchema,
    success: { status: 201, description: 'the agency', schema: agencySchema },
    errors: ['conflict'],
    handler: ({ body }) => agencies.create(body),
  });
  return router;
}
