// Activities that write the PostgreSQL read model of a case: the case row, its timeline, its tasks
// and approvals, in one transaction. Every write is idempotent, so a retried activity (after a
// timeout, a worker crash, a lost response) never writes anything twice:
//  - timeline events are keyed by (case, seq): a retry writes the same rows again;
//  - the case row only moves forward (version), tasks and approvals only forward (rev);
//  - a step that was written but never recorded by Temporal is replaced by the step that took its
//    place (see dropLostSteps), so the read model holds what the workflow's history holds.
// Personal fields are sealed (db/at-rest.ts) before they leave the process.
import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'drizzle-orm';
import { type Approval, type CaseTask, type CaseView, type TimelineEvent, liftExitRestrictionAfterClosure } from '../domain/case.js';
import { DUPLICATE_DOCUMENT, READ_MODEL_REFUSED } from '../domain/errors.js';
import type { IdentityDocument } from '../domain/schemas.js';
import type { Db } from '../db/client.js';
import { type FieldCipher, aad, openSnapshot, sealTaskFields } from '../db/at-rest.js';
import { type Tx, caseRow, documentRows, eventRows, matchKeyRows, nextSeq } from '../db/case-rows.js';
import type { IdentityHasher } from '../db/identity.js';
import { enqueueNotifications } from './notifications.js';
import { activityLogger } from './pool.js';
import { tasks, approvals, caseEvents, cases, identityDocuments, personMatchKeys, statsCaseFacts } from '../db/schema/index.js';
import { type CaseFacts, type CountedRow, FACTS_SELECTION, caseFacts, factsOfRow, updateLockedStatsCounters } from '../db/stats-counters.js';

type Scoped = { caseId: string; caseReference: string; office: string };

export interface PersistCaseInput {
  caseView: CaseView;
  /** Only on the first write of a case. */
  documents?: IdentityDocument[];
  /** The person's name, date of birth, nationalities or documents changed in this step: re-index them. */
  personChanged?: boolean;
  events: TimelineEvent[];
  tasks: Array<CaseTask & Scoped>;
  approvals: Array<Approval & Scoped>;
}

const excluded = (column: string) => sql.raw(`excluded."${column}"`);

// SQLSTATE classes that no retry can cure: a value PostgreSQL cannot hold (22), a broken constraint
// or reference (23), a statement it cannot run (42). Everything else (connections, shutdowns,
// serialisation conflicts, resources) passes with time, so it stays retryable.
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23', '42']);

/**
 * A database error quotes the query's parameters, i.e. the case: rethrow it with only its code, so
 * neither worker logs nor Temporal's failure records carry personal data. The code travels in the
 * failure's details so the workflow can tell the caller what kind of refusal it was. A failure that
 * is already an ApplicationFailure (raised on purpose, without personal data) passes unchanged.
 * `retryAlways`: for activities that have no caller to refuse (operation batches, retention), where
 * even a permanent-looking refusal is retried until an operator has fixed its cause.
 */
export function sanitised(err: unknown, opts: { what?: string; retryAlways?: boolean } = {}): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  let e = err as { code?: string; cause?: unknown; name?: string } | undefined;
  while (e && !e.code && e.cause) e = e.cause as typeof e;
  const raw = e?.code ?? (err as Error)?.name ?? 'unknown';
  // Only a code's own characters: a driver's code is a SQLSTATE or a short identifier, never data.
  const code = typeof raw === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(raw) ? raw : 'unknown';
  const permanent = /^[0-9A-Z]{5}$/.test(code) && PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2)) && !opts.retryAlways;
  return ApplicationFailure.create({
    type: permanent ? READ_MODEL_REFUSED : 'ReadModelWriteFailed',
    message: `${opts.what ?? 'read-model write'} failed (${code})`,
    details: [code],
    nonRetryable: permanent,
  });
}

