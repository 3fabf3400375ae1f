// /v1/approvals: the supervisor's decisions.
import { Router } from 'express';
import { approvalDecisionSchema } from '../../domain/schemas.js';
import { route } from '../http.js';
import { idParams, listApprovalsQuery } from '../schemas.js';
import type { createApprovalService } from '../services/approvals.js';
import { approvalPageSchema, approvalSchema } from '../responses/approvals.js';

export function approvalsRouter(approvals: ReturnType<typeof createApprovalService>): Router {
  const router = Router();
  route(router, {
    method: 'get',
    path: '/v1/approvals',
    tag: 'approvals',
    summary: 'Approvals of the office',
    roles: ['supervisor'],
    query: listApprovalsQuery,
    success: { status: 200, description: 'a page of approvals, soonest due first', schema: approvalPageSchema },
    handler: ({ auth, query }) => approvals.list(auth, query),
  });
  route(router, {
    method: 'post',
    path: '/v1/approvals/:id/decision',
    tag: 'approvals',
    summary: 'Approve or reject',
    roles: ['supervisor'],
    params: idParams,
    body: approvalDecisionSchema,
    idempotency: 'join',
    success: { status: 200, description: 'the decided approval', schema: approvalSchema },
    errors: ['conflict'],
    handler: ({ auth, params, body, updateId }) => approvals.decide(auth, params.id, body.decision, body.comment, updateId),
  });
  return router;
}
