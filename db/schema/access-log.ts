// Who read whose data: one row per case for every response that carried a person's data (docs/api.md
// "Access log"). Append-only: triggers (migrations/0007_access_log_append_only.sql) refuse UPDATE,
// DELETE and TRUNCATE. No foreign key to cases on purpose: the record of a read outlives anything
// done to the case.
import { bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const ACCESS_WHAT = ['case', 'timeline', 'task', 'export', 'operation'] as const;
export type AccessWhat = (typeof ACCESS_WHAT)[number];

export const accessLog = pgTable(
  'access_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    sub: text('sub').notNull(),
    role: text('role').notNull(),
    office: text('office'),
    agency: text('agency'),
    caseId: uuid('case_id').notNull(),
    what: text('what', { enum: ACCESS_WHAT }).notNull(),
    requestId: text('request_id').notNull(),
  },
  (t) => [index('access_log_case_idx').on(t.caseId, t.id)],
);