/**
 * A step can reach the read model and still never happen: its worker or the Temporal server dies
 * after this write but before the workflow task that took the step is recorded. The workflow then
 * goes on from its recorded history, and the steps that take the lost ones' places get the same
 * version and timeline numbers (possibly lower ones than a lost step wrote). So which write is the
 * truth is decided by when the step was taken (workflow time, the view's updatedAt: a new attempt
 * comes after the lost one), then by version (steps of one workflow task share a time): see
 * `writeCase`. The current step's write is the truth up to its own seq: its events replace
 * whatever holds their numbers, rows numbered after it are dropped, and open tasks and pending
 * approvals the case (`view`) does not have are removed (a current step does all of it in
 * `writeStepHead`; this is what a late, older step removes, measured against the case as it now is).
 */
async function dropLostSteps(tx: Tx, view: CaseView): Promise<void> {
  const lost = lostRows(view.id, { tasks: view.openTasks.map((t) => t.id), approvals: view.pendingApprovals.map((a) => a.id) });
  // The deletes touch different tables, so one statement (one snapshot) serves both.
  await tx.execute(sql`with open_tasks as (${lost.tasks}) ${lost.approvals}`);
}

/** Deletes of a case's open tasks and pending approvals that `kept` does not name: what lost steps left behind. */
function lostRows(caseId: string, kept: { tasks: string[]; approvals: string[] }) {
  return {
    tasks: sql`delete from ${tasks} where ${tasks.caseId} = ${caseId} and ${tasks.status} in ('open', 'claimed') and not (${tasks.id} = any(${sql.param(kept.tasks)}::uuid[]))`,
    approvals: sql`delete from ${approvals} where ${approvals.caseId} = ${caseId} and ${approvals.status} = 'pending' and not (${approvals.id} = any(${sql.param(kept.approvals)}::uuid[]))`,
  };
}

type CaseRow = ReturnType<typeof caseRow>;

/** What the first statement of a step's write found: whether the step is the newest, and the counted facts it locked. */
interface StepHead {
  current: boolean;
  /** The case's statistics facts row, locked until the commit (undefined: none, or not current). */
  countedBefore: CaseFacts | undefined;
}

/**
 * The round trips of a step are on the caller's wait (read-your-writes), so the parts every step
 * makes are one statement: the case row (which decides `current`, as the upsert's condition says),
 * the timeline events, the drop of rows of lost steps (see `dropLostSteps`; tasks and approvals this
 * step writes itself are kept for the statements that follow), and the lock on the case's counted
 * facts for the statistics. A late, older step changes no row but its own gaps in the timeline.
 */
async function writeStepHead(tx: Tx, row: CaseRow, input: PersistCaseInput, cipher: FieldCipher): Promise<StepHead> {
  const view = input.caseView;
  const keys = Object.keys(row) as Array<keyof CaseRow>;
  const names = keys.map((k) => `"${cases[k].name}"`);
  const events = eventRows(view.id, input.events, cipher);
  const lost = lostRows(view.id, {
    tasks: [...view.openTasks.map((t) => t.id), ...input.tasks.map((t) => t.id)],
    approvals: [...view.pendingApprovals.map((a) => a.id), ...input.approvals.map((a) => a.id)],
  });
  const lastSeq = input.events.at(-1)?.seq ?? null;
  const { rows } = await tx.execute<{ current: boolean } & CountedRow>(sql`
    with c as (
      insert into ${cases} (${sql.raw(names.join(', '))})
      values (${sql.join(keys.map((k) => sql.param(row[k], cases[k])), sql`, `)})
      on conflict (id) do update set ${sql.raw(names.filter((n) => n !== '"id"').map((n) => `${n} = excluded.${n}`).join(', '))}
      -- Steps may land out of order (concurrent updates, retries, a lost attempt): only a newer step wins.
      where (${cases.updatedAt}, ${cases.version}) <= (excluded.updated_at, excluded.version) or (${cases.version} = 0 and excluded.version = 0)
      returning id
    ),
    events as (
      insert into ${caseEvents} (case_id, seq, at, type, actor_sub, actor_role, stage, data)
      select ${view.id}, e.seq, e.at, e.type, e.actor_sub, e.actor_role, e.stage, e.data::jsonb
      from unnest(${sql.param(events.map((e) => e.seq))}::int[], ${sql.param(events.map((e) => e.at.toISOString()))}::timestamptz[],
        ${sql.param(events.map((e) => e.type))}::text[], ${sql.param(events.map((e) => e.actorSub))}::text[], ${sql.param(events.map((e) => e.actorRole))}::text[],
        ${sql.param(events.map((e) => e.stage))}::text[], ${sql.param(events.map((e) => JSON.stringify(e.data)))}::text[])
        as e(seq, at, type, actor_sub, actor_role, stage, data)
      -- A late, older step fills only its own place within the timeline as it now is.
      where exists (select from c) or e.seq <= (select coalesce(max(seq), 0) from ${caseEvents} where case_id = ${view.id})
      on conflict (case_id, seq) do update
        set at = excluded.at, type = excluded.type, actor_sub = excluded.actor_sub, actor_role = excluded.actor_role, stage = excluded.stage, data = excluded.data
        where exists (select from c)
    ),
    lost_tasks as (${lost.tasks} and exists (select from c)),
    lost_events as (
      delete from ${caseEvents} where exists (select from c) and case_id = ${view.id} and seq > ${lastSeq}::int
    ),
    lost_approvals as (${lost.approvals} and exists (select from c)),
    counted as (
      select ${FACTS_SELECTION} from ${statsCaseFacts} where case_id = (select id from c) for update
    )
    select exists (select from c) as current, counted.* from (select 1) as one left join counted on true`);
  const [{ current, ...counted }] = rows as [{ current: boolean } & CountedRow];
  return { current, countedBefore: factsOfRow(counted) };
}

