// What a bulk action did to each of its cases: pending (outcome null) until the case answered, then
// succeeded or failed with an docs/api.md error code and a message the activity writes itself from that
// code (never the case's own text), so these rows hold ids, codes and fixed phrases only.
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { bulkActions } from './bulk-actions.js';

export const bulkActionResults = pgTable(
  'bulk_action_results',
  {
    bulkId: uuid('bulk_id')
      .notNull()
      .references(() => bulkActions.id, { onDelete: 'cascade' }),
    caseId: uuid('case_id').notNull(),
    /** null (pending) | succeeded | failed */
    outcome: text('outcome'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    /** Batches in which the case gave no answer: after a few, it is recorded as failed (unavailable). */
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.bulkId, t.caseId] }),
    // The batches walk the pending cases; the status endpoint pages the failed ones.
    index('bulk_action_results_pending_idx').on(t.bulkId, t.caseId).where(sql`${t.outcome} is null`),
    index('bulk_action_results_failed_idx').on(t.bulkId, t.caseId).where(sql`${t.outcome} = 'failed'`),
  ],
);
