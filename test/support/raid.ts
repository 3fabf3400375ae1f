// Persons of a test raid, each with a passport number of its own.
import { randomUUID } from 'node:crypto';
import { personBody } from './harness.js';

export function raidPersons(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    person: personBody({ documents: [{ type: 'passport', number: `R${randomUUID().slice(0, 8)}${i}`, issuingCountry: 'PH' }] }),
    riskFlags: i % 10 === 0 ? ['injured'] : [],
  }));
}
