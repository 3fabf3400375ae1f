// Supervisor approvals (closures, transfers between offices), written by the case workflow; decisions
// go back through it. `office` is the case's office; a transfer is also listed for, and decided by,
// its receiving office (`transfer_to`).
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { cases } from './cases.js';

export const approvals = pgTable(
  'approvals',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    caseReference: text('case_reference').notNull(),
    office: text('office').notNull(),
    kind: text('kind').notNull(),
    reason: text('reason').notNull(),
    /** Sealed, as is decision_comment (db/at-rest.ts): free text. */
    comment: text('comment'),
    requestedBy: jsonb('requested_by').notNull(),
    status: text('status').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    escalationLevel: smallint('escalation_level').notNull().default(0),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionComment: text('decision_comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    rev: integer('rev').notNull(),
    /** Transfers only: the office that asked, and the office whose supervisors decide (plain, like `office`). */
    transferFrom: text('transfer_from'),
    transferTo: text('transfer_to'),
  },
  (t) => [
    index('approvals_office_status_idx').on(t.office, t.status, t.dueAt),
    index('approvals_case_idx').on(t.caseId),
    index('approvals_transfer_to_idx').on(t.transferTo, t.status, t.dueAt).where(sql`${t.transferTo} is not null`),
  ],
);
