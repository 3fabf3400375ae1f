// Keyed hashes of identity document numbers: duplicates and searches match on these, so the
// numbers themselves are never indexed or compared in clear.
import { createHmac } from 'node:crypto';
import type { IdentityDocument } from '../domain/schemas.js';

export interface IdentityHasher {
  documentHash(doc: Pick<IdentityDocument, 'number' | 'issuingCountry'>): string;
  numberHash(number: string): string;
}

// "E 1234-567" and "e1234567" are the same number as written by different officers.
export function normaliseDocumentNumber(number: string): string {
  return number.toUpperCase().replace(/[\s\-./]/g, '');
}

export function createIdentityHasher(key: string): IdentityHasher {
  const hmac = (value: string) => createHmac('sha256', key).update(value).digest('base64url');
  return {
    documentHash: (doc) => hmac(`doc:${doc.issuingCountry.toUpperCase()}:${normaliseDocumentNumber(doc.number)}`),
    numberHash: (number) => hmac(`num:${normaliseDocumentNumber(number)}`),
  };
}
