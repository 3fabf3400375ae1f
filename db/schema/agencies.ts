// Agencies that receive workflow tasks: consulates, the immigration authority, employment services.
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const agencies = pgTable('agencies', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['consulate', 'immigration', 'employment_service'] }).notNull(),
  name: text('name').notNull(),
  country: text('country'),
  city: text('city'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
