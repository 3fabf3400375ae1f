// Webhook subscriptions (API.md "Notifications"): an agency's, for its own tasks, or an office's,
// for its own cases (exactly one of agency_id and office). The secret signs every delivery, so it
// must be readable by the worker: it is sealed (db/at-rest.ts), never hashed, and never answered.
import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const webhooks = pgTable(
  'webhooks',
  {
    id: uuid('id').primaryKey(),
    url: text('url').notNull(),
    /** The event names subscribed to (domain/webhooks.ts WEBHOOK_EVENTS). */
    events: text('events').array().notNull(),
    /** Sealed (aad.webhookSecret). */
    secret: text('secret').notNull(),
    agencyId: text('agency_id'),
    office: text('office'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set by DELETE: nothing more is enqueued or delivered; the row stays for its delivery log. */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('webhooks_agency_idx').on(t.agencyId).where(sql`${t.deletedAt} is null`),
    index('webhooks_office_idx').on(t.office).where(sql`${t.deletedAt} is null`),
  ],
);
