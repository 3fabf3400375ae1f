// What the maintained statistics (stats_counters) count of each case: its facts as last counted. A
// write of a case row compares the case's new facts with this row (locked) and adds only the
// difference to the counters, so a retried or repeated write adds nothing, and the counters are
// always the sum over these rows. No foreign key: a case row is deleted only through
// db/stats-counters.ts, which takes its facts out of the counters first.
import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const statsCaseFacts = pgTable('stats_case_facts', {
  caseId: uuid('case_id').primaryKey(),
  office: text('office').notNull(),
  status: text('status').notNull(),
  stage: text('stage').notNull(),
  priority: text('priority').notNull(),
  onHold: boolean('on_hold').notNull(),
  closureReason: text('closure_reason'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  stageEnteredAt: timestamp('stage_entered_at', { withTimezone: true }).notNull(),
  /** Arrival home (the return trip's arrivedAt). */
  returnedAt: timestamp('returned_at', { withTimezone: true }),
  closedAt: timestamp('closed_at', { withTimezone: true }),
});
