// The inboxes. Claims are inbox state and live in PostgreSQL only (an atomic conditional UPDATE
// decides between two officers); completions and rejections go through the case workflow, which
// owns what a result means for the case and decides whether the task can take it (its status, its
// result's schema): this service checks only who may work the task and who holds it, then translates
// the case's answer. Inputs, results and reasons are sealed at rest: every row is opened
// (db/at-rest.ts openTaskRow) right where it is read.
import { type SQL, and, asc, eq, lt, sql, inArray } from 'drizzle-orm';
import { agencies, tasks, cases } from '../../db/schema/index.js';
import { fieldCipher, openTaskRow } from '../../db/at-rest.js';
import { type Consent, type RedactionReason, type TaskView, agencyRedaction, assertTaskOpen } from '../../domain/case.js';
import { completeTaskUpdate, rejectTaskUpdate } from '../../workflows/definitions.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound, toApiError } from '../errors.js';
import type { Auth } from '../middleware/auth.js';
import { type ListTasksQuery, encodeCursor } from '../schemas.js';
import { parseCursor } from '../validate.js';
import { actorOf } from './cases.js';
import { updateCase } from './case-update.js';
import { createPersonMatching } from './person-matching.js';

type TaskRow = typeof tasks.$inferSelect;
/**
 * A task with the consent in force on its case, read in the same query (consent is a live gate), and
 * whether that case is closed: its workflow has then ended, and the read model answers for it.
 */
type TaskRead = { task: TaskRow; consent: Consent; caseClosed: boolean };

// The inbox query: every task joined to its case's consent columns, so redaction is decided at read
// time from the consent in force, for historic tasks as for new ones, without rewriting any task.
const TASK_READ = {
  task: tasks,
  consent: { consularNotification: cases.consularNotification, dataSharing: cases.dataSharing },
  caseStatus: cases.status,
};

function visibleTo(auth: Auth): SQL {
  switch (auth.role) {
    case 'agency_officer':
      return eq(tasks.agencyId, auth.agency);
    case 'caseworker':
      return eq(tasks.office, auth.office);
    case 'supervisor':
      return auth.office === '*' ? sql`true` : eq(tasks.office, auth.office);
    default:
      throw new ApiError('forbidden', 'tasks are for agency officers, caseworkers and supervisors');
  }
}

/** Who may claim and complete a task, beyond seeing it. */
function mayWork(auth: Auth, task: TaskRow): boolean {
  if (task.audience === 'agency') return auth.role === 'agency_officer' && auth.agency === task.agencyId;
  if (task.audience === 'supervisor') return auth.role === 'supervisor';
  return auth.role === 'caseworker' || auth.role === 'supervisor';
}

/** A task as the API shows it, from a row already opened (openTaskRow). */
export function taskOut(row: TaskRow, now = new Date()) {
  return {
    id: row.id,
    caseId: row.caseId,
    caseReference: row.caseReference,
    agencyId: row.agencyId,
    audience: row.audience,
    type: row.type,
    status: row.status,
    priority: row.priority,
    dueAt: row.dueAt.toISOString(),
    overdue: (row.status === 'open' || row.status === 'claimed') && row.dueAt < now,
    escalationLevel: row.escalationLevel,
    claimedBy: row.claimedBy,
    input: row.input,
    result: row.result,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    /** Why the inputs and results are withheld from the reader, or null when they are not. */
    redacted: null as RedactionReason | null,
  };
}
export type TaskOut = ReturnType<typeof taskOut>;

/**
 * What this reader may see of a task. An agency officer reads a task's inputs and results only while
 * the person's consent allows it (domain agencyRedaction); after a refusal or a withdrawal only ids
 * and status remain, whatever the task's status. The case's own office always sees everything.
 */
export function forReader(auth: Auth, out: TaskOut, consent: Consent): TaskOut {
  if (auth.role !== 'agency_officer') return out;
  const reason = agencyRedaction(consent, out as { audience: string; type: string });
  if (!reason) return out;
  return { ...out, input: {}, result: null, reason: null, redacted: reason };
}

