// Retention: a closed case keeps its person's data for HOMEWARD_RETENTION_DAYS after closure
// (cases.retain_until), then the retention sweep (workflows/retention.ts, on a Temporal schedule)
// anonymises it, unless an admin has put it on legal hold. An admin can also erase a closed case's
// person at once, on request (api/services/retention.ts); both take the same path, db/anonymise.ts
// for the read model and temporal/case-histories.ts for the case's histories.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { Actor } from '../domain/schemas.js';
import type { Db } from '../db/client.js';
import type { FieldCipher } from '../db/at-rest.js';
import { anonymiseCase } from '../db/anonymise.js';
import { cases } from '../db/schema/index.js';
import { deleteCaseHistories } from '../temporal/case-histories.js';
import { sanitised } from './cases.js';

export interface RetentionDeps {
  db: Db;
  cipher: FieldCipher;
  /** To delete the case's Temporal histories (which hold the person, encrypted, until the namespace's retention). */
  temporal: Client;
}

export function createRetentionActivities(deps: RetentionDeps) {
  const { db } = deps;
  const SYSTEM: Actor = { sub: 'homeward', role: 'system' };

  /** One batch of the sweep: closed cases past their retention and not on legal hold, oldest first. */
  async function anonymiseDueCases(input: { limit: number }): Promise<{ anonymised: number; more: boolean }> {
    try {
      const now = new Date();
      const due = await db
        .select({ id: cases.id })
        .from(cases)
        .where(and(eq(cases.status, 'closed'), isNull(cases.anonymisedAt), eq(cases.legalHold, false), lte(cases.retainUntil, now)))
        .orderBy(asc(cases.retainUntil))
        .limit(input.limit);
      let anonymised = 0;
      for (const { id } of due) {
        const r = await anonymiseCase(deps, id, { basis: 'retention', actor: SYSTEM, now });
        if (r.outcome === 'anonymised') {
          await deleteCaseHistories(deps.temporal, id);
          anonymised += 1;
        }
        heartbeat(anonymised);
      }
      return { anonymised, more: due.length === input.limit };
    } catch (err) {
      throw sanitised(err, { what: 'retention sweep', retryAlways: true });
    }
  }

  return { anonymiseDueCases };
}

function heartbeat(detail: unknown) {
  try {
    Context.current().heartbeat(detail);
  } catch {
    // called outside an activity
  }
}
