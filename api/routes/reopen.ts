// POST /v1/cases/:id/reopen: a supervisor of the case's office gives a person a new case linked to
// their closed one (api/services/reopen.ts has the rules).
import { Router } from 'express';
import { reopenCaseSchema } from '../../domain/schemas.js';
import { Reply, route } from '../http.js';
import { idParams } from '../schemas.js';
import { caseViewSchema } from '../responses/cases.js';
import { requestFingerprint } from '../idempotency.js';
import type { ReopenService } from '../services/reopen.js';

export function reopenRouter(reopening: ReopenService): Router {
  const router = Router();
  route(router, {
    method: 'post',
    path: '/v1/cases/:id/reopen',
    tag: 'cases',
    summary: 'Reopen a closed case: a new case for the same person, linked to it',
    roles: ['supervisor'],
    params: idParams,
    body: reopenCaseSchema,
    // The answer is stored in the new case's own transaction (services/reopen.ts).
    idempotency: 'custom',
    success: {
      status: 201,
      schema: caseViewSchema,
      description:
        'the new case (stage locating), with previousCaseId; the closed case then shows reopenedAs. 409 invalid_transition for an open case, 409 conflict when it was reopened already',
    },
    access: { what: 'case', caseIds: (b: { id: string }) => [b.id] },
    handler: async ({ auth, params, body, req, res, idempotencyKey }) => {
      const out = await reopening.reopen(auth, params.id, body.reason, requestFingerprint(req), idempotencyKey);
      res.setHeader('ETag', `"${(out.body as { version: number }).version}"`);
      return new Reply(out.status, out.body);
    },
  });
  return router;
}
