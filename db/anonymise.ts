// Anonymising a closed case's read model, for the retention sweep (activities/retention.ts) and an
// admin's erasure on request (api/services/retention.ts): both take this same path.
//
// Anonymising replaces every personal field, keeps every fact the statistics count (the case row's
// plain columns: office, stage, status, closure reason, priority, nationality, country, dates) and
// the shape of the timeline (types, times, stages, actors), deletes the identity-document hashes and
// the possible-duplicate keys, and appends a tombstone entry (`person_erased`). It also reaches the
// copies: the operation's record of the person and stored idempotent answers about the case. The
// case's Temporal histories are the other copy (temporal/case-histories.ts).
import { and, asc, eq, sql } from 'drizzle-orm';
import type { CaseView } from '../domain/case.js';
import { type Actor, CLOSURE_REASONS, type Person } from '../domain/schemas.js';
import type { Db } from './client.js';
import { type FieldCipher, aad, openSnapshot } from './at-rest.js';
import { nextSeq } from './case-rows.js';
import { tasks, approvals, caseEvents, cases, idempotencyKeys, identityDocuments, operationPersons, personMatchKeys } from './schema/index.js';

/** What replaces a name. */
export const ERASED = '[erased]';

export type AnonymisedBasis = 'retention' | 'erasure';
export type AnonymiseOutcome = 'anonymised' | 'already_anonymised' | 'not_found' | 'open' | 'legal_hold' | 'not_due';

export type AnonymisedCaseView = CaseView & { anonymised: { at: string; basis: AnonymisedBasis } };

/** The person as a tombstone: nationality stays (a plain, counted column anyway), the rest is gone. */
export function anonymisedPerson(person: Pick<Person, 'nationality'>): Person {
  return { fullName: ERASED, sex: 'unknown', nationality: person.nationality, documents: [], languages: [] };
}

/**
 * The case view with only what identifies no one: ids, stages, statuses, dates, the closure reason,
 * the forms of exploitation found, the exit restriction's dates (its timer may still record the end). Built field by field, so a field
 * added to the view later is dropped here until someone decides it is safe.
 */
export function anonymisedView(view: CaseView, at: string, basis: AnonymisedBasis): AnonymisedCaseView {
  const trip = view.returnTrip;
  return {
    id: view.id,
    reference: view.reference,
    status: view.status,
    stage: view.stage,
    onHold: false,
    holdReason: null,
    priority: view.priority,
    version: view.version + 1,
    office: view.office,
    assignee: view.assignee,
    consulateId: view.consulateId,
    operationId: view.operationId,
    source: { type: view.source.type },
    person: anonymisedPerson(view.person),
    location: view.location ? { country: view.location.country, confirmed: view.location.confirmed ?? false } : null,
    riskFlags: [],
    screening: view.screening,
    // Categories, not facts about one person, and what the anonymised export counts.
    exploitationTypes: view.exploitationTypes ?? [],
    consent: view.consent,
    exitRestriction: view.exitRestriction ? { ...view.exitRestriction, basis: null } : null,
    medical: null,
    extraction: view.extraction ? { attempts: view.extraction.attempts, ...(view.extraction.extractedAt ? { extractedAt: view.extraction.extractedAt } : {}) } : null,
    travelDocument: null,
    returnTrip: trip
      ? { departureAt: trip.departureAt, arrivalPort: trip.arrivalPort, ...(trip.departedAt ? { departedAt: trip.departedAt } : {}), ...(trip.arrivedAt ? { arrivedAt: trip.arrivedAt } : {}) }
      : null,
    employment: { assessment: null, referrals: [], placement: null },
    bestInterests: null,
    openTasks: [],
    pendingApprovals: [],
    nextDeadline: null,
    allowedActions: [],
    closure: view.closure ? { ...view.closure, comment: null } : null,
    // Links between the cases of one person are ids; the police referrals say who talked to the police.
    previousCaseId: view.previousCaseId ?? null,
    reopenedAs: view.reopenedAs ?? null,
    justice: { reflectionPeriodEndsAt: null, policeReferrals: [] },
    createdAt: view.createdAt,
    updatedAt: at,
    stageEnteredAt: view.stageEnteredAt,
    anonymised: { at, basis },
  };
}

// Timeline data keys whose values are ids, enums, levels or times, never a person's data or free text.
const KEPT_EVENT_KEYS = new Set(['from', 'to', 'taskId', 'taskType', 'agencyId', 'audience', 'approvalId', 'level', 'kind', 'dueAt', 'at', 'consulateId', 'operationId', 'priority', 'outcome', 'consularNotification', 'dataSharing', 'taskIds', 'office', 'fromOffice', 'toOffice', 'previousCaseId', 'previousReference', 'newCaseId', 'newReference']);

