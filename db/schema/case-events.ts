// The case timeline, appended by each step. `seq` is assigned by the workflow, so a retried write
// changes nothing (and a step Temporal never recorded is replaced: activities/cases.ts).
import { jsonb, pgTable, primaryKey, text, timestamp, uuid, integer } from 'drizzle-orm/pg-core';
import { cases } from './cases.js';

export const caseEvents = pgTable(
  'case_events',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    type: text('type').notNull(),
    actorSub: text('actor_sub').notNull(),
    actorRole: text('actor_role').notNull(),
    stage: text('stage').notNull(),
    /** Sealed (db/at-rest.ts): notes and step details. */
    data: jsonb('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.seq] })],
);
