// Supervisor approvals: listed from the read model, decided through the case workflow, which decides
// whether the approval can still be decided; this service checks scope, the receiving office of a
// transfer and four eyes first. A transfer to another office is listed for both offices.
import { and, asc, eq, or, sql } from 'drizzle-orm';
import { approvals, cases } from '../../db/schema/index.js';
import type { Actor } from '../../domain/schemas.js';
import { assertFourEyes, assertPending, checkTransferDecider } from '../../domain/case.js';
import { fieldCipher, openApprovalRow } from '../../db/at-rest.js';
import { decideApprovalUpdate } from '../../workflows/definitions.js';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { type Auth, officeScope } from '../middleware/auth.js';
import { encodeCursor } from '../schemas.js';
import { parseCursor } from '../validate.js';
import { actorOf } from './cases.js';
import { updateCase } from './case-update.js';

type ApprovalRow = typeof approvals.$inferSelect;

function approvalOut(row: ApprovalRow, now = new Date()) {
  return {
    id: row.id,
    caseId: row.caseId,
    caseReference: row.caseReference,
    kind: row.kind,
    reason: row.reason,
    comment: row.comment,
    requestedBy: row.requestedBy,
    status: row.status,
    dueAt: row.dueAt.toISOString(),
    overdue: row.status === 'pending' && row.dueAt < now,
    escalationLevel: row.escalationLevel,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decisionComment: row.decisionComment,
    createdAt: row.createdAt.toISOString(),
    transfer: row.transferTo !== null ? { fromOffice: row.transferFrom!, toOffice: row.transferTo } : null,
  };
}

export function createApprovalService(deps: ApiDeps) {
  const { db } = deps;
  const cipher = fieldCipher(deps.config);

  function scoped(auth: Auth) {
    const scope = officeScope(auth);
    // A transfer waits for the receiving office's decision: its supervisors see it before the case is theirs.
    return scope === null ? sql`true` : or(eq(approvals.office, scope), eq(approvals.transferTo, scope))!;
  }

  async function list(auth: Auth, q: { status?: string; limit: number; cursor?: string }) {
    const after = parseCursor(q.cursor, ['timestamp', 'uuid']);
    const rows = await db
      .select()
      .from(approvals)
      .where(
        and(
          scoped(auth),
          q.status ? eq(approvals.status, q.status) : undefined,
          after ? sql`(${approvals.dueAt}, ${approvals.id}) > (${new Date(String(after[0]))}, ${String(after[1])})` : undefined,
        ),
      )
      .orderBy(asc(approvals.dueAt), asc(approvals.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => approvalOut(openApprovalRow(cipher, r))),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.dueAt.toISOString(), last.id]) : null,
    };
  }

  async function decide(auth: Auth, id: string, decision: 'approved' | 'rejected', comment?: string, updateId?: string) {
    const [found] = await db
      .select({ row: approvals, caseStatus: cases.status })
      .from(approvals)
      .innerJoin(cases, eq(cases.id, approvals.caseId))
      .where(and(eq(approvals.id, id), scoped(auth)))
      .limit(1);
    if (!found) throw notFound('approval');
    const { row } = found;
    const scope = officeScope(auth);
    // Who may decide, checked before the case is asked (which holds to the same rules): the sending
    // office sees its transfer but cannot accept it on the receiving office's behalf; four eyes.
    checkTransferDecider({ kind: row.kind, transfer: row.transferTo ? { toOffice: row.transferTo } : null }, scope ?? '*');
    assertFourEyes({ requestedBy: row.requestedBy as Actor }, auth);
    // Otherwise the case decides. A closed case's workflow has ended, so the read model answers for it
    // (its approvals are all decided), unless the request is keyed: it may be this very request's
    // earlier attempt, whose outcome Temporal still gives back.
    if (found.caseStatus === 'closed' && updateId === undefined) assertPending(row);
    // The answer is the workflow's (it has written the read model already), not a read that could fail after the step.
    const done = await updateCase(deps, row.caseId, decideApprovalUpdate, { approvalId: id, decision, comment, actor: actorOf(auth), office: scope ?? '*' }, updateId);
    return { ...done, overdue: false };
  }

  return { list, decide };
}
