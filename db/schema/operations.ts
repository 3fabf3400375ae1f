// Mass rescue operations: one row per raid registered with POST /v1/operations.
import { index, pgTable, text, timestamp, uuid, integer, jsonb } from 'drizzle-orm/pg-core';

export const operations = pgTable(
  'operations',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    country: text('country').notNull(),
    site: text('site'),
    date: text('date').notNull(),
    consulateId: text('consulate_id').notNull(),
    office: text('office').notNull(),
    status: text('status').notNull(),
    total: integer('total').notNull(),
    createdBy: jsonb('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('operations_office_idx').on(t.office, t.createdAt)],
);
