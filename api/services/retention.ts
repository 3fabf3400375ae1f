// Retention and erasure, for admins: a case's retention status, legal holds (which keep a closed
// case whole past its retention) and erasure of a person on request. Both holds and erasure act on
// closed cases only: an open case is never anonymised, and its timeline belongs to its workflow.
// Anonymising itself is db/anonymise.ts and temporal/case-histories.ts, shared with the retention sweep.
import { eq } from 'drizzle-orm';
import { aad, fieldCipher } from '../../db/at-rest.js';
import { anonymiseCase } from '../../db/anonymise.js';
import { nextSeq } from '../../db/case-rows.js';
import { deleteCaseHistories } from '../../temporal/case-histories.js';
import { caseEvents, cases } from '../../db/schema/index.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import type { Auth } from '../middleware/auth.js';
import { actorOf } from './cases.js';

type CaseRow = typeof cases.$inferSelect;

export function createRetentionService(deps: ApiDeps) {
  const { db, temporal, config, logger } = deps;
  const cipher = fieldCipher(config);

  function out(row: CaseRow) {
    return {
      caseId: row.id,
      reference: row.reference,
      status: row.status,
      retainUntil: row.retainUntil?.toISOString() ?? null,
      legalHold: row.legalHold,
      legalHoldReason: cipher.open<string | null>(row.legalHoldReason, aad.legalHoldReason(row.id)),
      legalHoldChangedBy: row.legalHoldBy,
      legalHoldChangedAt: row.legalHoldAt?.toISOString() ?? null,
      anonymisedAt: row.anonymisedAt?.toISOString() ?? null,
      anonymisedReason: row.anonymisedReason,
    };
  }

  async function find(id: string): Promise<CaseRow> {
    const [row] = await db.select().from(cases).where(eq(cases.id, id)).limit(1);
    if (!row) throw notFound('case');
    return row;
  }

  async function get(_auth: Auth, id: string) {
    return out(await find(id));
  }

  /** Sets or clears the hold; the timeline records each change (reason sealed). Setting it twice is a no-op. */
  async function setLegalHold(auth: Auth, id: string, hold: boolean, reason: string) {
    const now = new Date();
    const row = await db.transaction(async (tx) => {
      const [current] = await tx.select().from(cases).where(eq(cases.id, id)).for('update');
      if (!current) throw notFound('case');
      if (current.status !== 'closed') {
        throw new ApiError('conflict', 'a legal hold applies to closed cases: an open case is never anonymised', { status: current.status });
      }
      if (current.anonymisedAt) throw new ApiError('conflict', 'the case is already anonymised', { anonymisedAt: current.anonymisedAt.toISOString() });
      if (current.legalHold === hold) return current;
      const [updated] = await tx
        .update(cases)
        .set({ legalHold: hold, legalHoldReason: cipher.seal(reason, aad.legalHoldReason(id)), legalHoldBy: auth.sub, legalHoldAt: now })
        .where(eq(cases.id, id))
        .returning();
      const seq = await nextSeq(tx, id);
      await tx.insert(caseEvents).values({
        caseId: id,
        seq,
        at: now,
        type: hold ? 'legal_hold_set' : 'legal_hold_cleared',
        actorSub: auth.sub,
        actorRole: auth.role,
        stage: current.stage,
        data: cipher.seal({ reason }, aad.eventData(id, seq))!,
      });
      logger.info({ caseId: id, legalHold: hold, by: auth.sub }, 'legal hold changed');
      return updated!;
    });
    return out(row);
  }

  async function erase(auth: Auth, id: string, reason: string) {
    const result = await anonymiseCase({ db, cipher }, id, { basis: 'erasure', actor: actorOf(auth), reason });
    if (result.outcome === 'anonymised') await deleteCaseHistories(temporal, id);
    switch (result.outcome) {
      case 'not_found':
        throw notFound('case');
      case 'open':
        throw new ApiError('conflict', 'the case is open: close it first (a supervisor approves the closure), then erase', { status: 'open' });
      case 'legal_hold':
        throw new ApiError('conflict', 'the case is on legal hold: clear the hold before erasing', { legalHold: true });
      default:
        if (result.outcome === 'anonymised') logger.info({ caseId: id, by: auth.sub }, 'person erased');
        return out(await find(id));
    }
  }

  return { get, setLegalHold, erase };
}
export type RetentionService = ReturnType<typeof createRetentionService>;
