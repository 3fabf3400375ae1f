// /v1/cases/:id/access-log: who read whose data (docs/api.md "Access log").
import { Router } from 'express';
import { route } from '../http.js';
import { idParams, timelineQuery } from '../schemas.js';
import type { AccessLogService } from '../services/access-log.js';
import { accessLogPageSchema } from '../responses/access-log.js';

export function accessLogRouter(log: AccessLogService): Router {
  const router = Router();
  route(router, {
    method: 'get',
    path: '/v1/cases/:id/access-log',
    tag: 'cases',
    summary: "Who read this case's data (append-only)",
    roles: ['supervisor', 'admin'],
    params: idParams,
    query: timelineQuery,
    success: { status: 200, description: 'a page of reads, oldest first', schema: accessLogPageSchema },
    handler: ({ auth, params, query }) => log.list(auth, params.id, query.limit, query.cursor),
  });
  return router;
}
