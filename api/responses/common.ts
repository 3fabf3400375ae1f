// Building blocks of the response schemas (api/responses/*): the shapes every resource shares. The
// response schemas serve twice, like the route declarations: the OpenAPI document is generated from
// them, and test/api/openapi-contract.test.ts parses real answers with them, so neither can drift.
import { z } from 'zod';
import { isoDateTimeSchema } from '../../domain/schemas.js';

/** Every instant the API writes: Date.toISOString, or a date-time a caller gave with its offset. */
export const timestamp = isoDateTimeSchema.meta({ format: 'date-time' });
/** A calendar date, YYYY-MM-DD. */
export const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const uuid = z.uuid();

/** A keyset page: the items, and the opaque cursor of the next page (null on the last one). */
export function page<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
}
