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

/** Cases that may be the same person, matched on name, date of birth and nationality (never merged). */
export const possibleDuplicatesSchema = z
  .array(
    z.union([
      z.strictObject({
        inScope: z.literal(true),
        caseId: uuid,
        reference: z.string(),
        status: z.enum(['open', 'closed']),
        matchedOn: z.array(z.enum(['name', 'nativeName', 'dateOfBirth', 'nationality'])),
      }),
      z.strictObject({
        inScope: z.literal(false),
        contactOffice: z.string(),
        matchedOn: z.array(z.enum(['name', 'nativeName', 'dateOfBirth', 'nationality'])),
      }),
    ]),
  )
  .describe("cases that may be this person (no shared document): the case when it is in the caller's scope, otherwise the office to contact; never merged");
