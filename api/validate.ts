// Parsing at the edge: a schema failure becomes 400 validation_failed with every field's path.
import type { z } from 'zod';
import { fieldIssues } from '../domain/errors.js';
import { ApiError } from './errors.js';
import { decodeCursor } from './schemas.js';

export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError('validation_failed', 'the request is invalid', fieldIssues(result.error.issues, prefix));
  return result.data;
}

// What each position of a keyset cursor holds, as the column it is compared with can hold it: a
// decoded cursor whose values are not of these kinds was not issued by us (or was tampered with)
// and must be a 400, not a database error (a 500) — e.g. 99999 against a smallint.
const ISSUED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURSOR_KINDS = {
  /** smallint (int2) */
  int2: (v: unknown) => Number.isInteger(v) && (v as number) >= -32_768 && (v as number) <= 32_767,
  /** integer (int4) */
  int4: (v: unknown) => Number.isInteger(v) && (v as number) >= -2_147_483_648 && (v as number) <= 2_147_483_647,
  /** timestamptz, written as Date.toISOString writes it (years 0001–9999, which both JS and PostgreSQL hold) */
  timestamp: (v: unknown) =>
    typeof v === 'string' && ISSUED_TIMESTAMP.test(v) && !v.startsWith('0000') && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v,
  /** bigint (int8) ids, as far as a JSON number holds them exactly */
  int8: (v: unknown) => Number.isSafeInteger(v),
  uuid: (v: unknown) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};
export type CursorKind = keyof typeof CURSOR_KINDS;

/** Decodes a cursor of `arity` values, or of exactly these kinds of values (checked). */
export function parseCursor(cursor: string | undefined, shape: number | CursorKind[]): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  const kinds = typeof shape === 'number' ? undefined : shape;
  try {
    const values = decodeCursor(cursor, kinds ? kinds.length : (shape as number));
    if (kinds && !kinds.every((kind, i) => CURSOR_KINDS[kind](values[i]))) throw new Error('bad cursor values');
    return values;
  } catch {
    throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
}
