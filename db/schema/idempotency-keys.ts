// Writes that carried an Idempotency-Key: per caller, the request's fingerprint and, for writes whose
// answer is replayed from here, that answer. Writes that are case updates keep no answer: the key
// becomes the update's id and Temporal hands back the first attempt's outcome.
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    subject: text('subject').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** Null while the first attempt runs, and for case updates. */
    statusCode: integer('status_code'),
    /** Sealed (db/at-rest.ts): an opened case's answer holds the person. */
    response: jsonb('response'),
    /** The case the stored answer is about, so erasing the person also reaches the answer. */
    caseId: uuid('case_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.key] }), index('idempotency_keys_case_idx').on(t.caseId).where(sql`${t.caseId} is not null`)],
);
