// What GET and POST /v1/agencies answer.
import { z } from 'zod';
import { AGENCY_KINDS } from '../../domain/schemas.js';
import { timestamp } from './common.js';

const AGENCY_EXAMPLE = { id: 'ph-consulate-bkk', kind: 'consulate', name: 'Consulate in Bangkok', country: 'TH', city: 'Bangkok', createdAt: '2026-01-05T09:00:00.000Z' };

export const agencySchema = z
  .strictObject({
    id: z.string(),
    kind: z.enum(AGENCY_KINDS),
    name: z.string(),
    country: z.string().nullable(),
    city: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Agency', example: AGENCY_EXAMPLE });

export const agencyListSchema = z.strictObject({ items: z.array(agencySchema) }).meta({
  id: 'AgencyList',
  example: { items: [AGENCY_EXAMPLE, { id: 'immigration', kind: 'immigration', name: 'Immigration authority', country: null, city: null, createdAt: '2026-01-05T09:00:00.000Z' }] },
});
