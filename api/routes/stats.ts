// /v1/stats: the supervisor's view of an office (or of every office, with an "*" token).
import { Router } from 'express';
import { z } from 'zod';
import { officeIdSchema } from '../../domain/schemas.js';
import { route } from '../http.js';
import type { StatsService } from '../services/stats.js';
import { statsSchema } from '../responses/stats.js';

const MAX_MONTHS = 120;
const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM')
  .meta({ example: '2026-01' });
const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7));

export const statsQuery = z
  .strictObject({
    office: officeIdSchema.optional(),
    from: month.optional().describe('first month of `byMonth` (UTC); default: 11 months before `to`'),
    to: month.optional().describe('last month of `byMonth` (UTC); default: the current month'),
  })
  .superRefine((q, ctx) => {
    // Both ends given or implied: `to` defaults to this month, `from` to 11 months before `to`.
    const to = q.to ?? new Date().toISOString().slice(0, 7);
    if (q.from === undefined) return;
    if (monthIndex(q.from) > monthIndex(to)) ctx.addIssue({ code: 'custom', path: ['from'], message: `from must not be after to (${to})` });
    else if (monthIndex(to) - monthIndex(q.from) >= MAX_MONTHS) ctx.addIssue({ code: 'custom', path: ['from'], message: `at most ${MAX_MONTHS} months` });
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
        'all cases by stage and status; open cases by priority and on hold; open or claimed tasks past due and their ' +
        'share of open tasks; median days open cases have spent in their stage and from opening to arrival home; ' +
        'closed cases by reason; cases opened, returned and closed per month',
      schema: statsSchema,
    },
    handler: ({ auth, query }) => stats.stats(auth, query),
  });
  return router;
}