/**
 * Files a case's tasks and approvals, closed ones included, under its new office: lists and inboxes
 * are scoped by these rows' `office`, so the sending office stops seeing them and the receiving one
 * starts. A claim on a caseworker's or supervisor's task was made by someone of the sending office,
 * who can no longer reach it: it is given back to the receiving office's inbox. Agencies' claims stay.
 * Idempotent, like the rest of the step.
 */
async function moveToOffice(tx: Tx, caseId: string, office: string): Promise<void> {
  await tx
    .update(tasks)
    .set({ status: 'open', claimedBy: null, claimedAt: null })
    .where(sql`${tasks.caseId} = ${caseId} and ${tasks.office} <> ${office} and ${tasks.audience} <> 'agency' and ${tasks.status} = 'claimed'`);
  await tx.update(tasks).set({ office }).where(sql`${tasks.caseId} = ${caseId} and ${tasks.office} <> ${office}`);
  await tx.update(approvals).set({ office }).where(sql`${approvals.caseId} = ${caseId} and ${approvals.office} <> ${office}`);
}

export interface CaseActivityDeps {
  db: Db;
  hasher: IdentityHasher;
  cipher: FieldCipher;
  /** How long after closure a case keeps its personal data (HOMEWARD_RETENTION_DAYS, time-scaled). */
  retentionMs?: number;
  /**
   * Wakes (or starts again) the dispatchers of subscriptions a step enqueued deliveries for, after
   * its commit. Without it they are picked up by the dispatchers' own polling.
   */
  wakeWebhooks?: (webhookIds: string[]) => Promise<void>;
}

