// The read model of cases: one row per case, written by the case workflow's persist activity.
// Filterable facts are columns (indexed for the supervisor's lists); the full view is `snapshot`.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgSequence, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Human-readable references (HW-2026-000123) need a gap-tolerant, race-free counter.
export const caseReferenceSeq = pgSequence('case_reference_seq', { startWith: 1 });

export const cases = pgTable(
  'cases',
  {
    id: uuid('id').primaryKey(),
    reference: text('reference').notNull().unique(),
    status: text('status').notNull(),
    stage: text('stage').notNull(),
    onHold: boolean('on_hold').notNull().default(false),
    priority: text('priority').notNull(),
    // critical=0 … low=3, so "most urgent first" is a plain index order.
    priorityRank: smallint('priority_rank').notNull(),
    version: integer('version').notNull(),
    office: text('office').notNull(),
    assignee: text('assignee'),
    consulateId: text('consulate_id').notNull(),
    nationality: text('nationality').notNull(),
    country: text('country'),
    screening: text('screening').notNull(),
    sourceType: text('source_type').notNull(),
    operationId: uuid('operation_id'),
    closureReason: text('closure_reason'),
    nextDeadlineAt: timestamp('next_deadline_at', { withTimezone: true }),
    nextDeadlineKind: text('next_deadline_kind'),
    snapshot: jsonb('snapshot').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    stageEnteredAt: timestamp('stage_entered_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('cases_office_created_idx').on(t.office, t.createdAt, t.id),
    index('cases_created_idx').on(t.createdAt, t.id),
    index('cases_stage_created_idx').on(t.stage, t.createdAt, t.id),
    index('cases_priority_created_idx').on(t.priorityRank, t.createdAt, t.id),
    index('cases_consulate_created_idx').on(t.consulateId, t.createdAt, t.id),
    index('cases_assignee_idx').on(t.assignee),
    index('cases_operation_idx').on(t.operationId).where(sql`${t.operationId} is not null`),
    index('cases_deadline_idx').on(t.nextDeadlineAt).where(sql`${t.status} = 'open'`),
  ],
);
