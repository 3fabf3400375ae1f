// Bulk actions on a raid: one row per POST /v1/operations/:id/actions. Only what the status endpoint
// shows: the action's type, never its fields (they can hold personal data; they travel in the bulk
// workflow's encrypted input and land, sealed, on each case's timeline).
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { operations } from './operations.js';

export const bulkActions = pgTable(
  'bulk_actions',
  {
    id: uuid('id').primaryKey(),
    operationId: uuid('operation_id')
      .notNull()
      .references(() => operations.id, { onDelete: 'cascade' }),
    /** The case action type (docs/api.md), e.g. book_return. */
    type: text('type').notNull(),
    /** running | completed | failed */
    status: text('status').notNull(),
    total: integer('total').notNull(),
    /** Who asked ({ sub, role }): the actor recorded on every case's timeline. */
    requestedBy: jsonb('requested_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('bulk_actions_operation_idx').on(t.operationId, t.createdAt)],
);
