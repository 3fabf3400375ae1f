// Identity documents of open and closed cases, by keyed hash only: the number itself never leaves the
// (sealed) case snapshot. Erasure and retention delete a case's rows. The partial unique index makes "one open case per document" hold under races.
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
    // The identity-hash key both hashes were made with; rows of earlier releases were made with the
    // single HOMEWARD_IDENTITY_HASH_KEY, whose id is "default".
    hashKeyId: text('hash_key_id').notNull().default('default'),
    open: boolean('open').notNull().default(true),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.documentHash] }),
    uniqueIndex('identity_documents_open_unique').on(t.documentHash).where(sql`${t.open}`),
    index('identity_documents_number_idx').on(t.numberHash),
  ],
);
