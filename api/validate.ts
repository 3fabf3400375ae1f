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

export function parseCursor(cursor: string | undefined, arity: number): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    return decodeCursor(cursor, arity);
  } catch {
    throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'cursor', message: 'not a cursor this API issued' }]);
  }
}
