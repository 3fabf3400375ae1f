// What the retention endpoints answer (GET /v1/cases/:id/retention, POST legal-hold and erase).
import { z } from 'zod';
import { timestamp, uuid } from './common.js';

export const retentionSchema = z
  .strictObject({
    caseId: uuid,
    reference: z.string(),
    status: z.enum(['open', 'closed']),
    retainUntil: timestamp.nullable().describe('when a closed case is due for anonymisation; null while open'),
    legalHold: z.boolean(),
    legalHoldReason: z.string().nullable(),
    legalHoldChangedBy: z.string().nullable(),
    legalHoldChangedAt: timestamp.nullable(),
    anonymisedAt: timestamp.nullable(),
    anonymisedReason: z.enum(['retention', 'erasure']).nullable(),
  })
  .meta({
    id: 'Retention',
    example: {
      caseId: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f',
      reference: 'HW-2026-000123',
      status: 'closed',
      retainUntil: '2031-12-03T10:15:00.000Z',
      legalHold: true,
      legalHoldReason: 'court order 2027-CV-0113',
      legalHoldChangedBy: 'root',
      legalHoldChangedAt: '2027-02-01T09:00:00.000Z',
      anonymisedAt: null,
      anonymisedReason: null,
    },
  });
