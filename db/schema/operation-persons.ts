// The persons of an operation, one row each, with what became of them. The operation workflow
// carries only the operation id (10,000 persons would not fit in a Temporal payload); activities
// read these rows in batches. `case_id` is derived from (operation, index), so a retried batch
// finds the case it already opened instead of opening another.
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { operations } from './operations.js';

export const operationPersons = pgTable(
  'operation_persons',
  {
    operationId: uuid('operation_id')
      .notNull()
      .references(() => operations.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    // Sealed (db/at-rest.ts): the person as registered, their risk flags and whereabouts.
    person: jsonb('person').notNull(),
    riskFlags: jsonb('risk_flags').notNull(),
    location: jsonb('location'),
    /** An earlier person of the same request with the same identity document. */
    duplicateOf: integer('duplicate_of'),
    /** opened | linked (an open case already existed) | merged (same document earlier in the request) | failed */
    outcome: text('outcome'),
    caseId: uuid('case_id'),
    error: text('error'),
  },
  (t) => [
    primaryKey({ columns: [t.operationId, t.idx] }),
    index('operation_persons_pending_idx').on(t.operationId, t.idx).where(sql`${t.outcome} is null`),
  ],
);
