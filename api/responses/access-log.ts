// What GET /v1/cases/:id/access-log answers: who read a case's data, oldest first.
import { z } from 'zod';
import { ACCESS_WHAT } from '../../db/schema/access-log.js';
import { ROLES } from '../middleware/auth.js';
import { page, timestamp } from './common.js';

export const accessLogEntrySchema = z
  .strictObject({
    at: timestamp,
    sub: z.string(),
    role: z.enum(ROLES),
    office: z.string().optional(),
    agency: z.string().optional(),
    what: z.enum(ACCESS_WHAT),
    requestId: z.string().describe("the X-Request-Id of the read, to find it in the API's logs"),
  })
  .meta({ id: 'AccessLogEntry' });

export const accessLogPageSchema = page(accessLogEntrySchema).meta({
  id: 'AccessLogPage',
  example: {
    items: [
      { at: '2026-11-20T03:01:00.000Z', sub: 'cw-ana', role: 'caseworker', office: 'manila', what: 'case', requestId: 'b1f0c9a2-1d2e-4f3a-9b8c-7d6e5f4a3b2c' },
      { at: '2026-11-21T08:29:00.000Z', sub: 'consul-chen', role: 'agency_officer', agency: 'ph-consulate-bkk', what: 'task', requestId: 'e3d2c1b0-4a5b-4c6d-8e7f-9a0b1c2d3e4f' },
    ],
    nextCursor: null,
  },
});
