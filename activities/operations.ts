// Activities of a mass rescue operation: open the cases of one batch of persons, and close the
// operation. They touch PostgreSQL (operation rows, the case read model) and Temporal (starting
// case workflows, telling existing cases they were found in the raid).
//
// A batch may run twice (worker killed mid-batch, activity retried): every person's case id is
// derived from (operation, index), the case row and documents are inserted "if absent", the
// workflow start tolerates "already started", and outcomes are written last. A second run finds
// and finishes what the first began; nobody gets two cases.
//
// The persons are sealed at rest (db/at-rest.ts) and opened here. Database errors leave these
// activities with their SQLSTATE only (sanitised): drizzle's message quotes every parameter of the
// failed statement, up to a whole batch of persons, and would otherwise reach the worker's logs and
// the operation's history.
import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { type CaseInput, type CaseState, initialState, takeOpeningStep } from '../domain/case.js';
import { caseWorkflowId } from '../domain/ids.js';
import { type DeadlinePolicy } from '../domain/policy.js';
import type { Actor, Location, Person, RiskFlag } from '../domain/schemas.js';
import type { Db } from '../db/client.js';
import { type FieldCipher, openOperationPersonRow } from '../db/at-rest.js';
import type { IdentityHasher } from '../db/identity.js';
import { cases, identityDocuments, operationPersons, operations } from '../db/schema/index.js';
import { operationLinkedSignal } from '../workflows/definitions.js';
import { sanitised } from './cases.js';
import { heartbeat, inPool } from './pool.js';
import { grpcCodeOf, refusedForGood } from '../temporal/refusals.js';
import { startCaseWorkflow } from '../temporal/case-start.js';
import { allocateReferences, insertOpenedCases } from '../db/case-rows.js';
import { uncountCases } from '../db/stats-counters.js';

export interface OperationDeps {
  db: Db;
  hasher: IdentityHasher;
  cipher: FieldCipher;
  temporal: Client;
  caseTaskQueue: string;
  immigrationAgencyId: string;
  policy: DeadlinePolicy;
}

// Starts in flight at once: enough to hide the round trip, few enough not to swamp 2 cores.
const START_CONCURRENCY = 16;

