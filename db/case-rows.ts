// The read model's rows of a case, built from the domain's view: the case row, its identity
// documents and its possible-duplicate keys; and writing a newly opened case's first rows. Shared by
// the API (opening, reopening), the workflow's write of each step (activities/cases.ts) and the
// operation batches, so a case opened or stepped any way has the same rows.
import { sql } from 'drizzle-orm';
import { type CaseInput, type CaseState, type CaseView, type TimelineEvent, caseView, priorityRank } from '../domain/case.js';
import { matchMaterials } from '../domain/person-match.js';
import { DAY_MS } from '../domain/policy.js';
import type { IdentityDocument, Person } from '../domain/schemas.js';
import { DEFAULT_RETENTION_DAYS } from '../config/index.js';
import { type FieldCipher, aad } from './at-rest.js';
import type { Db } from './client.js';
import type { IdentityHasher } from './identity.js';
import { caseEvents, cases, identityDocuments, personMatchKeys } from './schema/index.js';
import { caseFacts, updateStatsCounters } from './stats-counters.js';

/** An open transaction (drizzle's own type for it). */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * The case row of a view: plain facts for lists and statistics, the view itself sealed. A closed case
 * is due for anonymisation `retentionMs` after its closure (HOMEWARD_RETENTION_DAYS, time-scaled).
 */
export function caseRow(view: CaseView, cipher: FieldCipher, retentionMs = DEFAULT_RETENTION_DAYS * DAY_MS) {
  return {
    id: view.id,
    reference: view.reference,
    status: view.status,
    stage: view.stage,
    onHold: view.onHold,
    priority: view.priority,
    priorityRank: priorityRank(view.priority),
    version: view.version,
    office: view.office,
    assignee: view.assignee,
    consulateId: view.consulateId,
    nationality: view.person.nationality,
    country: view.location?.country ?? null,
    screening: view.screening,
    consularNotification: view.consent.consularNotification,
    dataSharing: view.consent.dataSharing,
    sourceType: view.source.type,
    operationId: view.operationId,
    // Absent in snapshots written before reopening existed.
    previousCaseId: view.previousCaseId ?? null,
    closureReason: view.closure?.reason ?? null,
    // A held case has no running deadline, so it is never overdue while held.
    nextDeadlineAt: view.nextDeadline && !view.nextDeadline.paused ? new Date(view.nextDeadline.at) : null,
    nextDeadlineKind: view.nextDeadline?.kind ?? null,
    snapshot: cipher.seal(view, aad.caseSnapshot(view.id))!,
    createdAt: new Date(view.createdAt),
    updatedAt: new Date(view.updatedAt),
    stageEnteredAt: new Date(view.stageEnteredAt),
    retainUntil: view.status === 'closed' && view.closure ? new Date(Date.parse(view.closure.closedAt) + retentionMs) : null,
  };
}

export function documentRows(caseId: string, documents: IdentityDocument[], hasher: IdentityHasher, open = true) {
  const seen = new Set<string>();
  return documents.flatMap((doc) => {
    const documentHash = hasher.documentHash(doc);
    if (seen.has(documentHash)) return [];
    seen.add(documentHash);
    return [{ caseId, documentHash, numberHash: hasher.numberHash(doc.number), hashKeyId: hasher.activeKeyId, open }];
  });
}

/** The possible-duplicate keys of a person (domain/person-match.ts), hashed under the active key. */
export function matchKeyRows(caseId: string, person: Person, hasher: IdentityHasher) {
  const seen = new Set<string>();
  return matchMaterials(person).flatMap((m) => {
    const keyHash = hasher.matchHash(m.material);
    if (seen.has(keyHash)) return [];
    seen.add(keyHash);
    return [{ caseId, keyHash, kind: m.kind, nameForm: m.form, dobKnown: m.dobKnown, hashKeyId: hasher.activeKeyId }];
  });
}

/** The timeline rows of a case's events, their data sealed. */
export function eventRows(caseId: string, events: TimelineEvent[], cipher: FieldCipher) {
  return events.map((e) => ({
    caseId,
    seq: e.seq,
    at: new Date(e.at),
    type: e.type,
    actorSub: e.actor.sub,
    actorRole: e.actor.role,
    stage: e.stage,
    data: cipher.seal(e.data, aad.eventData(caseId, e.seq))!,
  }));
}

export function formatReference(year: string, n: number | string): string {
  return `HW-${year}-${String(n).padStart(6, '0')}`;
}

/** Allocates `count` references in one round trip. */
export async function allocateReferences(tx: Tx | Db, year: string, count: number): Promise<string[]> {
  if (count === 0) return [];
  const res = await tx.execute<{ n: string }>(sql`select nextval('case_reference_seq') as n from generate_series(1, ${count})`);
  return res.rows.map((r) => formatReference(year, r.n));
}

/**
 * Writes the first row of each case (its documents, its possible-duplicate keys); rows that already
 * exist are left alone. `openingEvents`: the case's opening step was taken here (domain
 * takeOpeningStep), so its timeline entries are written with the row and its workflow takes none.
 */
export async function insertOpenedCases(
  tx: Tx,
  items: Array<{ input: CaseInput; state: CaseState; openingEvents?: TimelineEvent[] }>,
  protect: { hasher: IdentityHasher; cipher: FieldCipher },
  opts: { onConflictDoNothing: boolean },
) {
  if (items.length === 0) return;
  const { hasher, cipher } = protect;
  const views = items.map((i) => caseView(i.state));
  const rows = views.map((v) => caseRow(v, cipher));
  const docs = items.flatMap((i) => documentRows(i.input.caseId, i.input.person.documents, hasher));
  const keys = items.flatMap((i) => matchKeyRows(i.input.caseId, i.input.person, hasher));
  let inserted: Array<{ id: string }>;
  if (opts.onConflictDoNothing) {
    inserted = await tx.insert(cases).values(rows).onConflictDoNothing().returning({ id: cases.id });
    if (docs.length > 0) await tx.insert(identityDocuments).values(docs).onConflictDoNothing();
  } else {
    inserted = await tx.insert(cases).values(rows).returning({ id: cases.id });
    if (docs.length > 0) await tx.insert(identityDocuments).values(docs);
  }
  // Only the rows written here: one that already existed (a retried batch) may have moved on since.
  const written = new Set(inserted.map((r) => r.id));
  await updateStatsCounters(
    tx,
    views.filter((v) => written.has(v.id)).map((v) => caseFacts(v)),
  );
  const events = items.filter((i) => written.has(i.input.caseId)).flatMap((i) => eventRows(i.input.caseId, i.openingEvents ?? [], cipher));
  if (events.length > 0) await tx.insert(caseEvents).values(events);
  // A person's keys are written once with the case (a retried batch finds them there).
  if (keys.length > 0) await tx.insert(personMatchKeys).values(keys).onConflictDoNothing();
}

/** The next timeline seq of a case whose workflow no longer writes it (closed): callers hold the case row lock. */
export async function nextSeq(tx: Tx | Db, caseId: string): Promise<number> {
  const [r] = await tx.select({ n: sql<number>`coalesce(max(${caseEvents.seq}), 0)::int` }).from(caseEvents).where(sql`${caseEvents.caseId} = ${caseId}`);
  return (r?.n ?? 0) + 1;
}
