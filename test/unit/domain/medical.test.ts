// Fitness to travel (domain/case/medical.ts): the consulate's medical check and record_medical; an
// unfit person gets no booking until a later record says fit.
import { describe, expect, it } from 'vitest';
import { CURRENT_FEATURES, allowedActions, caseView, validateAction } from '../../../domain/case.js';
import { rejection, world } from './world.js';

const unfitCheck = { fitToTravel: false, notes: 'fractured wrist, surgery first' };
const book = { type: 'book_return', departureAt: '2026-11-05T00:00:00Z', arrivalPort: 'MNL' };

/** An injured person, through consular contact with the medical check's result. */
function afterMedicalCheck(result: Record<string, unknown>, features = CURRENT_FEATURES) {
  const w = world({ features });
  w.act({ type: 'record_extraction', extractedAt: '2026-11-01T03:00:00Z', handedOverTo: 'police', injured: true });
  w.complete('arrange_medical_check', result);
  w.complete('verify_nationality', { verified: true });
  w.complete('issue_travel_document', { documentType: 'passport', number: 'X1', validUntil: '2030-01-01' });
  return w;
}

describe('fitness to travel', () => {
  it('when the medical check finds the person unfit, then the case still enters return but book_return is neither offered nor accepted', () => {
    const w = afterMedicalCheck(unfitCheck);
    expect(w.state.stage).toBe('return');
    expect(w.state.medical).toMatchObject({ fitToTravel: false, notes: 'fractured wrist, surgery first', source: 'arrange_medical_check' });
    expect(caseView(w.state).medical).toMatchObject({ fitToTravel: false });
    const allowed = allowedActions(w.state);
    expect(allowed).not.toContain('book_return');
    expect(allowed).toContain('record_medical');
    const err = rejection(() => validateAction(w.state, book, w.iso()));
    expect(err.code).toBe('invalid_transition');
    expect(err.details).toEqual({ stage: 'return', allowed });
    expect(err.message).toMatch(/^book_return is not allowed now: the person is unfit to travel \(the consulate's medical check, .*\); record_medical with fitToTravel true first$/);
  });

  it('when a later record says fit, then the return can be booked', () => {
    const w = afterMedicalCheck(unfitCheck);
    w.act({ type: 'record_medical', fitToTravel: true, notes: 'cleared by the shelter doctor' });
    expect(w.state.medical).toMatchObject({ fitToTravel: true, notes: 'cleared by the shelter doctor', source: 'record_medical' });
    expect(allowedActions(w.state)).toContain('book_return');
    w.act(book);
    expect(w.state.returnTrip).toMatchObject({ arrivalPort: 'MNL' });
  });

  it('when the latest record says unfit, then it wins over an earlier fit one, whoever recorded either', () => {
    const w = afterMedicalCheck({ fitToTravel: true });
    expect(allowedActions(w.state)).toContain('book_return');
    w.act({ type: 'record_medical', fitToTravel: false });
    expect(allowedActions(w.state)).not.toContain('book_return');
    expect(rejection(() => validateAction(w.state, book, w.iso())).message).toContain('the latest medical record');
  });

  it('when record_medical is used outside consular contact and return, then it is refused with the stage and what is allowed', () => {
    const w = world();
    expect(w.state.stage).toBe('extraction');
    const err = rejection(() => validateAction(w.state, { type: 'record_medical', fitToTravel: true }, w.iso()));
    expect(err.code).toBe('invalid_transition');
    expect(err.details).toEqual({ stage: 'extraction', allowed: allowedActions(w.state) });
    w.extract();
    expect(allowedActions(w.state)).toContain('record_medical');
  });

  it('when the case is on hold, then a medical record can still be made (a person in hospital is often why)', () => {
    const w = afterMedicalCheck(unfitCheck);
    w.act({ type: 'hold', reason: 'in hospital' });
    expect(allowedActions(w.state)).toContain('record_medical');
    w.act({ type: 'record_medical', fitToTravel: true });
    expect(rejection(() => validateAction(w.state, book, w.iso())).message).toContain('on hold');
  });

  it('when the fields are wrong, then record_medical is refused as validation_failed naming them', () => {
    const w = world();
    w.extract();
    const err = rejection(() => validateAction(w.state, { type: 'record_medical', fitToTravel: 'no', extra: 1 }, w.iso()));
    expect(err.code).toBe('validation_failed');
    expect((err.details as Array<{ path: string }>).map((d) => d.path).sort()).toEqual(['extra', 'fitToTravel']);
  });

  it('when the patch is off (histories recorded before it), then an unfit check is ignored as it was, and the return can be booked', () => {
    const w = afterMedicalCheck(unfitCheck, { ...CURRENT_FEATURES, unfitBlocksReturn: false });
    expect(w.state.medical).toBeUndefined();
    expect(allowedActions(w.state)).toContain('book_return');
  });
});
