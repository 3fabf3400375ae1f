// Identity documents of open and closed cases, by keyed hash only: the number itself never leaves the
// case snapshot. The partial unique index makes "one open case per document" hold under races.
import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cases } from './cases.js';

export const identityDocuments = pgTable(
  'identity_documents',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    // HMAC of issuing country + number: what makes two documents the same document.
    documentHash: text('document_hash').notNull(),
    // HMAC of the number alone: what a caseworker can search by (`q`).
    numberHash: text('number_hash').notNull(),
    open: boolean('open').notNull().default(true),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.documentHash] }),
    uniqueIndex('identity_documents_open_unique').on(t.documentHash).where(sql`${t.open}`),
    index('identity_documents_number_idx').on(t.numberHash),
  ],
);
