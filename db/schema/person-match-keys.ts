// Possible duplicates without documents: keyed hashes (db/identity.ts) of a person's normalised name,
// date of birth and nationality (domain/person-match.ts decides the strings), one row per key. Never
// the name itself. Cases sharing a key are shown to each other as `possibleDuplicates`, never merged.
// Rewritten whenever the person's name, date of birth or nationalities change; deleted with the case
// and when it is anonymised.
import { boolean, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { cases } from './cases.js';

export const personMatchKeys = pgTable(
  'person_match_keys',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    keyHash: text('key_hash').notNull(),
    /** name_dob_nationality | name_dob | name_nationality: what the key is made of, so a match says what matched. */
    kind: text('kind', { enum: ['name_dob_nationality', 'name_dob', 'name_nationality'] }).notNull(),
    /** name | native_name: the Latin-script name or the name in the person's own script. */
    nameForm: text('name_form', { enum: ['name', 'native_name'] }).notNull(),
    /** Whether the date of birth is known: two records that both know it are not matched on name and nationality alone. */
    dobKnown: boolean('dob_known').notNull(),
    /** The identity-hash key the hash was made with (rotated by `npm run keys:rotate`). */
    hashKeyId: text('hash_key_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.keyHash] }), index('person_match_keys_hash_idx').on(t.keyHash)],
);
