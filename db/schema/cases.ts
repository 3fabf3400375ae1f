// The read model of cases: one row per case, written by the case workflow's persist activity.
// Filterable facts are columns (indexed for the supervisor's lists); the full view is `snapshot`,
// sealed (db/at-rest.ts) because it holds the person. Retention: a closed case's personal data is
// anonymised once `retain_until` has passed, unless an admin has set a legal hold.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgSequence, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
    // The consent in force, kept as columns so the inboxes decide at read time what an agency may
    // still read of every task it was ever sent (api/services/tasks.ts, domain agencyRedaction).
    consularNotification: text('consular_notification', { enum: ['unknown', 'granted', 'refused'] }).notNull().default('unknown'),
    dataSharing: text('data_sharing', { enum: ['unknown', 'granted', 'withdrawn'] }).notNull().default('unknown'),
    sourceType: text('source_type').notNull(),
    operationId: uuid('operation_id'),
    closureReason: text('closure_reason'),
    nextDeadlineAt: timestamp('next_deadline_at', { withTimezone: true }),
    nextDeadlineKind: text('next_deadline_kind'),
    /** The case view, sealed (db/at-rest.ts): nothing queries inside it. */
    snapshot: jsonb('snapshot').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    stageEnteredAt: timestamp('stage_entered_at', { withTimezone: true }).notNull(),
    /** Closure + HOMEWARD_RETENTION_DAYS (scaled): when the retention sweep anonymises the case. */
    retainUntil: timestamp('retain_until', { withTimezone: true }),
    /** Set by an admin: the case is kept whole past its retention until the hold is cleared. */
    legalHold: boolean('legal_hold').notNull().default(false),
    /** Sealed. */
    legalHoldReason: text('legal_hold_reason'),
    legalHoldBy: text('legal_hold_by'),
    legalHoldAt: timestamp('legal_hold_at', { withTimezone: true }),
    /** When the person's data was replaced (retention or erasure); the case's facts and counts remain. */
    anonymisedAt: timestamp('anonymised_at', { withTimezone: true }),
    anonymisedReason: text('anonymised_reason', { enum: ['retention', 'erasure'] }),
    /** A reopened case: the closed case of the same person it follows (POST /v1/cases/:id/reopen). */
    previousCaseId: uuid('previous_case_id'),
  },
  (t) => [
    index('cases_office_created_idx').on(t.office, t.createdAt, t.id),
    index('cases_created_idx').on(t.createdAt, t.id),
    index('cases_stage_created_idx').on(t.stage, t.createdAt, t.id),
    index('cases_priority_created_idx').on(t.priorityRank, t.createdAt, t.id),
    index('cases_consulate_created_idx').on(t.consulateId, t.createdAt, t.id),
    index('cases_assignee_idx').on(t.assignee),
    index('cases_operation_idx').on(t.operationId).where(sql`${t.operationId} is not null`),
    // The lists at a million cases, newest first with the keyset (created_at, id): an office's cases
    // by stage, by priority, on hold (few: a small partial index).
    index('cases_office_stage_created_idx').on(t.office, t.stage, t.createdAt, t.id),
    index('cases_office_priority_created_idx').on(t.office, t.priority, t.createdAt, t.id),
    index('cases_office_held_created_idx').on(t.office, t.createdAt, t.id).where(sql`${t.onHold}`),
    // Open cases newest first, of an office and of all offices. `overdue=true` (and priority, stage)
    // are checked on the index entries as the scan walks them, so only matching rows are fetched,
    // however rare or common overdue cases are. (These replace a plain next_deadline_at index, which
    // the planner preferred for bitmap scans that fetched every overdue case of every office.)
    index('cases_open_office_created_idx')
      .on(t.office, t.createdAt, t.id, t.nextDeadlineAt, t.priority, t.stage)
      .where(sql`${t.status} = 'open'`),
    index('cases_open_created_idx').on(t.createdAt, t.id, t.nextDeadlineAt, t.priority, t.stage).where(sql`${t.status} = 'open'`),
    // GET /v1/stats, index-only: open cases of an office counted by stage, priority and hold, and the
    // median time in stage read off the index order (the middle entry of each (office, stage) run);
    // the second one is that order across all offices, for a supervisor whose token says "*".
    index('cases_open_stage_idx').on(t.office, t.stage, t.stageEnteredAt, t.priority, t.onHold).where(sql`${t.status} = 'open'`),
    index('cases_open_stage_entered_idx').on(t.stage, t.stageEnteredAt).where(sql`${t.status} = 'open'`),
    // Closed cases of an office by reason, for GET /v1/stats, index-only.
    index('cases_closed_reason_idx').on(t.office, t.closureReason).where(sql`${t.status} = 'closed'`),
    // A closed case is reopened once (then its successor is, if need be): the database holds to it under races.
    uniqueIndex('cases_previous_case_unique').on(t.previousCaseId).where(sql`${t.previousCaseId} is not null`),
    // The retention sweep: closed cases still holding personal data, oldest due first.
    index('cases_retention_due_idx')
      .on(t.retainUntil)
      .where(sql`${t.status} = 'closed' and ${t.anonymisedAt} is null and not ${t.legalHold}`),
  ],
);
