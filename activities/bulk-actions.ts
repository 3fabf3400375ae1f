// Activities of a bulk action on a raid: apply the action to one batch of its pending cases, and
// close the bulk action. Each case takes the action through its own workflow's update, exactly as
// POST /v1/cases/:id/actions does, with the requesting user as the actor.
//
// A batch may run twice (worker killed mid-batch, activity retried): every case gets the same update
// id in every attempt (temporal/case-update.ts `bulkUpdateId`), so Temporal hands back the first
// attempt's outcome instead of applying the action again, and outcomes are written only where none
// is yet. What is written is ids, an error code and a message built here from the code, never the
// case's own message (which may quote the case: an exit restriction's date, say).
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import type { ErrorCode } from '../domain/errors.js';
import { type ActionType, type Actor, STAGES } from '../domain/schemas.js';
import type { Db } from '../db/client.js';
import { bulkActionResults, bulkActions, cases } from '../db/schema/index.js';
import { bulkUpdateId, caseRefusal, executeCaseUpdate, noAnswerOf } from '../temporal/case-update.js';
import { actionUpdates } from '../workflows/definitions.js';
import { sanitised } from './cases.js';
import { activityAttempt, heartbeat, inPool } from './pool.js';

export interface BulkActionDeps {
  db: Db;
  temporal: Client;
  /** How many cases are asked at once, and how many one batch takes (HOMEWARD_BULK_*). */
  bulk?: { concurrency: number; batchSize: number };
  /** How long one case may take to answer (HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS). */
  temporalCallTimeoutMs?: number;
}

export interface BulkBatchInput {
  bulkId: string;
  /** The action as validated by the API (the case's update validator checks it again). */
  action: { type: ActionType } & Record<string, unknown>;
  actor: Actor;
}

export const DEFAULT_BULK = { concurrency: 50, batchSize: 200 };
const DEFAULT_CALL_TIMEOUT_MS = 15_000;
/** Batches in which a case may give no answer before it is recorded as failed (unavailable). */
export const BULK_MAX_ATTEMPTS = 8;
/** Attempts to find the bulk action's row (its request commits it right after starting this workflow). */
const ROW_VISIBLE_ATTEMPTS = 30;

type Outcome = { outcome: 'succeeded' } | { outcome: 'failed'; code: ErrorCode; message: string } | { outcome: 'no_answer'; kind: 'not_applied' | 'maybe_applied' };

const FIELD_PATH = /^[A-Za-z0-9_.[\]()]{1,100}$/;

/**
 * The stored message for a case that refused the action: built from the error code and what of its
 * details is an enum or a field path, so it names no person and quotes no value.
 */
export function failureMessage(type: string, code: ErrorCode, details: unknown): string {
  switch (code) {
    case 'invalid_transition': {
      const stage = (details as { stage?: unknown } | null | undefined)?.stage;
      if (stage === 'closed') return `${type} is not allowed: the case is closed`;
      return typeof stage === 'string' && (STAGES as readonly string[]).includes(stage)
        ? `${type} is not allowed now (stage ${stage})`
        : `${type} is not allowed now`;
    }
    case 'validation_failed': {
      const paths = Array.isArray(details)
        ? details.map((d: { path?: unknown }) => d?.path).filter((p): p is string => typeof p === 'string' && FIELD_PATH.test(p))
        : [];
      return paths.length > 0 ? `the case refused the action's fields: ${[...new Set(paths)].slice(0, 10).join(', ')}` : "the case refused the action's fields";
    }
    case 'version_mismatch':
      return 'the case moved on to another version';
    case 'not_found':
      return 'the case was not found';
    case 'conflict':
      return 'the action conflicts with the state of the case';
    case 'forbidden':
      return 'the action is not allowed to this user on this case';
    case 'unavailable':
      return 'the case gave no answer';
    default:
      return 'the case could not take this action';
  }
}

