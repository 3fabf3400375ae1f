// The case's clock: time arithmetic, the reminder/escalation ladder of tasks and approvals, when the
// workflow must wake next, what falls due (fireDue), and how hold/resume pauses all of it. What a
// stage's own deadline does when it passes is in that stage's module.
import type { Priority } from '../shapes.js';
import type { CaseState, CaseTask, Change, Ctx } from './state.js';
import { openTasks } from './state.js';
import { emit, emptyChange } from './steps.js';
import { askAgainDue, openReview } from './reviews.js';
import { stageRules } from './stages/index.js';
import { sendFollowUpsDue } from './stages/employment-assistance.js';

export function addDays(iso: string, days: number): string {
  return addMs(iso, days * 86_400_000);
}
export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** Resuming gives every deadline back the time it had left when the case was put on hold. */
export function resume(state: CaseState, change: Change, ctx: Ctx): void {
  const pausedMs = state.heldAt ? Math.max(0, Date.parse(ctx.now) - Date.parse(state.heldAt)) : 0;
  state.onHold = false;
  state.holdReason = null;
  state.heldAt = null;
  if (pausedMs === 0) return;
  for (const t of openTasks(state)) {
    t.dueAt = addMs(t.dueAt, pausedMs);
    t.ladderStartAt = addMs(t.ladderStartAt, pausedMs);
    t.rev += 1;
    if (!change.tasks.includes(t)) change.tasks.push(t);
  }
  for (const a of state.approvals) {
    if (a.status !== 'pending') continue;
    a.dueAt = addMs(a.dueAt, pausedMs);
    a.ladderStartAt = addMs(a.ladderStartAt, pausedMs);
    a.rev += 1;
    if (!change.approvals.includes(a)) change.approvals.push(a);
  }
  if (state.stageDeadline) state.stageDeadline = { ...state.stageDeadline, at: addMs(state.stageDeadline.at, pausedMs) };
  state.followUpSchedule = state.followUpSchedule.map((f) => ({ ...f, at: addMs(f.at, pausedMs) }));
  if (state.reviewWaits) state.reviewWaits = state.reviewWaits.map((w) => ({ ...w, at: addMs(w.at, pausedMs) }));
}

type Laddered = Pick<CaseTask, 'ladderStartAt' | 'dueAt' | 'escalationLevel' | 'remindedAt'>;

/** The next rung of a task's or approval's ladder: reminder at half, escalation at due, again at twice. */
function nextRung(item: Laddered, policy: CaseState['policy']): { rung: 'reminder' | 1 | 2; at: number } | null {
  const start = Date.parse(item.ladderStartAt);
  const span = Date.parse(item.dueAt) - start;
  if (item.remindedAt === null && item.escalationLevel === 0) return { rung: 'reminder', at: start + span * policy.reminderAt };
  if (item.escalationLevel === 0) return { rung: 1, at: start + span * policy.escalateAt };
  if (item.escalationLevel === 1) return { rung: 2, at: start + span * policy.secondEscalationAt };
  return null;
}

/** When the workflow must wake next (epoch ms), or null when nothing is scheduled. Paused on hold. */
export function nextWakeAt(state: CaseState): number | null {
  if (state.status === 'closed' || state.onHold) return null;
  let next: number | null = null;
  const consider = (at: number) => {
    if (next === null || at < next) next = at;
  };
  for (const t of openTasks(state)) {
    const r = nextRung(t, state.policy);
    if (r) consider(r.at);
  }
  for (const a of state.approvals) {
    if (a.status !== 'pending') continue;
    const r = nextRung(a, state.policy);
    if (r) consider(r.at);
  }
  if (state.stageDeadline) consider(Date.parse(state.stageDeadline.at));
  for (const f of state.followUpSchedule) consider(Date.parse(f.at));
  for (const w of state.reviewWaits ?? []) consider(Date.parse(w.at));
  return next;
}

const RAISED: Record<Priority, Priority> = { low: 'normal', normal: 'high', high: 'critical', critical: 'critical' };

export function raisePriority(state: CaseState, change: Change, ctx: Ctx, why: string): void {
  const from = state.priority;
  const to = RAISED[from];
  if (to === from) return;
  state.priority = to;
  emit(state, change, ctx, 'priority_raised', { from, to, why });
}

/** Everything due at ctx.now, in one change: reminders, escalations, stage deadlines, follow-ups, reviews' waits. */
export function fireDue(state: CaseState, ctx: Ctx): Change {
  const change = emptyChange();
  if (state.status === 'closed' || state.onHold) return change;
  const now = Date.parse(ctx.now);
  for (const t of openTasks(state)) {
    for (let r = nextRung(t, state.policy); r && r.at <= now; r = nextRung(t, state.policy)) {
      t.rev += 1;
      if (!change.tasks.includes(t)) change.tasks.push(t);
      if (r.rung === 'reminder') {
        t.remindedAt = ctx.now;
        emit(state, change, ctx, 'task_reminder', { taskId: t.id, taskType: t.type, agencyId: t.agencyId, dueAt: t.dueAt });
        continue;
      }
      t.escalationLevel = r.rung;
      emit(state, change, ctx, 'task_escalated', { taskId: t.id, taskType: t.type, agencyId: t.agencyId, level: r.rung, dueAt: t.dueAt });
      // The task stays with its agency; a supervisor is asked to chase it (not for reviews themselves).
      if (r.rung === 1 && t.type !== 'supervisor_review') openReview(state, change, ctx, 'task_overdue', t.id);
      if (r.rung === 2) raisePriority(state, change, ctx, `${t.type} overdue twice its time`);
    }
  }
  for (const a of state.approvals) {
    if (a.status !== 'pending') continue;
    for (let r = nextRung(a, state.policy); r && r.at <= now; r = nextRung(a, state.policy)) {
      a.rev += 1;
      if (!change.approvals.includes(a)) change.approvals.push(a);
      if (r.rung === 'reminder') {
        a.remindedAt = ctx.now;
        emit(state, change, ctx, 'approval_reminder', { approvalId: a.id, dueAt: a.dueAt });
        continue;
      }
      a.escalationLevel = r.rung;
      emit(state, change, ctx, 'approval_escalated', { approvalId: a.id, level: r.rung, dueAt: a.dueAt });
      if (r.rung === 2) raisePriority(state, change, ctx, `${a.kind} approval overdue twice its time`);
    }
  }
  const deadline = state.stageDeadline;
  if (deadline && Date.parse(deadline.at) <= now) {
    emit(state, change, ctx, 'stage_deadline', { kind: deadline.kind, at: deadline.at });
    // Dispatched by the deadline's kind: each kind belongs to exactly one stage.
    stageRules().find((s) => s.deadline?.kind === deadline.kind)!.deadline!.fire(state, deadline, change, ctx);
  }
  sendFollowUpsDue(state, change, ctx);
  askAgainDue(state, change, ctx);
  return change;
}
