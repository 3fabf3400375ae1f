// Idempotency-Key on every write (docs/api.md "Idempotency on every write"): a repeat with the same
// key and request gets the first answer and applies nothing twice, even when the first attempt
// timed out; the same key with another request is a 422. Two ways to honour it:
//  - a case update: the key becomes the Temporal update id, so a retry joins the first attempt and
//    Temporal answers with its outcome ("join");
//  - anything else: the answer is stored here and replayed ("replay").
// Stored answers can hold a person (an opened case, a claimed task's input): they are sealed at rest
// (db/at-rest.ts), and carry the id of the case they are about, so erasing the person reaches them.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Request } from 'express';
import type { Db } from '../db/client.js';
import { type FieldCipher, aad } from '../db/at-rest.js';
import { idempotencyKeys } from '../db/schema/index.js';
import { IDEMPOTENT_UPDATE_PREFIX } from '../domain/ids.js';
import { ApiError } from './errors.js';
import { idempotencyKeyHeader } from './schemas.js';
import { parse } from './validate.js';

export type IdempotencyMode = 'join' | 'replay';

/** The header's value, checked (1–200 printable ASCII), or undefined when absent. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.get('Idempotency-Key');
  return raw === undefined ? undefined : parse(idempotencyKeyHeader, raw, 'Idempotency-Key');
}

/** What makes two requests "the same": method, path and body (key order aside). */
export function requestFingerprint(req: Pick<Request, 'method' | 'path' | 'body'>): string {
  return createHash('sha256').update(`${req.method} ${req.path}\n${stableJson(req.body ?? null)}`).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The case update id for a caller's key: the caller's key never travels to Temporal as such. */
export function updateIdFor(subject: string, key: string): string {
  return IDEMPOTENT_UPDATE_PREFIX + createHash('sha256').update(`${subject}\u0000${key}`).digest('hex').slice(0, 48);
}

export const keyReused = () => new ApiError('idempotency_key_reused', 'this Idempotency-Key was used with a different request');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The case an answer is about: an opened case (its id) or a task (its caseId). */
export function caseIdOfAnswer(body: unknown): string | null {
  const b = body as { id?: unknown; caseId?: unknown; person?: unknown } | null;
  if (!b || typeof b !== 'object') return null;
  const id = b.person !== undefined ? b.id : b.caseId;
  return typeof id === 'string' && UUID.test(id) ? id : null;
}

/** The columns of a stored answer: sealed, with the case it is about. */
export function storedAnswer(cipher: FieldCipher, subject: string, key: string, body: unknown) {
  return { response: cipher.seal(body, aad.idempotencyResponse(subject, key)), caseId: caseIdOfAnswer(body) };
}

export function createIdempotencyStore(db: Db, cipher: FieldCipher) {
  return {
    /**
     * Takes the key for this request, or finds it taken: a stored answer to replay, a 422 if it was
     * another request, or nothing (the first attempt is still running, or left no answer to replay).
     */
    async begin(subject: string, key: string, fingerprint: string): Promise<{ status: number; body: unknown } | undefined> {
      const taken = await db.insert(idempotencyKeys).values({ subject, key, requestHash: fingerprint }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
      if (taken.length > 0) return undefined;
      return this.find(subject, key, fingerprint);
    },

    async find(subject: string, key: string, fingerprint: string): Promise<{ status: number; body: unknown } | undefined> {
      const [prior] = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.subject, subject), eq(idempotencyKeys.key, key)))
        .limit(1);
      if (!prior) return undefined;
      if (prior.requestHash !== fingerprint) throw keyReused();
      return prior.statusCode === null ? undefined : { status: prior.statusCode, body: cipher.open(prior.response, aad.idempotencyResponse(subject, key)) };
    },

    async remember(subject: string, key: string, status: number, body: unknown): Promise<void> {
      await db
        .update(idempotencyKeys)
        .set({ statusCode: status, ...storedAnswer(cipher, subject, key, body) })
        .where(and(eq(idempotencyKeys.subject, subject), eq(idempotencyKeys.key, key)));
    },
  };
}
export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;

/** A stable UUID for what a keyed request creates, so a retry after a lost answer finds the same thing. */
export function keyedUuid(kind: string, subject: string, key: string): string {
  const h = createHash('sha256').update(`${kind}\u0000${subject}\u0000${key}`).digest('hex');
  // RFC 9562 version 8 (custom), variant 10xx.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