export function createBulkActionActivities(deps: BulkActionDeps) {
  const { db, temporal } = deps;
  const { concurrency, batchSize } = deps.bulk ?? DEFAULT_BULK;
  const callTimeoutMs = deps.temporalCallTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;

  async function applyBulkBatch(input: BulkBatchInput): Promise<{ processed: number; remaining: number }> {
    try {
      return await applyBatch(input);
    } catch (err) {
      throw sanitised(err, { what: 'bulk action batch', retryAlways: true });
    }
  }

  /** One case's answer to the action, as an outcome to record (or no answer, to ask again). */
  async function ask(input: BulkBatchInput, caseId: string): Promise<Outcome> {
    const { action, actor, bulkId } = input;
    try {
      await executeCaseUpdate(temporal, callTimeoutMs, caseId, actionUpdates[action.type], { action, actor }, bulkUpdateId(bulkId, caseId));
      return { outcome: 'succeeded' };
    } catch (err) {
      const refusal = caseRefusal(err);
      if (refusal) return { outcome: 'failed', code: refusal.code, message: failureMessage(action.type, refusal.code, refusal.details) };
      // The server's rejection of an update its worker did not take up is no answer from the case.
      const unanswered = noAnswerOf(err);
      if (unanswered) return { outcome: 'no_answer', kind: unanswered };
      if (err instanceof WorkflowUpdateFailedError) return { outcome: 'failed', code: 'internal', message: failureMessage(action.type, 'internal', null) };
      if (err instanceof WorkflowNotFoundError) {
        // The case closed after the batch read it (its workflow has ended), or has no workflow at all.
        const [row] = await db.select({ status: cases.status }).from(cases).where(eq(cases.id, caseId)).limit(1);
        return row?.status === 'closed'
          ? { outcome: 'failed', code: 'invalid_transition', message: failureMessage(action.type, 'invalid_transition', { stage: 'closed' }) }
          : { outcome: 'failed', code: 'not_found', message: failureMessage(action.type, 'not_found', null) };
      }
      // No answer (a deadline, the server away, a connection lost): asked again in a later attempt.
      return { outcome: 'no_answer', kind: 'maybe_applied' };
    }
  }

  async function applyBatch(input: BulkBatchInput): Promise<{ processed: number; remaining: number }> {
    const [bulk] = await db.select({ id: bulkActions.id }).from(bulkActions).where(eq(bulkActions.id, input.bulkId)).limit(1);
    if (!bulk) {
      // The API starts this workflow inside the transaction that writes the bulk action: until it
      // commits, the row is not visible. A request that never committed leaves nothing to do.
      if (activityAttempt() >= ROW_VISIBLE_ATTEMPTS) throw ApplicationFailure.nonRetryable('the bulk action was never committed', 'BulkActionMissing');
      throw ApplicationFailure.retryable('the bulk action is not committed yet', 'BulkActionNotVisible');
    }
    const batch = await db
      .select({ caseId: bulkActionResults.caseId, attempts: bulkActionResults.attempts })
      .from(bulkActionResults)
      .where(and(eq(bulkActionResults.bulkId, input.bulkId), isNull(bulkActionResults.outcome)))
      .orderBy(asc(bulkActionResults.caseId))
      .limit(batchSize);
    if (batch.length === 0) return { processed: 0, remaining: 0 };

    // A closed case's workflow has ended: it can take no update, and the answer is known without asking.
    const ids = `{${batch.map((b) => b.caseId).join(',')}}`;
    const rows = await db.select({ id: cases.id, status: cases.status }).from(cases).where(sql`${cases.id} = any(${ids}::uuid[])`);
    const statusOf = new Map(rows.map((r) => [r.id, r.status]));

    const outcomes = new Map<string, Outcome>();
    let done = 0;
    await inPool(batch, concurrency, async ({ caseId }) => {
      const status = statusOf.get(caseId);
      const outcome: Outcome =
        status === undefined
          ? { outcome: 'failed', code: 'not_found', message: failureMessage(input.action.type, 'not_found', null) }
          : status === 'closed'
            ? { outcome: 'failed', code: 'invalid_transition', message: failureMessage(input.action.type, 'invalid_transition', { stage: 'closed' }) }
            : await ask(input, caseId);
      outcomes.set(caseId, outcome);
      heartbeat(++done);
    });

    // Cases that gave no answer too often are recorded as failed, saying whether the action may have been applied.
    const finals: Array<{ caseId: string; outcome: 'succeeded' | 'failed'; code: string | null; message: string | null }> = [];
    const unanswered: string[] = [];
    for (const { caseId, attempts } of batch) {
      const o = outcomes.get(caseId)!;
      if (o.outcome !== 'no_answer') {
        finals.push({ caseId, outcome: o.outcome, code: o.outcome === 'failed' ? o.code : null, message: o.outcome === 'failed' ? o.message : null });
      } else if (attempts + 1 >= BULK_MAX_ATTEMPTS) {
        const message =
          o.kind === 'not_applied'
            ? 'the case could not take steps; the action was not applied'
            : 'the case gave no answer in time; the action may still have been applied, check the case';
        finals.push({ caseId, outcome: 'failed', code: 'unavailable', message });
      } else {
        unanswered.push(caseId);
      }
    }
    if (finals.length > 0) {
      // Only where no outcome is recorded yet: a concurrent (zombie) attempt of this batch cannot overwrite.
      await db.execute(sql`
        update bulk_action_results as r
        set outcome = v.outcome, error_code = v.code, error_message = v.message
        from unnest(${sql.param(`{${finals.map((f) => f.caseId).join(',')}}`)}::uuid[],
                    ${sql.param(finals.map((f) => f.outcome))}::text[],
                    ${sql.param(finals.map((f) => f.code))}::text[],
                    ${sql.param(finals.map((f) => f.message))}::text[]) as v(case_id, outcome, code, message)
        where r.bulk_id = ${input.bulkId} and r.case_id = v.case_id and r.outcome is null`);
    }
    if (unanswered.length > 0) {
      await db.execute(sql`
        update bulk_action_results set attempts = attempts + 1
        where bulk_id = ${input.bulkId} and case_id = any(${`{${unanswered.join(',')}}`}::uuid[]) and outcome is null`);
      // The activity's retry policy backs off before these cases are asked again.
      throw ApplicationFailure.retryable(`${unanswered.length} cases gave no answer; asking them again`, 'BulkCasesUnanswered');
    }

    const [left] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(bulkActionResults)
      .where(and(eq(bulkActionResults.bulkId, input.bulkId), isNull(bulkActionResults.outcome)));
    return { processed: batch.length, remaining: left?.n ?? 0 };
  }

  async function completeBulkAction(input: { bulkId: string }): Promise<void> {
    try {
      await db
        .update(bulkActions)
        .set({ status: 'completed', completedAt: new Date() })
        .where(and(eq(bulkActions.id, input.bulkId), eq(bulkActions.status, 'running')));
    } catch (err) {
      throw sanitised(err, { what: 'bulk action completion', retryAlways: true });
    }
  }

  return { applyBulkBatch, completeBulkAction };
}
