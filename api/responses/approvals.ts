// What GET /v1/approvals and POST /v1/approvals/:id/decision answer, and a case's pendingApprovals.
import { z } from 'zod';
import { actorSchema, closureReasonSchema } from '../../domain/schemas.js';
import { page, timestamp, uuid } from './common.js';

const shape = {
  id: uuid,
  caseId: uuid,
  caseReference: z.string(),
  kind: z.enum(['closure', 'transfer']),
  reason: z.union([closureReasonSchema, z.literal('office_transfer')]).describe('the closure reason; office_transfer for a transfer'),
  comment: z.string().nullable(),
  requestedBy: actorSchema,
  status: z.enum(['pending', 'approved', 'rejected', 'cancelled']),
  dueAt: timestamp,
  escalationLevel: z.int().min(0).max(2),
  decidedBy: z.string().nullable(),
  decidedAt: timestamp.nullable(),
  decisionComment: z.string().nullable(),
  createdAt: timestamp,
  transfer: z
    .strictObject({ fromOffice: z.string(), toOffice: z.string() })
    .nullable()
    .describe("a transfer's offices (a supervisor of toOffice decides it); null for a closure"),
};

/** As a case shows its pending approvals. */
export const caseApprovalSchema = z.strictObject(shape).meta({ id: 'CaseApproval' });

// Invented people only.
const APPROVAL_EXAMPLE = {
  id: '7e3a9b10-2c4d-4e5f-8a6b-9c0d1e2f3a4b',
  caseId: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f',
  caseReference: 'HW-2026-000123',
  kind: 'closure',
  reason: 'reintegrated',
  comment: 'employed, stable housing',
  requestedBy: { sub: 'cw-ana', role: 'caseworker' },
  status: 'approved',
  dueAt: '2026-12-05T09:00:00.000Z',
  overdue: false,
  escalationLevel: 0,
  decidedBy: 'sup-ben',
  decidedAt: '2026-12-03T10:15:00.000Z',
  decisionComment: null,
  createdAt: '2026-12-02T09:00:00.000Z',
  transfer: null,
};

export const approvalSchema = z.strictObject({ ...shape, overdue: z.boolean() }).meta({
  id: 'Approval',
  example: APPROVAL_EXAMPLE,
});

export const approvalPageSchema = page(approvalSchema).meta({ id: 'ApprovalPage', example: { items: [APPROVAL_EXAMPLE], nextCursor: null } });
