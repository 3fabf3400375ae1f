// Fitness to travel: whether the person may make the journey home. The consulate's medical check
// (arrange_medical_check, during consular contact) records it first; the caseworker records later
// checks with record_medical (consular contact and return: a doctor at the shelter, a hospital's
// discharge). The latest record wins. While it says unfit, no return is booked (book_return is not
// offered, and is refused with why) until a later record says fit. A trip booked before a person
// fell ill stays booked, and departure and arrival are still recorded: they are facts, not plans.
import type { ActionTable } from './rules.js';
import type { CaseState, Ctx, MedicalRecord } from './state.js';

export function recordFitness(state: CaseState, result: { fitToTravel: boolean; notes?: string }, source: MedicalRecord['source'], ctx: Ctx): void {
  state.medical = { fitToTravel: result.fitToTravel, notes: result.notes ?? null, recordedAt: ctx.now, source };
}

export function unfitToTravel(state: CaseState): boolean {
  return state.medical?.fitToTravel === false;
}

/** Why a return cannot be booked now (the refusal's message), or null when it can. */
export function whyNoReturn(state: CaseState): string | null {
  if (!unfitToTravel(state)) return null;
  const by = state.medical!.source === 'arrange_medical_check' ? "the consulate's medical check" : 'the latest medical record';
  return `the person is unfit to travel (${by}, ${state.medical!.recordedAt}); record_medical with fitToTravel true first`;
}

export const medicalActions: Pick<ActionTable, 'record_medical'> = {
  // Allowed on hold too: a record of fact, and a person in hospital is often why a case is held.
  record_medical: {
    stages: ['consular_contact', 'return'],
    whileOnHold: true,
    apply: (state, action, _change, ctx) => recordFitness(state, action, 'record_medical', ctx),
  },
};