export function createCaseActivities(deps: CaseActivityDeps) {
  const { db, hasher, cipher } = deps;

  async function persistCase(input: PersistCaseInput): Promise<void> {
    let woken: string[];
    try {
      woken = await writeCase(input).catch((err: unknown) => {
        // Two first writes of the same case at once (a retry overlapping its first attempt, before
        // any row exists): the upsert arbitrates on the id only, so the loser trips over the
        // reference the winner just inserted. Once that row is there, the same write simply updates it.
        if (pgErrorOf(err)?.constraint !== 'cases_reference_unique') throw err;
        return writeCase(input);
      });
    } catch (err) {
      throw sanitised(err);
    }
    if (woken.length > 0 && deps.wakeWebhooks) {
      // Not awaited: the step is committed and answers now. A wake that fails costs only time (a
      // running dispatcher polls); a dispatcher that had ended is started by the next delivery's wake.
      const logger = activityLogger();
      void deps.wakeWebhooks(woken).catch((err: unknown) => logger?.warn('webhook dispatchers not woken', { webhookIds: woken, error: String(err) }));
    }
  }

  /** Writes the step; returns the subscriptions it enqueued deliveries for. */
  async function writeCase(input: PersistCaseInput): Promise<string[]> {
    const view = input.caseView;
    const row = caseRow(view, cipher, deps.retentionMs);
    return db.transaction(async (tx) => {
      // `current`: this is the newest step the read model has seen (a retry of it included), by the
      // time it was taken and then its version (see `dropLostSteps`). Only a current write may
      // replace rows. The workflow's first write always replaces the API's (both version 0), whatever
      // the two clocks say.
      const { current, countedBefore } = await writeStepHead(tx, row, input, cipher);

      if (input.documents && input.documents.length > 0) {
        await tx.insert(identityDocuments).values(documentRows(view.id, input.documents, hasher)).onConflictDoNothing();
      }
      if (input.documents) {
        const keys = matchKeyRows(view.id, view.person, hasher);
        if (keys.length > 0) await tx.insert(personMatchKeys).values(keys).onConflictDoNothing();
      }
      // Only the newest step's person is the truth; a late, older one re-indexes nothing.
      if (input.personChanged && current) await reindexPerson(tx, view);
      if (current && view.status === 'closed') {
        await tx.update(identityDocuments).set({ open: false }).where(sql`${identityDocuments.caseId} = ${view.id}`);
      }

      for (const t of input.tasks) {
        const taskRow = {
          id: t.id,
          caseId: t.caseId,
          caseReference: t.caseReference,
          office: t.office,
          agencyId: t.agencyId,
          audience: t.audience,
          type: t.type,
          status: t.status,
          priority: t.priority,
          dueAt: new Date(t.dueAt),
          escalationLevel: t.escalationLevel,
          ...sealTaskFields(cipher, t.id, t),
          createdAt: new Date(t.createdAt),
          completedAt: t.completedAt ? new Date(t.completedAt) : null,
          rev: t.rev,
        };
        await tx
          .insert(tasks)
          .values(taskRow)
          .onConflictDoUpdate({
            target: tasks.id,
            set: {
              // The workflow does not know about claims: an "open" from it keeps a claim made here.
              status: sql`case when excluded.status = 'open' then ${tasks.status} else excluded.status end`,
              priority: excluded('priority'),
              dueAt: excluded('due_at'),
              escalationLevel: excluded('escalation_level'),
              input: excluded('input'),
              result: excluded('result'),
              reason: excluded('reason'),
              completedAt: excluded('completed_at'),
              rev: excluded('rev'),
            },
            // The current step's tasks are as it says (a lost step may have moved them, even further).
            setWhere: current ? sql`true` : sql`${tasks.rev} < excluded.rev`,
          });
      }

      for (const a of input.approvals) {
        const approvalRow = {
          id: a.id,
          caseId: a.caseId,
          caseReference: a.caseReference,
          office: a.office,
          kind: a.kind,
          reason: a.reason,
          comment: cipher.seal(a.comment, aad.approval(a.id, 'comment')),
          requestedBy: a.requestedBy,
          status: a.status,
          dueAt: new Date(a.dueAt),
          escalationLevel: a.escalationLevel,
          decidedBy: a.decidedBy,
          decidedAt: a.decidedAt ? new Date(a.decidedAt) : null,
          decisionComment: cipher.seal(a.decisionComment, aad.approval(a.id, 'decision_comment')),
          createdAt: new Date(a.createdAt),
          rev: a.rev,
          transferFrom: a.transfer?.fromOffice ?? null,
          transferTo: a.transfer?.toOffice ?? null,
        };
        await tx
          .insert(approvals)
          .values(approvalRow)
          .onConflictDoUpdate({
            target: approvals.id,
            set: {
              status: excluded('status'),
              dueAt: excluded('due_at'),
              escalationLevel: excluded('escalation_level'),
              decidedBy: excluded('decided_by'),
              decidedAt: excluded('decided_at'),
              decisionComment: excluded('decision_comment'),
              rev: excluded('rev'),
            },
            setWhere: current ? sql`true` : sql`${approvals.rev} < excluded.rev`,
          });
      }

      const notified = await enqueueNotifications(tx, input, cipher);

      // A transfer between offices: every row of the case that is scoped by office follows it.
      if (current && input.events.some((e) => e.type === 'office_changed')) await moveToOffice(tx, view.id, view.office);

      if (!current) {
        // What a late, older step created is kept only if the case as it now is has it.
        const [now] = await tx.select({ id: cases.id, snapshot: cases.snapshot }).from(cases).where(sql`${cases.id} = ${view.id}`);
        if (now) await dropLostSteps(tx, openSnapshot<CaseView>(cipher, now));
      }

      // Last, so the office's hot counter rows stay locked only until the commit that follows.
      if (current) await updateLockedStatsCounters(tx, caseFacts(view), countedBefore);
      return notified;
    });
  }

  /**
   * Records an exit restriction's end for a case whose workflow has completed. Idempotent: the
   * snapshot is only changed while it still says active, and the timeline entry is written once.
   */
  async function recordExitRestrictionLifted(input: { caseId: string; liftedAt: string }): Promise<void> {
    try {
      await writeExitRestrictionLifted(input);
    } catch (err) {
      throw sanitised(err, { retryAlways: true });
    }
  }

  async function writeExitRestrictionLifted(input: { caseId: string; liftedAt: string }): Promise<void> {
    await db.transaction(async (tx) => {
      const [row] = await tx.select().from(cases).where(sql`${cases.id} = ${input.caseId}`).for('update');
      if (!row) return;
      // The domain's own rule (the one the running workflow applies), on the stored view.
      const lifted = liftExitRestrictionAfterClosure(openSnapshot<CaseView>(cipher, row), input.liftedAt);
      if (!lifted) return;
      const { view: next, event } = lifted;
      await tx
        .update(cases)
        .set({ snapshot: cipher.seal(next, aad.caseSnapshot(input.caseId))!, version: next.version, updatedAt: new Date(input.liftedAt) })
        .where(sql`${cases.id} = ${input.caseId}`);
      // The case row is locked, and its workflow has completed: nobody else appends to this timeline now.
      const seq = await nextSeq(tx, input.caseId);
      await tx.insert(caseEvents).values({
        caseId: input.caseId,
        seq,
        at: new Date(input.liftedAt),
        type: event.type,
        actorSub: event.actor.sub,
        actorRole: event.actor.role,
        stage: row.stage,
        data: cipher.seal(event.data, aad.eventData(input.caseId, seq))!,
      });
    });
  }

  /**
   * The case's documents and possible-duplicate keys as its person now is. A document already on
   * another open case breaks the partial unique index: the step is refused as a duplicate person
   * (workflows/case-steps.ts), and the API names that case if the caller may see it.
   */
  async function reindexPerson(tx: Tx, view: CaseView): Promise<void> {
    const docs = documentRows(view.id, view.person.documents, hasher, view.status === 'open');
    const kept = idArrayOf(docs.map((d) => d.documentHash));
    await tx.delete(identityDocuments).where(sql`${identityDocuments.caseId} = ${view.id} and not (${identityDocuments.documentHash} = any(${kept}::text[]))`);
    if (docs.length > 0) {
      try {
        await tx.insert(identityDocuments).values(docs).onConflictDoNothing({ target: [identityDocuments.caseId, identityDocuments.documentHash] });
      } catch (err) {
        if (pgErrorOf(err)?.constraint === 'identity_documents_open_unique') {
          throw ApplicationFailure.create({ type: READ_MODEL_REFUSED, message: 'read-model write failed (23505)', details: ['23505', DUPLICATE_DOCUMENT], nonRetryable: true });
        }
        throw err;
      }
    }
    await tx.delete(personMatchKeys).where(sql`${personMatchKeys.caseId} = ${view.id}`);
    const keys = matchKeyRows(view.id, view.person, hasher);
    if (keys.length > 0) await tx.insert(personMatchKeys).values(keys).onConflictDoNothing();
  }

  return { persistCase, recordExitRestrictionLifted };
}

// A text[] parameter for `= any(…)`: base64url hashes hold no quote, comma or brace.
const idArrayOf = (values: string[]) => `{${values.join(',')}}`;

function pgErrorOf(err: unknown): { code?: string; constraint?: string } | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e as { code: string; constraint?: string };
  }
  return undefined;
}
