// A step, committed: the case gets its next version (the first step keeps version 1), its state is
// bounded, and what the read model must store is built: the case as it now is, and what this step
// added or touched. The workflow's stepper hands this to the persist activity; tests use it too, so
// no one rebuilds it by hand.
import type { IdentityDocument } from '../shapes.js';
import type { Approval, CaseState, CaseTask, Change, TimelineEvent } from './state.js';
import { type CaseView, caseView } from './views.js';
import { trimState } from './limits.js';

type Scoped = { caseId: string; caseReference: string; office: string };

/** What one step hands to the read model (the persist activity's input). */
export interface CommittedStep {
  caseView: CaseView;
  /** Only on the first write of a case. */
  documents?: IdentityDocument[];
  /** The step changed the person's name, date of birth, nationalities or documents: the read model re-indexes them. */
  personChanged?: boolean;
  events: TimelineEvent[];
  tasks: Array<CaseTask & Scoped>;
  approvals: Array<Approval & Scoped>;
}

/**
 * Commits `change` on `state` (in place): bumps the version unless it is the case's first step,
 * trims the state to its bounds when asked (every step but those of the pre-'serialised-steps'
 * path, which never did), and returns what the read model stores.
 */
export function commit(state: CaseState, change: Change, opts: { first?: boolean; trim?: boolean } = {}): CommittedStep {
  const first = opts.first ?? false;
  if (!first) state.version += 1;
  if (opts.trim) trimState(state);
  const scope = { caseId: state.id, caseReference: state.reference, office: state.office };
  return {
    caseView: caseView(state),
    documents: first ? state.person.documents : undefined,
    ...(change.personChanged ? { personChanged: true } : {}),
    events: change.events,
    tasks: change.tasks.map((t) => ({ ...t, ...scope })),
    approvals: change.approvals.map((a) => ({ ...a, ...scope })),
  };
}
