// Children (domain/case/minors.ts): a minor's return is booked only with a guardian on record and a
// best-interests determination in favour of it; a minor's consent is granted by the guardian.
import { describe, expect, it } from 'vitest';
import { allowedActions, missingReturnSafeguards, validateAction } from '../../../domain/case.js';
import { rejection, world } from './world.js';

const guardian = { fullName: 'Tran Thi Mai', relationship: 'parent' };
const booking = { type: 'book_return', departureAt: '2026-11-05T00:00:00Z', arrivalPort: 'SGN' };
const inFavour = { type: 'record_best_interests', determination: 'return_in_best_interests', decidedBy: 'MOLISA social worker' };

/** A minor's consular contact includes a shelter (domain/case/stages/consular-contact.ts). */
function minorInReturn() {
  const w = world({ riskFlags: ['minor'] });
  w.extract();
  w.complete('arrange_shelter', { shelterName: 'Mae Sot children\'s shelter', from: '2026-11-01' });
  w.complete('verify_nationality', { verified: true });
  w.complete('issue_travel_document', { documentType: 'emergency_travel_document', number: 'ETD-9', validUntil: '2027-01-31' });
  expect(w.state.stage).toBe('return');
  return w;
}

describe('a minor\'s return', () => {
  it('when a minor reaches the return stage with neither a guardian nor a determination, then book_return is not offered and is refused, naming both', () => {
    const w = minorInReturn();
    expect(allowedActions(w.state)).not.toContain('book_return');
    const err = rejection(() => validateAction(w.state, booking, w.iso()));
    expect(err.code).toBe('invalid_transition');
    expect(err.message).toContain('minor');
    expect(err.details).toEqual({ stage: 'return', allowed: allowedActions(w.state), missing: ['guardian', 'best_interests_determination'] });
  });

  it('when the guardian is recorded, then only the determination is missing; one against the return keeps it refused; one in favour allows it', () => {
    const w = minorInReturn();
    w.act({ type: 'update_person', guardian, reason: 'mother found' });
    expect(missingReturnSafeguards(w.state)).toEqual(['best_interests_determination']);
    w.act({ ...inFavour, determination: 'return_not_in_best_interests', notes: 'family involved in the recruitment' });
    const err = rejection(() => validateAction(w.state, booking, w.iso()));
    expect(err.message).toContain('found against it');
    expect(err.details).toMatchObject({ missing: ['best_interests_determination'] });
    w.act(inFavour);
    expect(w.state.bestInterests).toMatchObject({ determination: 'return_in_best_interests', decidedBy: 'MOLISA social worker', notes: null });
    expect(allowedActions(w.state)).toContain('book_return');
    w.act(booking);
    expect(w.state.returnTrip).toMatchObject({ arrivalPort: 'SGN' });
  });

  it('when the minor flag is added during the return, then the booking waits; when it is removed (with its reason), it does not', () => {
    const w = world();
    w.toReturn();
    expect(allowedActions(w.state)).toContain('book_return');
    w.act({ type: 'add_risk_flag', flag: 'minor', reason: 'age assessment' });
    expect(allowedActions(w.state)).not.toContain('book_return');
    w.act({ type: 'remove_risk_flag', flag: 'minor', reason: 'birth certificate shows 19' });
    expect(allowedActions(w.state)).toContain('book_return');
  });

  it('when a booking accepted before the rule is replayed, then the rule is switched off for it', () => {
    const w = minorInReturn();
    expect(() => validateAction(w.state, booking, w.iso(), undefined, { minorSafeguards: false })).not.toThrow();
    expect(allowedActions(w.state, { minorSafeguards: false })).toContain('book_return');
  });

  it('when the person is not a minor, then no determination is offered and none is asked for', () => {
    const w = world();
    expect(allowedActions(w.state)).not.toContain('record_best_interests');
    expect(rejection(() => validateAction(w.state, inFavour, w.iso())).code).toBe('invalid_transition');
    expect(missingReturnSafeguards(w.state)).toEqual([]);
  });
});

describe('a minor\'s consent', () => {
  it('when consent is granted for a minor without givenBy guardian, then it is refused on givenBy', () => {
    const w = world({ riskFlags: ['minor'] });
    for (const givenBy of [undefined, 'person']) {
      const err = rejection(() => validateAction(w.state, { type: 'record_consent', dataSharing: 'granted', ...(givenBy ? { givenBy } : {}) }, w.iso()));
      expect(err.code).toBe('validation_failed');
      expect(err.details).toEqual([{ path: 'givenBy', message: expect.stringContaining('guardian') }]);
    }
  });

  it('when the guardian grants consent before a guardian is on record, then it is a conflict; once recorded, it is accepted and the timeline says who gave it', () => {
    const w = world({ riskFlags: ['minor'] });
    const consent = { type: 'record_consent', consularNotification: 'granted', dataSharing: 'granted', givenBy: 'guardian' };
    const err = rejection(() => validateAction(w.state, consent, w.iso()));
    expect(err.code).toBe('conflict');
    expect(err.details).toEqual({ missing: ['guardian'] });
    w.act({ type: 'update_person', guardian, reason: 'father' });
    const change = w.act(consent);
    expect(change.events[0]!.data).toMatchObject({ givenBy: 'guardian' });
    expect(w.state.consent).toEqual({ consularNotification: 'granted', dataSharing: 'granted' });
  });

  it('when a minor refuses or withdraws consent themselves, then it is accepted: a "no" is never overruled', () => {
    const w = world({ riskFlags: ['minor'] });
    w.act({ type: 'record_consent', dataSharing: 'withdrawn', givenBy: 'person' });
    w.act({ type: 'record_consent', consularNotification: 'refused' });
    expect(w.state.consent).toEqual({ consularNotification: 'refused', dataSharing: 'withdrawn' });
  });

  it('when an adult\'s consent is recorded without givenBy, or a consent of a minor from before the rule is replayed, then it is accepted', () => {
    expect(() => world().act({ type: 'record_consent', dataSharing: 'granted' })).not.toThrow();
    const w = world({ riskFlags: ['minor'] });
    expect(() => validateAction(w.state, { type: 'record_consent', dataSharing: 'granted' }, w.iso(), undefined, { minorSafeguards: false })).not.toThrow();
  });
});
