// A case's first step (its opening entry on the timeline, and the first stage's deadline; for a
// reopened case, the link to the closed one), and what happens when a later rescue operation finds
// the same person: the case records it, once.
import type { CaseState, Change, Ctx, TimelineEvent } from './state.js';
import { emit, emptyChange } from './steps.js';
import { stageDeadlineFor } from './stages/index.js';
import { commit } from './commit.js';

/** The first timeline entry; the workflow records it when it starts, unless whoever opened the case took it already (takeOpeningStep). */
export function openingStep(state: CaseState, ctx: Ctx): Change {
  const change = emptyChange();
  state.stageDeadline = stageDeadlineFor(state, state.stage, ctx.now);
  emit(state, change, ctx, 'case_opened', {
    source: state.source,
    riskFlags: state.riskFlags,
    consulateId: state.consulateId,
    location: state.location,
    operationId: state.operationId,
    ...(state.previousCase ? { previousCaseId: state.previousCase.id } : {}),
  });
  // A reopened case's timeline names the closed case it follows (which names this one in turn).
  if (state.previousCase) {
    const { id, reference, reason } = state.previousCase;
    emit(state, change, ctx, 'reopened_from', { previousCaseId: id, previousReference: reference, reason });
  }
  return change;
}

/**
 * Takes and commits the opening step outside the workflow, for a case whose first rows are written
 * by whoever opens it (a rescue operation's batch writes a whole batch in one transaction). The
 * workflow then starts from the returned state, as after continue-as-new, and writes nothing until
 * its first real step: the opening is stored once instead of twice. Returns the opening's timeline
 * entries, which go to the read model with the case row.
 */
export function takeOpeningStep(state: CaseState, ctx: Ctx): TimelineEvent[] {
  return commit(state, openingStep(state, ctx), { first: true, trim: true }).events;
}

/** A rescue operation found this person again: the case records it once, and opens no other case. */
export function linkOperation(state: CaseState, operation: { operationId: string; name: string }, ctx: Ctx): Change {
  const change = emptyChange();
  state.linkedOperations ??= [];
  if (state.linkedOperations.includes(operation.operationId)) return change;
  state.linkedOperations.push(operation.operationId);
  emit(state, change, ctx, 'linked_to_operation', { operationId: operation.operationId, operationName: operation.name });
  return change;
}
