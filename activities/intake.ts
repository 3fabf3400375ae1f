// Opening a case: the read-model row, its identity documents and the start of its workflow. Shared
// by POST /v1/cases and the operation activities, so a case opened either way is the same case.
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { type CaseInput, type CaseState, caseView, initialState } from '../domain/case.js';
import { caseWorkflowId } from '../domain/ids.js';
import { caseSearchAttributes } from '../domain/search-attributes.js';
import type { Db } from '../db/client.js';
import type { FieldCipher } from '../db/at-rest.js';
import type { IdentityHasher } from '../db/identity.js';
import { cases, identityDocuments, personMatchKeys } from '../db/schema/index.js';
import type { caseWorkflow } from '../workflows/case.js';
import { caseFacts, updateStatsCounters } from '../db/stats-counters.js';
import { caseRow, documentRows, matchKeyRows } from './cases.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export function formatReference(year: string, n: number | string): string {
  return `HW-${year}-${String(n).padStart(6, '0')}`;
}

/** Allocates `count` references in one round trip. */
export async function allocateReferences(tx: Tx | Db, year: string, count: number): Promise<string[]> {
  if (count === 0) return [];
  const res = await tx.execute<{ n: string }>(sql`select nextval('case_reference_seq') as n from generate_series(1, ${count})`);
  return res.rows.map((r) => formatReference(year, r.n));
}

/** Writes the first row of each case (its documents, its possible-duplicate keys); rows that already exist are left alone. */
export async function insertOpenedCases(
  tx: Tx,
  items: Array<{ input: CaseInput; state: CaseState }>,
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
  // A person's keys are written once with the case (a retried batch finds them there).
  if (keys.length > 0) await tx.insert(personMatchKeys).values(keys).onConflictDoNothing();
}

export function newCaseState(input: CaseInput): CaseState {
  return initialState(input);
}

/** Starts the case workflow; a start that already happened (a retry after a crash) is not an error. */
export async function startCaseWorkflow(temporal: Client, taskQueue: string, input: CaseInput, state: CaseState, opts: { tolerateExisting: boolean }) {
  try {
    await temporal.workflow.start<typeof caseWorkflow>('caseWorkflow', {
      workflowId: caseWorkflowId(input.caseId),
      taskQueue,
      args: [{ case: input }],
      typedSearchAttributes: caseSearchAttributes(state),
    });
  } catch (err) {
    if (!(opts.tolerateExisting && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
