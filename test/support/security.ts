// Helpers of the security tests: a database of a test's own (for tests that act on every row of it:
// key rotation, the retention sweep), and searching raw bytes and texts for personal data.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { dropDatabase, migrateDatabase } from '../../db/migrate.js';

/** A fresh, migrated database beside the run's one; `config` makes a harness use it. */
export async function ownDatabase() {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_${randomUUID().slice(0, 8)}`;
  const databaseUrl = url.toString();
  await migrateDatabase(databaseUrl);
  return {
    databaseUrl,
    config: { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') },
    drop: () => dropDatabase(databaseUrl),
  };
}

/**
 * Every string in an object tree (a protobuf history, a row), with each byte array rendered both as
 * UTF-8 and as base64.
 */
export function allText(value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined) return out;
  if (value instanceof Uint8Array) {
    out.push(Buffer.from(value).toString('utf8'), Buffer.from(value).toString('base64'));
    return out;
  }
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') out.push(String(value));
  else if (value instanceof Date) out.push(value.toISOString());
  else if (typeof value === 'object') {
    if (seen.has(value)) return out;
    seen.add(value);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out.push(k);
      allText(v, out, seen);
    }
  }
  return out;
}

/** How a needle looks inside a longer base64 (or base64url) text, for each byte offset it may start at. */
export function base64Forms(needle: string): string[] {
  const len = Buffer.byteLength(needle);
  return [0, 1, 2].flatMap((shift) => {
    const b64 = Buffer.from('x'.repeat(shift) + needle).toString('base64');
    const inner = b64.slice(4 * Math.ceil(shift / 3), 4 * Math.floor((shift + len) / 3));
    return [inner, inner.replace(/\+/g, '-').replace(/\//g, '_')];
  });
}

/** The needles found in a text, in clear (any case) or base64. */
export function found(text: string, needles: string[]): string[] {
  const lower = text.toLowerCase();
  return needles.filter((n) => lower.includes(n.toLowerCase()) || base64Forms(n).some((f) => f.length >= 8 && text.includes(f)));
}
