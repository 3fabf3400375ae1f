// The inboxes: tasks the case workflows send to agencies, supervisors and caseworkers (named
// `agency_tasks` until migration 0012; sealed values keep that name, db/at-rest.ts). Created and
// closed by the workflow (guarded by `rev`); claimed and unclaimed here directly by the API.
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { cases } from './cases.js';

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    caseReference: text('case_reference').notNull(),
    office: text('office').notNull(),
    agencyId: text('agency_id'),
    audience: text('audience').notNull(),
    type: text('type').notNull(),
    status: text('status').notNull(),
    priority: text('priority').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    escalationLevel: smallint('escalation_level').notNull().default(0),
    claimedBy: text('claimed_by'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    // Sealed (db/at-rest.ts openTaskRow): need-to-know case fields, results and reasons name the person.
    input: jsonb('input').notNull(),
    result: jsonb('result'),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    rev: integer('rev').notNull(),
  },
  (t) => [
    index('tasks_agency_idx').on(t.agencyId, t.status, t.dueAt),
    index('tasks_office_idx').on(t.office, t.status, t.dueAt),
    index('tasks_case_idx').on(t.caseId),
    index('tasks_open_due_idx').on(t.dueAt).where(sql`${t.status} in ('open', 'claimed')`),
    // GET /v1/stats of one office: its open tasks and the overdue ones, counted index-only.
    index('tasks_open_office_due_idx').on(t.office, t.dueAt).where(sql`${t.status} in ('open', 'claimed')`),
  ],
);