export function createTaskService(deps: ApiDeps) {
  const { db } = deps;
  const cipher = fieldCipher(deps.config);
  const open = (row: TaskRow) => openTaskRow(cipher, row);
  const matching = createPersonMatching(deps);

  async function read(auth: Auth, id: string): Promise<TaskRead> {
    const [row] = await db
      .select(TASK_READ)
      .from(tasks)
      .innerJoin(cases, eq(cases.id, tasks.caseId))
      .where(and(eq(tasks.id, id), visibleTo(auth)))
      .limit(1);
    if (!row) throw notFound('task');
    return { task: open(row.task), consent: row.consent, caseClosed: row.caseStatus === 'closed' };
  }

  async function reload(id: string): Promise<TaskRow> {
    const [row] = await db.select().from(tasks).where(eq(tasks.id, id)).limit(1);
    return open(row!);
  }

  async function list(auth: Auth, q: ListTasksQuery) {
    const now = new Date();
    const after = parseCursor(q.cursor, ['timestamp', 'uuid']);
    const rows = await db
      .select(TASK_READ)
      .from(tasks)
      .innerJoin(cases, eq(cases.id, tasks.caseId))
      .where(
        and(
          visibleTo(auth),
          q.status ? eq(tasks.status, q.status) : undefined,
          q.type ? eq(tasks.type, q.type) : undefined,
          q.caseId ? eq(tasks.caseId, q.caseId) : undefined,
          q.overdue === true ? and(inArray(tasks.status, ['open', 'claimed']), lt(tasks.dueAt, now)) : undefined,
          q.overdue === false ? sql`not (${tasks.status} in ('open', 'claimed') and ${tasks.dueAt} < ${now})` : undefined,
          after ? sql`(${tasks.dueAt}, ${tasks.id}) > (${new Date(String(after[0]))}, ${String(after[1])})` : undefined,
        ),
      )
      .orderBy(asc(tasks.dueAt), asc(tasks.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1]?.task;
    return {
      items: page.map((r) => forReader(auth, taskOut(open(r.task), now), r.consent)),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.dueAt.toISOString(), last.id]) : null,
    };
  }

  async function get(auth: Auth, id: string) {
    const { task, consent } = await read(auth, id);
    return forReader(auth, taskOut(task), consent);
  }

  /** The inbox's own rules, checked before the case is asked: the caller's role may work it, and nobody else holds it. */
  function assertMayWork(auth: Auth, task: TaskRow) {
    if (!mayWork(auth, task)) throw new ApiError('forbidden', 'this task is for another role');
    if (task.status === 'claimed' && task.claimedBy !== auth.sub) {
      throw new ApiError('conflict', 'another person holds this task', { claimedBy: task.claimedBy });
    }
  }

  /**
   * Whether the task is still to be done, as the read model has it: for claims (the inbox's alone)
   * and for the tasks of a closed case, whose workflow has ended; otherwise the case itself decides
   * (domain/case/tasks.ts, with the same code and message). A keyed completion or rejection of a
   * closed case's task still goes to the case: it may be this very request's earlier attempt, whose
   * outcome Temporal gives back.
   */
  function assertLive(task: TaskRow) {
    assertTaskOpen(task);
  }

  async function claim(auth: Auth, id: string) {
    const { task, consent } = await read(auth, id);
    assertMayWork(auth, task);
    assertLive(task);
    const [claimed] = await db
      .update(tasks)
      .set({ status: 'claimed', claimedBy: auth.sub, claimedAt: new Date() })
      .where(
        and(
          eq(tasks.id, id),
          sql`(${tasks.status} = 'open' or (${tasks.status} = 'claimed' and ${tasks.claimedBy} = ${auth.sub}))`,
        ),
      )
      .returning();
    if (!claimed) {
      const now = await reload(id);
      assertMayWork(auth, now);
      assertLive(now);
      throw new ApiError('conflict', 'the task changed while claiming; try again');
    }
    return forReader(auth, taskOut(open(claimed)), consent);
  }

  async function unclaim(auth: Auth, id: string) {
    const { task, consent } = await read(auth, id);
    if (task.status !== 'claimed') throw new ApiError('conflict', `the task is ${task.status}, not claimed`);
    if (task.claimedBy !== auth.sub && auth.role !== 'supervisor') throw new ApiError('conflict', 'another person holds this task');
    const [row] = await db
      .update(tasks)
      .set({ status: 'open', claimedBy: null, claimedAt: null })
      .where(and(eq(tasks.id, id), eq(tasks.status, 'claimed')))
      .returning();
    if (!row) throw new ApiError('conflict', 'the task changed meanwhile; reload it');
    return forReader(auth, taskOut(open(row)), consent);
  }

  async function complete(auth: Auth, id: string, rawResult: Record<string, unknown>, updateId?: string) {
    const { task, consent, caseClosed } = await read(auth, id);
    assertMayWork(auth, task);
    if (caseClosed && updateId === undefined) assertLive(task);
    // What the case cannot know about a result: whether the consulate it names exists, and whether
    // another open case already holds the travel document it issues.
    if (task.type === 'supervisor_review' && typeof rawResult.consulateId === 'string') await assertConsulate(rawResult.consulateId);
    const travelDocument = task.type === 'issue_travel_document' && typeof rawResult.number === 'string' ? await issuedDocument(task.caseId, rawResult) : undefined;
    // The travel document joins the person's documents: one another open case holds is a duplicate
    // person, refused like a second case with that document (whom to contact, not which case).
    if (travelDocument) await matching.rejectDuplicateDocuments(auth, [travelDocument], { exceptCaseId: task.caseId });
    try {
      const done = await updateCase(deps, task.caseId, completeTaskUpdate, { taskId: id, result: rawResult, actor: actorOf(auth) }, updateId);
      return forReader(auth, answered(task, done), consent);
    } catch (err) {
      if (travelDocument && toApiError(err).code === 'duplicate_person') {
        await matching.rejectDuplicateDocuments(auth, [travelDocument], { exceptCaseId: task.caseId });
        throw new ApiError('duplicate_person', 'another open case has just been given this identity document', { inScope: false });
      }
      throw err;
    }
  }

  /** The document a travel-document result adds to the person: issued by their state (domain/case/person.ts). */
  async function issuedDocument(caseId: string, result: Record<string, unknown>) {
    const [row] = await db.select({ nationality: cases.nationality }).from(cases).where(eq(cases.id, caseId)).limit(1);
    return row ? { number: String(result.number), issuingCountry: row.nationality } : undefined;
  }

  /** A review may send the work to another consulate: only to one that exists, never to another kind of agency. */
  async function assertConsulate(id: string) {
    const [agency] = await db.select({ kind: agencies.kind }).from(agencies).where(eq(agencies.id, id)).limit(1);
    if (agency?.kind !== 'consulate') {
      throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'result.consulateId', message: 'no consulate with this id' }]);
    }
  }

  async function reject(auth: Auth, id: string, reason: string, updateId?: string) {
    const { task, consent, caseClosed } = await read(auth, id);
    assertMayWork(auth, task);
    if (caseClosed && updateId === undefined) assertLive(task);
    const done = await updateCase(deps, task.caseId, rejectTaskUpdate, { taskId: id, reason, actor: actorOf(auth) }, updateId);
    return forReader(auth, answered(task, done), consent);
  }

  /**
   * The task as the workflow answered (it has written the read model already): built from that
   * answer, not read back, so a read failing after the step cannot pass for a step not taken.
   */
  function answered(before: TaskRow, done: TaskView): TaskOut {
    return {
      ...taskOut(before),
      status: done.status,
      priority: done.priority,
      dueAt: done.dueAt,
      overdue: false,
      escalationLevel: done.escalationLevel,
      input: done.input,
      result: done.result,
      reason: done.reason,
      completedAt: done.completedAt,
    };
  }

  /**
   * A stored answer (an Idempotency-Key replay of a claim or unclaim) as this caller may see the task
   * now: under the consent in force, and not at all (404, as for any outsider) once the task is outside
   * the caller's scope, e.g. the same subject now holding a token of another agency or office.
   */
  async function asSeenNow(auth: Auth, stored: TaskOut): Promise<TaskOut> {
    const { consent } = await read(auth, stored.id);
    return forReader(auth, { ...stored, redacted: stored.redacted ?? null }, consent);
  }

  return { list, get, claim, unclaim, complete, reject, asSeenNow };
}