/** A timeline entry's data, reduced to ids, enums and times; a closure reason (an enum) stays, free-text reasons go. */
export function anonymisedEventData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data ?? {})) {
    const primitive = v === null || typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 64);
    if (KEPT_EVENT_KEYS.has(k) && (primitive || (k === 'taskIds' && Array.isArray(v)))) out[k] = v;
    if (k === 'reason' && typeof v === 'string' && (CLOSURE_REASONS as readonly string[]).includes(v)) out[k] = v;
  }
  return out;
}

/**
 * Anonymises one closed case's read model, in one transaction (the case row locked). Its Temporal
 * histories are the caller's to delete after an `anonymised` outcome (temporal/case-histories.ts).
 * Idempotent: a case already anonymised is left as it is. `retention` only acts on a case
 * that is due and not on legal hold; `erasure` acts at once, but never on a case under legal hold.
 */
export async function anonymiseCase(
  deps: { db: Db; cipher: FieldCipher },
  caseId: string,
  opts: { basis: AnonymisedBasis; actor: Actor; reason?: string; now?: Date },
): Promise<{ outcome: AnonymiseOutcome; at?: string }> {
  const { db, cipher } = deps;
  const now = opts.now ?? new Date();
  const at = now.toISOString();
  const outcome = await db.transaction(async (tx): Promise<AnonymiseOutcome> => {
    const [row] = await tx.select().from(cases).where(eq(cases.id, caseId)).for('update');
    if (!row) return 'not_found';
    if (row.anonymisedAt) return 'already_anonymised';
    if (row.status !== 'closed') return 'open';
    if (row.legalHold) return 'legal_hold';
    if (opts.basis === 'retention' && (!row.retainUntil || row.retainUntil > now)) return 'not_due';

    const view = anonymisedView(openSnapshot<CaseView>(cipher, row), at, opts.basis);
    await tx
      .update(cases)
      .set({ snapshot: cipher.seal(view, aad.caseSnapshot(caseId))!, version: view.version, updatedAt: now, anonymisedAt: now, anonymisedReason: opts.basis, legalHoldReason: null })
      .where(eq(cases.id, caseId));

    const events = await tx.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
    if (events.length > 0) {
      const sealed = events.map((e) => cipher.seal(anonymisedEventData(cipher.open<Record<string, unknown>>(e.data, aad.eventData(caseId, e.seq))), aad.eventData(caseId, e.seq))!);
      await tx.execute(sql`
        update case_events as e set data = to_jsonb(v.data)
        from unnest(${sql.param(events.map((e) => e.seq))}::int[], ${sql.param(sealed)}::text[]) as v(seq, data)
        where e.case_id = ${caseId} and e.seq = v.seq`);
    }
    const seq = await nextSeq(tx, caseId);
    await tx.insert(caseEvents).values({
      caseId,
      seq,
      at: now,
      type: 'person_erased',
      actorSub: opts.actor.sub,
      actorRole: opts.actor.role,
      stage: row.stage,
      data: cipher.seal({ basis: opts.basis, ...(opts.reason ? { reason: opts.reason } : {}) }, aad.eventData(caseId, seq))!,
    });

    const taskRows = await tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.caseId, caseId));
    if (taskRows.length > 0) {
      await tx.execute(sql`
        update tasks as t set input = to_jsonb(v.input), result = null, reason = null
        from unnest(${sql.param(taskRows.map((t) => t.id))}::uuid[], ${sql.param(taskRows.map((t) => cipher.seal({}, aad.task(t.id, 'input'))!))}::text[]) as v(id, input)
        where t.id = v.id`);
    }
    await tx.update(approvals).set({ comment: null, decisionComment: null }).where(eq(approvals.caseId, caseId));
    await tx.delete(identityDocuments).where(eq(identityDocuments.caseId, caseId));
    await tx.delete(personMatchKeys).where(eq(personMatchKeys.caseId, caseId));

    const persons = await tx
      .select({ operationId: operationPersons.operationId, idx: operationPersons.idx })
      .from(operationPersons)
      .where(eq(operationPersons.caseId, caseId));
    for (const p of persons) {
      await tx
        .update(operationPersons)
        .set({
          person: cipher.seal(anonymisedPerson(view.person), aad.operationPerson(p.operationId, p.idx, 'person'))!,
          riskFlags: cipher.seal([], aad.operationPerson(p.operationId, p.idx, 'risk_flags'))!,
          location: null,
        })
        .where(and(eq(operationPersons.operationId, p.operationId), eq(operationPersons.idx, p.idx)));
    }

    const answers = await tx
      .select({ subject: idempotencyKeys.subject, key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.caseId, caseId));
    for (const a of answers) {
      await tx
        .update(idempotencyKeys)
        .set({ response: cipher.seal({ id: caseId, erased: true }, aad.idempotencyResponse(a.subject, a.key)) })
        .where(and(eq(idempotencyKeys.subject, a.subject), eq(idempotencyKeys.key, a.key)));
    }
    return 'anonymised';
  });
  return outcome === 'anonymised' ? { outcome, at } : { outcome };
}
