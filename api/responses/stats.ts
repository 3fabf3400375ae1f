// What GET /v1/stats answers (definitions in api/services/stats.ts): every key is always present.
import { z } from 'zod';
import { CLOSURE_REASONS, PRIORITIES, STAGES } from '../../domain/schemas.js';

const counts = <K extends string>(keys: readonly K[]) => z.strictObject(Object.fromEntries(keys.map((k) => [k, z.int().min(0)])) as Record<K, z.ZodInt>);
const openStages = STAGES.filter((s) => s !== 'closed');

export const statsSchema = z
  .strictObject({
    byStage: counts(STAGES).describe('every case by its current stage (closed ones under `closed`)'),
    byStatus: counts(['open', 'closed'] as const),
    byPriority: counts(PRIORITIES).describe('open cases'),
    onHold: z.int().min(0).describe('open cases on hold'),
    overdueTasks: z.int().min(0).describe('open or claimed tasks of the office past their due time'),
    medianDaysInStage: z
      .strictObject(Object.fromEntries(openStages.map((s) => [s, z.number().nullable()])) as Record<(typeof openStages)[number], z.ZodNullable<z.ZodNumber>>)
      .describe('per working stage, the median days its open cases have spent there so far; null when empty'),
    overdueRate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe('overdueTasks divided by the open or claimed tasks of the office (whether due or not), to 4 decimals; null when it has none'),
    medianDaysToReturn: z
      .number()
      .min(0)
      .nullable()
      .describe(
        'median whole days from opening a case to the person\'s arrival home, over every case that has arrived (open or closed); ' +
          'the mean of the two middle values when their number is even; null when no case has arrived',
      ),
    closedByReason: counts(CLOSURE_REASONS),
    byMonth: z
      .array(
        z.strictObject({
          month: z.string().regex(/^\d{4}-\d{2}$/).describe('UTC month, YYYY-MM'),
          opened: z.int().min(0).describe('cases opened in the month'),
          returned: z.int().min(0).describe('persons who arrived home in the month (the arrival date recorded)'),
          closed: z.int().min(0).describe('cases closed in the month'),
        }),
      )
      .describe('one entry per month from `from` to `to` (default: the last 12 months, this one included), oldest first'),
  })
  .meta({
    id: 'Stats',
    example: {
      byStage: { locating: 12, extraction: 4, consular_contact: 9, return: 3, exit_restriction_check: 2, employment_assistance: 15, closed: 40 },
      byStatus: { open: 45, closed: 40 },
      byPriority: { critical: 2, high: 11, normal: 30, low: 2 },
      onHold: 1,
      overdueTasks: 3,
      medianDaysInStage: { locating: 21.5, extraction: 6.25, consular_contact: 3.1, return: 1.75, exit_restriction_check: 4, employment_assistance: 64.2 },
      overdueRate: 0.0417,
      medianDaysToReturn: 38,
      closedByReason: { reintegrated: 31, declined_assistance: 4, deceased: 0, duplicate: 2, not_a_national: 1, transferred: 1, lost_contact: 1 },
      byMonth: [
        { month: '2026-10', opened: 14, returned: 5, closed: 6 },
        { month: '2026-11', opened: 9, returned: 3, closed: 4 },
      ],
    },
  });
