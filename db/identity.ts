// Keyed hashes of identity document numbers: duplicates and searches match on these, so the
// numbers themselves are never indexed or compared in clear. The same keys hash the name, date of
// birth and nationality that possible duplicates are matched on (person_match_keys). Each hash is stored with the id of the
// key that made it (identity_documents.hash_key_id); new documents are hashed under the active key,
// lookups try every configured key, and `npm run keys:rotate` rehashes old rows from the (encrypted)
// case snapshot, after which the old key can be removed.
import { createHmac } from 'node:crypto';
import type { HashKey } from '../config/index.js';
import type { IdentityDocument } from '../domain/schemas.js';
import { normaliseDocumentNumber } from '../domain/person-match.js';

type Doc = Pick<IdentityDocument, 'number' | 'issuingCountry'>;

export interface IdentityHasher {
  /** The key new hashes are made with. */
  readonly activeKeyId: string;
  /** Under the active key. */
  documentHash(doc: Doc): string;
  numberHash(number: string): string;
  /** Under every configured key: what a lookup must match during a key rotation. */
  documentHashes(doc: Doc): string[];
  numberHashes(number: string): string[];
  /** A possible-duplicate key (domain/person-match.ts: normalised name, date of birth, nationality), under the active key. */
  matchHash(material: string): string;
  /** The same under every configured key. */
  matchHashes(material: string): string[];
}

// One normalisation for the domain's own checks and for the hashes.
export { normaliseDocumentNumber };

/**
 * From the configuration's keys (`identityHashKeys`, `activeIdentityHashKeyId`), or from one bare
 * secret (tests and scripts of a single key).
 */
export function createIdentityHasher(config: string | { identityHashKeys: HashKey[]; activeIdentityHashKeyId: string }): IdentityHasher {
  const keys = typeof config === 'string' ? [{ id: 'default', key: config }] : config.identityHashKeys;
  const activeKeyId = typeof config === 'string' ? 'default' : config.activeIdentityHashKeyId;
  const active = keys.find((k) => k.id === activeKeyId);
  if (!active) throw new Error(`identity hash key ${activeKeyId} is not configured`);
  const hmac = (key: string, value: string) => createHmac('sha256', key).update(value).digest('base64url');
  const doc = (d: Doc) => `doc:${d.issuingCountry.toUpperCase()}:${normaliseDocumentNumber(d.number)}`;
  const num = (n: string) => `num:${normaliseDocumentNumber(n)}`;
  return {
    activeKeyId,
    documentHash: (d) => hmac(active.key, doc(d)),
    numberHash: (n) => hmac(active.key, num(n)),
    documentHashes: (d) => keys.map((k) => hmac(k.key, doc(d))),
    numberHashes: (n) => keys.map((k) => hmac(k.key, num(n))),
    // The material already names what it is ("person:name:…"), so it never equals a document's.
    matchHash: (m) => hmac(active.key, m),
    matchHashes: (m) => keys.map((k) => hmac(k.key, m)),
  };
}
