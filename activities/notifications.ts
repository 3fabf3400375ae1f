// The webhook outbox: which notifications a persisted case step raises, written in the step's own
// transaction (activities/cases.ts persistCase), so a step is never recorded without its
// notifications nor notifications without their step. One row per matching subscription and fact;
// the (subscription, dedupe key) unique index makes a retried or replayed write enqueue nothing twice.
// What a row carries is the fact as the step saw it, sealed; what the receiver may read of it is
// decided when it is delivered, under the consent then in force (activities/webhooks.ts).
import { sql } from 'drizzle-orm';
import type { CaseTask, CaseView, TimelineEvent } from '../domain/case.js';
import type { WebhookEvent } from '../domain/webhooks.js';
import type { Db } from '../db/client.js';
import { type FieldCipher, aad } from '../db/at-rest.js';
import { webhookDeliveries, webhooks } from '../db/schema/index.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** What one step says happened: its case as it now is, its timeline events, the tasks and approvals it wrote. */
export interface NotifiableStep {
  caseView: Pick<CaseView, 'id' | 'reference' | 'office' | 'consulateId' | 'closure'>;
  events: TimelineEvent[];
  tasks: Array<Pick<CaseTask, 'id' | 'type' | 'agencyId' | 'audience' | 'priority' | 'dueAt' | 'input'> & { office: string }>;
  approvals: Array<{ id: string; kind: string; reason: string; status: string; dueAt: string; office: string; transfer?: { toOffice: string } }>;
}

/** A notification before it is addressed: who may receive it (an agency, offices) and what it says. */
export interface Notification {
  event: WebhookEvent;
  dedupeKey: string;
  caseId: string;
  occurredAt: string;
  agencyId: string | null;
  offices: string[];
  /** For task events: decides the agency's redaction at delivery (domain agencyRedaction). */
  task?: { audience: string; type: string };
  /** Fields only the case's office may read (never sent to an agency). */
  officeOnly?: Record<string, unknown>;
  data: Record<string, unknown>;
}

/** The notifications of a step: new tasks, reminders and escalations, new approvals, the closure. */
export function notificationsOf(step: NotifiableStep): Notification[] {
  const view = step.caseView;
  const about = { caseId: view.id, caseReference: view.reference };
  const tasks = new Map(step.tasks.map((t) => [t.id, t]));
  const out: Notification[] = [];
  for (const e of step.events) {
    const taskId = typeof e.data.taskId === 'string' ? e.data.taskId : undefined;
    const t = taskId ? tasks.get(taskId) : undefined;
    const taskType = String(e.data.taskType ?? t?.type ?? '');
    const agencyId = typeof e.data.agencyId === 'string' ? e.data.agencyId : null;
    const audience = t?.audience ?? (agencyId ? 'agency' : 'office');
    const taskFacts = { taskId, ...about, agencyId, type: taskType };
    const base = { caseId: view.id, occurredAt: e.at, agencyId: audience === 'agency' ? agencyId : null, offices: [t?.office ?? view.office], task: { audience, type: taskType } };
    if (e.type === 'task_created' && taskId) {
      out.push({
        ...base,
        event: 'task.created',
        dedupeKey: `task.created:${taskId}`,
        data: { ...taskFacts, audience, priority: t?.priority ?? null, dueAt: t?.dueAt ?? e.data.dueAt ?? null, input: t?.input ?? {} },
      });
    } else if (e.type === 'task_reminder' && taskId) {
      out.push({ ...base, event: 'task.reminder', dedupeKey: `task.reminder:${taskId}`, data: { ...taskFacts, dueAt: e.data.dueAt ?? null } });
    } else if (e.type === 'task_escalated' && taskId) {
      const level = Number(e.data.level);
      out.push({ ...base, event: 'task.escalated', dedupeKey: `task.escalated:${taskId}:${level}`, data: { ...taskFacts, level, dueAt: e.data.dueAt ?? null } });
    } else if (e.type === 'stage_changed' && e.data.to === 'closed') {
      out.push({
        event: 'case.closed',
        dedupeKey: `case.closed:${view.id}`,
        caseId: view.id,
        occurredAt: e.at,
        // The consulate worked the case (its tasks were just cancelled): it learns that it closed, not why.
        agencyId: view.consulateId,
        offices: [view.office],
        officeOnly: { reason: view.closure?.reason ?? null },
        data: { ...about, closedAt: view.closure?.closedAt ?? e.at },
      });
    }
  }
  for (const a of step.approvals) {
    if (a.status !== 'pending') continue;
    out.push({
      event: 'approval.requested',
      dedupeKey: `approval.requested:${a.id}`,
      caseId: view.id,
      occurredAt: step.events.at(-1)?.at ?? new Date().toISOString(),
      agencyId: null,
      // A transfer is decided by the receiving office, so it is asked too.
      offices: [...new Set([a.office, ...(a.transfer ? [a.transfer.toOffice] : [])])],
      data: { approvalId: a.id, ...about, kind: a.kind, reason: a.reason, dueAt: a.dueAt },
    });
  }
  return out;
}

/**
 * Writes the outbox rows of a step inside its transaction: for each notification, one row per live
 * subscription to its event that is scoped to its agency or to one of its offices. Returns the
 * subscriptions that got rows, whose dispatchers to wake once the transaction commits.
 */
export async function enqueueNotifications(tx: Tx, step: NotifiableStep, cipher: FieldCipher): Promise<string[]> {
  const notes = notificationsOf(step);
  if (notes.length === 0) return [];
  const agencies = [...new Set(notes.flatMap((n) => (n.agencyId ? [n.agencyId] : [])))];
  const offices = [...new Set(notes.flatMap((n) => n.offices))];
  const subs = await tx
    .select({ id: webhooks.id, agencyId: webhooks.agencyId, office: webhooks.office, events: webhooks.events })
    .from(webhooks)
    .where(
      sql`${webhooks.deletedAt} is null and (${webhooks.agencyId} = any(${textArray(agencies)}::text[]) or ${webhooks.office} = any(${textArray(offices)}::text[]))`,
    );
  if (subs.length === 0) return [];
  const rows = notes.flatMap((n) =>
    subs
      .filter((s) => s.events.includes(n.event) && (s.agencyId ? s.agencyId === n.agencyId : n.offices.includes(s.office!)))
      .map((s) => ({
        webhookId: s.id,
        dedupeKey: n.dedupeKey,
        event: n.event,
        caseId: n.caseId,
        occurredAt: new Date(n.occurredAt),
        payload: cipher.seal(storedPayload(n, s.agencyId !== null), aad.webhookPayload(s.id, n.dedupeKey)),
      })),
  );
  if (rows.length === 0) return [];
  const inserted = await tx.insert(webhookDeliveries).values(rows).onConflictDoNothing().returning({ webhookId: webhookDeliveries.webhookId });
  return [...new Set(inserted.map((r) => r.webhookId))];
}

/** What is kept for delivery: never a field its receiver may not read (officeOnly stays with offices). */
export interface StoredPayload {
  occurredAt: string;
  task?: { audience: string; type: string };
  data: Record<string, unknown>;
}

function storedPayload(n: Notification, forAgency: boolean): StoredPayload {
  return { occurredAt: n.occurredAt, ...(n.task ? { task: n.task } : {}), data: forAgency ? n.data : { ...n.data, ...n.officeOnly } };
}

// Agency and office ids hold no quote, comma or brace (domain/schemas.ts agencyId, officeId).
const textArray = (values: string[]) => `{${values.join(',')}}`;
