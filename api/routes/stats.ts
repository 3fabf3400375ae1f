// /v1/stats: the supervisor's view of an office (or of every office, with an "*" token).
import { Router } from 'express';
import { z } from 'zod';
import { officeIdSchema } from '../../domain/schemas.js';
import { route } from '../http.js';
import type { StatsService } from '../services/stats.js';
import { statsSchema } from '../responses/stats.js';

export const statsQuery = z.strictObject({
  office: officeIdSchema.optional(),
});

export function statsRouter(stats: StatsService): Router {
  const router = Router();
  route(router, {
    method: 'get',
    path: '/v1/stats',
    tag: 'supervision',
    summary: 'Case and task statistics of an office',
    roles: ['supervisor'],
    query: statsQuery,
    success: {
      status: 200,
      description:
        'all cases by stage and status; open cases by priority and on hold; open or claimed tasks past due; ' +
        'median days open cases have spent in their stage; closed cases by reason',
      schema: statsSchema,
    },
    handler: ({ auth, query }) => stats.stats(auth, query),
  });
  return router;
}
