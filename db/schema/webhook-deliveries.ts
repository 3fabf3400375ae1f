// The webhook outbox and its delivery log in one table: a row is written in the transaction of the
// case step it announces (activities/notifications.ts), so nothing accepted is lost, and the
// subscription's dispatcher workflow delivers rows in id order. `dedupe_key` makes a retried step
// enqueue nothing twice. The payload is sealed and dropped once the row is settled, so the log
// keeps no person's data (and no response body is ever stored).
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { webhooks } from './webhooks.js';

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    /** What the event is about, e.g. `task.created:<taskId>`: one delivery per subscription and fact. */
    dedupeKey: text('dedupe_key').notNull(),
    event: text('event').notNull(),
    caseId: uuid('case_id').notNull(),
    /** Sealed (aad.webhookPayload) while pending; null once delivered, failed or cancelled. */
    payload: jsonb('payload'),
    /** pending | delivered | failed | cancelled */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    /** Why the last attempt failed, in our words (never the receiver's body). */
    lastError: text('last_error'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** When it was settled: delivered, failed for good, or cancelled with its subscription. */
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_dedupe_idx').on(t.webhookId, t.dedupeKey),
    index('webhook_deliveries_webhook_idx').on(t.webhookId, t.status, t.id),
  ],
);
