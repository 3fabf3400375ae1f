// Children (the `minor` risk flag, at intake or added later). A child is not sent home on the
// caseworker's say alone: the return is booked only once a guardian is on record (person.guardian,
// through update_person) and a best-interests determination (record_best_interests) has found the
// return to be in the child's best interests (UNCRC art. 3; UNHCR/UNICEF best-interests procedure).
// Consent for a child is the guardian's: granting consent needs `givenBy: "guardian"` and a guardian
// on record. A refusal or a withdrawal is accepted from the child as from the guardian: it only stops
// data from flowing, and overruling a child's "no" is not something this system should do for anyone.
import type { ActionOf } from '../shapes.js';
import { DomainError } from '../errors.js';
import type { ActionGuard, ActionTable, RuleSwitches } from './rules.js';
import type { CaseState } from './state.js';

export const isMinor = (state: CaseState): boolean => state.riskFlags.includes('minor');

export type MissingSafeguard = 'guardian' | 'best_interests_determination';

/** What a minor's return still waits for; nothing for an adult. */
export function missingReturnSafeguards(state: CaseState): MissingSafeguard[] {
  if (!isMinor(state)) return [];
  const missing: MissingSafeguard[] = [];
  if (!state.person.guardian) missing.push('guardian');
  if (state.bestInterests?.determination !== 'return_in_best_interests') missing.push('best_interests_determination');
  return missing;
}

/** book_return is held back until both safeguards exist; the refusal says which are missing. */
export const minorReturnGuard: ActionGuard = {
  actions: ['book_return'],
  switch: 'minorSafeguards',
  blocked: (state) => {
    const missing = missingReturnSafeguards(state);
    if (missing.length === 0) return null;
    const against = state.bestInterests?.determination === 'return_not_in_best_interests';
    const what = missing.map((m) => (m === 'guardian' ? 'a guardian (update_person guardian)' : against ? 'a best-interests determination in favour of the return (the latest found against it)' : 'a best-interests determination (record_best_interests)'));
    return { reason: `the person is a minor: record ${what.join(' and ')} first`, details: { missing } };
  },
};

/** A minor's consent, and anyone's consent given by a guardian: see the module comment. */
export function checkConsentGiver(state: CaseState, action: ActionOf<'record_consent'>, rules?: RuleSwitches): void {
  if (rules?.minorSafeguards === false) return;
  const granting = action.consularNotification === 'granted' || action.dataSharing === 'granted';
  if (isMinor(state) && granting && action.givenBy !== 'guardian') {
    throw new DomainError('validation_failed', 'a minor\'s consent is given by the guardian', [
      { path: 'givenBy', message: 'the person is a minor: consent is granted by the guardian (givenBy "guardian")' },
    ]);
  }
  if (action.givenBy === 'guardian' && !state.person.guardian) {
    throw new DomainError('conflict', 'no guardian is on record: record the guardian (update_person guardian) before their consent', { missing: ['guardian'] });
  }
}

export const minorActions: Pick<ActionTable, 'record_best_interests'> = {
  // Offered only for a minor; the latest determination is the one in force.
  record_best_interests: {
    stages: 'any',
    whileOnHold: true,
    available: isMinor,
    apply: (state, action, _change, ctx) => {
      state.bestInterests = { determination: action.determination, decidedBy: action.decidedBy, notes: action.notes ?? null, recordedAt: ctx.now, recordedBy: ctx.actor };
    },
  },
};
