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
    closedByReason: counts(CLOSURE_REASONS),
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
      closedByReason: { reintegrated: 31, declined_assistance: 4, deceased: 0, duplicate: 2, not_a_national: 1, transferred: 1, lost_contact: 1 },
    },
  });
