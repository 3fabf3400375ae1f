// Parsing at the edge: a schema failure becomes 400 validation_failed with every field's path.
import type { z } from 'zod';
import { fieldIssues } from '../domain/errors.js';
import { ApiError } from './errors.js';
import { decodeCursor } from './schemas.js';

export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  // Checked here, not left to PostgreSQL: personal fields are sealed before they are stored, so the
  // database no longer sees (and refuses) a NUL or a lone surrogate inside them (API.md "Additions").
  const unstorable = unstorableStrings(value);
  if (unstorable.length > 0) {
    throw new ApiError('validation_failed', 'the request is invalid', fieldIssues(unstorable.map((path) => ({ path, message: 'contains a character that cannot be stored (NUL or a lone surrogate)' })), prefix));
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError('validation_failed', 'the request is invalid', fieldIssues(perField(result.error.issues), prefix));
  return result.data;
}

// zod reports unknown keys of a strict object once, at the object's path; the contract lists one
// `{ path, message }` per field, so each unknown key gets its own path (`person.nickname`).
function perField(issues: ReadonlyArray<z.core.$ZodIssue>): Array<{ path: PropertyKey[]; message: string }> {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'unknown field' }))
      : [{ path: [...issue.path], message: issue.message }],
  );
}

// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The paths of strings (keys included) holding a NUL or a lone surrogate. */
function unstorableStrings(value: unknown, path: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableStrings(v, [...path, i], out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (UNSTORABLE.test(k)) out.push([...path, k]);
      else unstorableStrings(v, [...path, k], out);
    }
  }
  return out;
}

// What each position of a keyset cursor holds; a decoded cursor whose values are not of these kinds
// was not issued by us and must be a 400, not a database error (a 500).
const CURSOR_KINDS = {
  int: (v: unknown) => Number.isSafeInteger(v),
  timestamp: (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
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
