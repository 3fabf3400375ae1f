// Bounds on what the workflow keeps: its state travels through every continue-as-new and into every
// history's input, so what users can append is capped here; the read model keeps everything.
import type { CaseState, CaseTask } from './state.js';

/** How much of what users can append the workflow state keeps; the timeline in PostgreSQL keeps it all. */
export const STATE_LIMITS = { sightings: 20, referrals: 50, linkedOperations: 100, closedTasks: 50, closedApprovals: 20, policeReferrals: 20 } as const;

/**
 * Keeps the workflow's state (carried through every continue-as-new, and in every history's input)
 * bounded whatever users append. Closed tasks the rules still read are kept: the latest completed
 * task of each type, supervisor reviews that waived something and the tasks they waived, and the
 * tasks open reviews are about.
 */
export function trimState(state: CaseState): void {
  state.sightings = state.sightings.slice(-STATE_LIMITS.sightings);
  state.employment.referrals = state.employment.referrals.slice(-STATE_LIMITS.referrals);
  if (state.linkedOperations) state.linkedOperations = state.linkedOperations.slice(-STATE_LIMITS.linkedOperations);
  if (state.policeReferrals) state.policeReferrals = state.policeReferrals.slice(-STATE_LIMITS.policeReferrals);

  const closed = state.tasks.filter((t) => t.status !== 'open' && t.status !== 'claimed');
  if (closed.length > STATE_LIMITS.closedTasks) {
    const keep = new Set<string>();
    // Per type (and, for nationality, per outcome: one positive verification is what the stage needs).
    const latestCompleted = new Map<string, CaseTask>();
    for (const t of state.tasks) {
      if (t.status === 'open' || t.status === 'claimed') {
        keep.add(t.id);
        if (t.review?.taskId) keep.add(t.review.taskId);
      }
      if (t.status === 'completed') latestCompleted.set(`${t.type}:${t.type === 'verify_nationality' ? t.result?.verified !== false : ''}`, t);
      if (t.type === 'supervisor_review' && t.status === 'completed' && t.result?.decision === 'proceed') {
        keep.add(t.id);
        if (t.review?.taskId) keep.add(t.review.taskId);
      }
    }
    for (const t of latestCompleted.values()) keep.add(t.id);
    for (const t of closed.slice(-STATE_LIMITS.closedTasks)) keep.add(t.id);
    state.tasks = state.tasks.filter((t) => keep.has(t.id));
  }
  const closedApprovals = state.approvals.filter((a) => a.status !== 'pending');
  if (closedApprovals.length > STATE_LIMITS.closedApprovals) {
    const dropped = new Set(closedApprovals.slice(0, -STATE_LIMITS.closedApprovals));
    state.approvals = state.approvals.filter((a) => !dropped.has(a));
  }
}