/** A stable UUID for person `idx` of an operation (name-based, RFC 4122 layout). */
export function operationCaseId(operationId: string, idx: number): string {
  const h = createHash('sha256').update(`homeward-operation:${operationId}:${idx}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createOperationActivities(deps: OperationDeps) {
  const { db, hasher, cipher, temporal } = deps;

  async function openOperationBatch(input: { operationId: string; batchSize: number }): Promise<{ processed: number; remaining: number }> {
    try {
      return await openBatch(input);
    } catch (err) {
      throw sanitised(err, { what: 'operation batch', retryAlways: true });
    }
  }

  async function openBatch(input: { operationId: string; batchSize: number }): Promise<{ processed: number; remaining: number }> {
    const [op] = await db.select().from(operations).where(eq(operations.id, input.operationId)).limit(1);
    // The API starts this workflow inside the transaction that writes the operation: until it
    // commits, the row is not visible. Retrying (not "nothing left") keeps every person.
    if (!op) throw ApplicationFailure.retryable('the operation is not committed yet', 'OperationNotVisible');
    const batch = (
      await db
        .select()
        .from(operationPersons)
        .where(and(eq(operationPersons.operationId, op.id), isNull(operationPersons.outcome)))
        .orderBy(asc(operationPersons.idx))
        .limit(input.batchSize)
    ).map((row) => openOperationPersonRow(cipher, row));
    if (batch.length === 0) return { processed: 0, remaining: 0 };

    const outcomes = new Map<number, { outcome: 'opened' | 'linked' | 'merged' | 'failed'; caseId: string | null; error?: string }>();
    const openedAt = new Date().toISOString();
    const actor = op.createdBy as Actor;

    // Who already has an open case, by identity document (hashed under any configured key)?
    const originals = batch.filter((p) => p.duplicateOf === null);
    const hashes = new Map<number, string[]>();
    for (const p of originals) hashes.set(p.idx, (p.person as Person).documents.flatMap((d) => hasher.documentHashes(d)));
    const allHashes = [...new Set([...hashes.values()].flat())];
    const openByHash = new Map<string, string>();
    if (allHashes.length > 0) {
      const found = await db
        .select({ caseId: identityDocuments.caseId, hash: identityDocuments.documentHash })
        .from(identityDocuments)
        .where(and(eq(identityDocuments.open, true), sql`${identityDocuments.documentHash} in ${allHashes}`));
      for (const f of found) openByHash.set(f.hash, f.caseId);
    }

    const toOpen: Array<{ idx: number; input: CaseInput; state: CaseState; opened?: boolean }> = [];
    const toLink: Array<{ idx: number; caseId: string }> = [];
    for (const p of originals) {
      const ownId = operationCaseId(op.id, p.idx);
      // A case found under one of the documents that is not the one this batch opened before a crash.
      const existing = (hashes.get(p.idx) ?? []).map((h) => openByHash.get(h)).find((id) => id !== undefined && id !== ownId);
      if (existing) {
        toLink.push({ idx: p.idx, caseId: existing });
        continue;
      }
      const person = p.person as Person;
      const input: CaseInput = {
        caseId: ownId,
        reference: '',
        office: op.office,
        consulateId: op.consulateId,
        immigrationAgencyId: deps.immigrationAgencyId,
        person,
        location: (p.location as Location | null) ?? { country: op.country, ...(op.site ? { site: op.site } : {}), confirmed: true },
        source: { type: 'rescue_operation', reference: op.name },
        riskFlags: p.riskFlags as RiskFlag[],
        openedBy: actor,
        openedAt,
        operationId: op.id,
        policy: deps.policy,
      };
      toOpen.push({ idx: p.idx, input, state: initialState(input) });
    }

    // Rows first (one transaction for the batch), keeping the reference of a row a crashed run wrote.
    if (toOpen.length > 0) {
      await db.transaction(async (tx) => {
        const ids = toOpen.map((o) => o.input.caseId);
        const existingRows = await tx.select({ id: cases.id, reference: cases.reference }).from(cases).where(sql`${cases.id} in ${ids}`);
        const known = new Map(existingRows.map((r) => [r.id, r.reference]));
        const fresh = toOpen.filter((o) => !known.has(o.input.caseId));
        const refs = await allocateReferences(tx, openedAt.slice(0, 4), fresh.length);
        fresh.forEach((o, i) => (o.input.reference = refs[i]!));
        for (const o of toOpen) {
          if (known.has(o.input.caseId)) o.input.reference = known.get(o.input.caseId)!;
          o.state.reference = o.input.reference;
        }
        // A new case's opening step is taken and written here, with its row: its workflow then
        // starts from the opened state and writes nothing of its own before its first real step.
        // A row a crashed run wrote is left as it is, and its workflow (if not started yet) opens
        // it the usual way, so the read model and the workflow never disagree about the opening.
        const opened = fresh.map((o) => ({ ...o, openingEvents: takeOpeningStep(o.state, { now: openedAt, actor, newId: randomUUID }) }));
        await insertOpenedCases(tx, opened, { hasher, cipher }, { onConflictDoNothing: true });
        for (const o of fresh) o.opened = true;
      });
    }

    // A person whose case Temporal refuses for good (the request itself, not the moment) has failed;
    // any other error fails the batch, which is retried whole (everything above is idempotent), so
    // a Temporal restart delays a raid and fails nobody.
    let done = 0;
    let retryLater: unknown;
    await inPool(toOpen, START_CONCURRENCY, async (o) => {
      try {
        await startCaseWorkflow(temporal, deps.caseTaskQueue, o.input, o.state, { tolerateExisting: true, opened: o.opened === true });
        outcomes.set(o.idx, { outcome: 'opened', caseId: o.input.caseId });
      } catch (err) {
        if (!refusedForGood(err)) retryLater ??= err;
        else outcomes.set(o.idx, { outcome: 'failed', caseId: null, error: `start refused (gRPC ${grpcCodeOf(err)})` });
      }
      if (++done % 25 === 0) heartbeat(done);
    });
    if (retryLater !== undefined) {
      throw ApplicationFailure.retryable(`a case workflow could not be started now (gRPC ${grpcCodeOf(retryLater) ?? 'none'})`, 'CaseStartFailed');
    }
    // No case for a person who failed: its row (written above, without a workflow) would otherwise
    // show an open case that can take no step, and hold the person's documents against a new intake.
    const notOpened = toOpen.filter((o) => outcomes.get(o.idx)?.outcome === 'failed').map((o) => o.input.caseId);
    if (notOpened.length > 0) {
      await db.transaction(async (tx) => {
        await tx.delete(identityDocuments).where(sql`${identityDocuments.caseId} in ${notOpened}`);
        await uncountCases(tx, notOpened);
        await tx.delete(cases).where(sql`${cases.id} in ${notOpened}`);
      });
    }
    await inPool(toLink, START_CONCURRENCY, async (l) => {
      try {
        await temporal.workflow.getHandle(caseWorkflowId(l.caseId)).signal(operationLinkedSignal, { operationId: op.id, name: op.name });
      } catch {
        // The case closed meanwhile: the person is still linked to it in the operation's record.
      }
      outcomes.set(l.idx, { outcome: 'linked', caseId: l.caseId });
    });
    // A duplicate inside the request shares the case of its first occurrence.
    const duplicates = batch.filter((p) => p.duplicateOf !== null);
    if (duplicates.length > 0) {
      const firstIdx = [...new Set(duplicates.map((d) => d.duplicateOf!))];
      const earlier = await db
        .select({ idx: operationPersons.idx, caseId: operationPersons.caseId })
        .from(operationPersons)
        .where(and(eq(operationPersons.operationId, op.id), sql`${operationPersons.idx} in ${firstIdx}`));
      const caseOf = new Map(earlier.map((e) => [e.idx, e.caseId]));
      for (const d of duplicates) {
        const caseId = outcomes.get(d.duplicateOf!)?.caseId ?? caseOf.get(d.duplicateOf!) ?? null;
        outcomes.set(d.idx, caseId ? { outcome: 'merged', caseId } : { outcome: 'failed', caseId: null, error: 'first occurrence failed' });
      }
    }

    const idxs = [...outcomes.keys()];
    await db.execute(sql`
      update operation_persons as p
      set outcome = v.outcome, case_id = v.case_id::uuid, error = v.error
      from unnest(${sql.param(idxs)}::int[],
                  ${sql.param(idxs.map((i) => outcomes.get(i)!.outcome))}::text[],
                  ${sql.param(idxs.map((i) => outcomes.get(i)!.caseId))}::text[],
                  ${sql.param(idxs.map((i) => outcomes.get(i)!.error ?? null))}::text[]) as v(idx, outcome, case_id, error)
      where p.operation_id = ${op.id} and p.idx = v.idx`);

    const [left] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(operationPersons)
      .where(and(eq(operationPersons.operationId, op.id), isNull(operationPersons.outcome)));
    return { processed: batch.length, remaining: left?.n ?? 0 };
  }

  async function completeOperation(input: { operationId: string }): Promise<void> {
    try {
      await db
        .update(operations)
        .set({ status: 'completed', completedAt: new Date() })
        .where(and(eq(operations.id, input.operationId), eq(operations.status, 'running')));
    } catch (err) {
      throw sanitised(err, { what: 'operation completion', retryAlways: true });
    }
  }

  return { openOperationBatch, completeOperation };
}
