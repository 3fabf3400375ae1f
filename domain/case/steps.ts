// The verbs every rule is written with: record an event, move to a stage, send a task, close one.
// Each takes the Change of the step it is part of, so the read model learns exactly what the step
// touched. The stage's own rules (deadline, what entering it sends) come from its stage module.
import type { Stage, TaskStatus, TaskType } from '../shapes.js';
import { daysMs } from '../policy.js';
import type { Approval, Audience, CaseState, CaseTask, Change, Ctx } from './state.js';
import { addMs } from './clock.js';
import { stageDeadlineFor, stageRules } from './stages/index.js';

export function emptyChange(): Change {
  return { events: [], tasks: [], approvals: [] };
}

export function emit(state: CaseState, change: Change, ctx: Ctx, type: string, data: Record<string, unknown>): void {
  state.seq += 1;
  state.updatedAt = ctx.now;
  change.events.push({ seq: state.seq, at: ctx.now, type, actor: ctx.actor, stage: state.stage, data });
}

export function enterStage(state: CaseState, change: Change, ctx: Ctx, stage: Stage): void {
  const from = state.stage;
  state.stage = stage;
  state.stageEnteredAt = ctx.now;
  state.stageDeadline = stageDeadlineFor(state, stage, ctx.now);
  emit(state, change, ctx, 'stage_changed', { from, to: stage });
  stageRules(stage).onEnter?.(state, change, ctx);
}

export function addTask(
  state: CaseState,
  change: Change,
  ctx: Ctx,
  type: TaskType,
  opts: { audience: Audience; agencyId: string | null; input: Record<string, unknown>; dueAt?: string; review?: CaseTask['review'] },
): CaseTask {
  const task: CaseTask = {
    id: ctx.newId(),
    type,
    agencyId: opts.agencyId,
    audience: opts.audience,
    status: 'open',
    priority: state.priority,
    dueAt: opts.dueAt ?? addMs(ctx.now, daysMs(state.policy, state.policy.taskDueDays[type])),
    escalationLevel: 0,
    input: opts.input,
    result: null,
    reason: null,
    ...(opts.review ? { review: opts.review } : {}),
    completedBy: null,
    createdAt: ctx.now,
    completedAt: null,
    rev: 1,
    ladderStartAt: ctx.now,
    remindedAt: null,
  };
  state.tasks.push(task);
  change.tasks.push(task);
  emit(state, change, ctx, 'task_created', { taskId: task.id, taskType: type, agencyId: task.agencyId, audience: task.audience, dueAt: task.dueAt });
  return task;
}

export function closeTask(task: CaseTask, change: Change, status: TaskStatus, ctx: Ctx, reason?: string): void {
  task.status = status;
  task.completedAt = ctx.now;
  task.completedBy = ctx.actor.sub;
  if (reason) task.reason = reason;
  task.rev += 1;
  if (!change.tasks.includes(task)) change.tasks.push(task);
}

/** Opens an approval for a supervisor, due after the policy's time; the caller records what it is for. */
export function addApproval(
  state: CaseState,
  change: Change,
  ctx: Ctx,
  what: Pick<Approval, 'kind' | 'reason' | 'comment'> & Pick<Partial<Approval>, 'transfer'>,
): Approval {
  const approval: Approval = {
    id: ctx.newId(),
    kind: what.kind,
    reason: what.reason,
    comment: what.comment,
    requestedBy: ctx.actor,
    status: 'pending',
    dueAt: addMs(ctx.now, daysMs(state.policy, state.policy.approvalDueDays)),
    escalationLevel: 0,
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
    createdAt: ctx.now,
    rev: 1,
    ladderStartAt: ctx.now,
    remindedAt: null,
    ...(what.transfer ? { transfer: what.transfer } : {}),
  };
  state.approvals.push(approval);
  change.approvals.push(approval);
  return approval;
}
