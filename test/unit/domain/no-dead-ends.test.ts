// No dead ends, proven (issue #9): a model-based test over the pure lifecycle. fast-check draws
// sequences of anything that can happen to a case (test/support/case-model.ts); from every state
// they reach, people doing their job must take the case to closed through its normal path, and every
// open task and approval must be something its people can act on. With the fixes switched off (the
// code that histories recorded before them replay), the same property finds the three dead ends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENT_FEATURES, type Features, openTasks } from '../../../domain/case.js';
import { ACTION_TYPES, RISK_FLAGS, type RiskFlag, actionSchemas } from '../../../domain/schemas.js';
import {
  ACTION_GENERATORS,
  CaseModel,
  type GenContext,
  type Move,
  ModelViolation,
  checkActionable,
  drawMove,
  helpToClosed,
} from '../../support/case-model.js';

const CONSULATES = ['ph-bkk', 'ph-kul'];
// Enough to reach every stage and every decision many times over in a few seconds; set
// NO_DEAD_ENDS_RUNS (and NO_DEAD_ENDS_SEED to replay a failure) to search longer.
const RUNS = Number(process.env.NO_DEAD_ENDS_RUNS ?? 150);
const MAX_MOVES = 40;

const riskFlags = () => fc.subarray([...RISK_FLAGS]);
const confirmed = () => fc.boolean();
const length = () => fc.integer({ min: 0, max: MAX_MOVES });

/** From the case's opening and after every move of a drawn sequence, the helpful completion must close it. */
function noDeadEnds(features: Features) {
  return fc.property(fc.gen(), (g) => {
    const model = new CaseModel({ features, riskFlags: g(riskFlags), confirmed: g(confirmed) });
    helpToClosed(model.clone());
    const moves = g(length);
    for (let i = 0; i < moves && !model.closed; i++) {
      model.apply(drawMove(g, model, { consulates: CONSULATES, clock: true }), { checkRefusals: true });
      checkActionable(model);
      helpToClosed(model.clone());
    }
  });
}

/** The message of the violation the property finds with these features, or null when it finds none. */
function violationFound(features: Features, numRuns: number): string | null {
  const out = fc.check(noDeadEnds(features), { numRuns, seed: 9, endOnFailure: true });
  if (!out.failed) return null;
  if (!(out.errorInstance instanceof ModelViolation)) throw out.errorInstance;
  return out.errorInstance.message;
}

/** A case taken through fixed moves; a task is named by its type (its place among the open ones is looked up). */
function scenario(features: Features, riskFlags: RiskFlag[], moves: Array<Move | { complete: string; result: Record<string, unknown> } | { reject: string }>) {
  const model = new CaseModel({ features, riskFlags, confirmed: true });
  const index = (type: string) => {
    const i = openTasks(model.state).findIndex((t) => t.type === type);
    if (i < 0) throw new Error(`no open ${type}`);
    return i;
  };
  for (const m of moves) {
    const move: Move = 'complete' in m ? { kind: 'complete', task: index(m.complete), result: m.result } : 'reject' in m ? { kind: 'reject', task: index(m.reject), reason: 'no record of this person' } : m;
    const outcome = model.apply(move);
    if (!outcome.ok) throw new Error(`${JSON.stringify(m)} refused: ${outcome.message}`);
  }
  return model;
}
const extracted = { kind: 'action', action: { type: 'record_extraction', extractedAt: '2026-11-01T03:00:00Z', handedOverTo: 'police' } } as const;
const consularDone = [
  { complete: 'verify_nationality', result: { verified: true } },
  { complete: 'issue_travel_document', result: { documentType: 'passport', number: 'X1', validUntil: '2030-01-01' } },
];
const home = [
  { kind: 'action', action: { type: 'book_return', departureAt: '2026-11-20T06:00:00Z', arrivalPort: 'MNL' } },
  { kind: 'action', action: { type: 'record_arrival', arrivedAt: '2026-11-20T10:00:00Z', port: 'MNL', receivedBy: 'desk' } },
] as const;

/** The three dead ends of issue #9, as moves: with the fix off, the helpful completion is stuck; with it on, it closes. */
const DEAD_ENDS = [
  {
    name: 'data sharing withdrawn during consular contact, the supervisor proceeds',
    off: { consentReviewsLeadOn: false },
    riskFlags: [] as RiskFlag[],
    moves: [extracted, { kind: 'action', action: { type: 'record_consent', dataSharing: 'withdrawn' } }, { complete: 'supervisor_review', result: { decision: 'proceed' } }] as const,
    old: /dead end in consular_contact/,
  },
  {
    name: 'the authority rejects its review, the supervisor proceeds',
    off: { reviewDecisionsLeadOn: false },
    riskFlags: [] as RiskFlag[],
    moves: [extracted, ...consularDone, ...home, { reject: 'exit_restriction_review' }, { complete: 'supervisor_review', result: { decision: 'proceed' } }] as const,
    old: /dead end in exit_restriction_check/,
  },
  {
    name: 'the authority rejects its review, the supervisor waits',
    off: { reviewDecisionsLeadOn: false },
    riskFlags: [] as RiskFlag[],
    moves: [extracted, ...consularDone, ...home, { reject: 'exit_restriction_review' }, { complete: 'supervisor_review', result: { decision: 'wait' } }] as const,
    old: /dead end in exit_restriction_check/,
  },
  {
    name: 'the medical check finds the person unfit to travel',
    off: { unfitBlocksReturn: false },
    riskFlags: ['injured'] as RiskFlag[],
    moves: [extracted, { complete: 'arrange_medical_check', result: { fitToTravel: false } }, ...consularDone] as const,
    old: /book_return was accepted while the latest medical record says the person is unfit/,
  },
];

describe('no dead ends (model-based, over the pure lifecycle)', () => {
  for (const d of DEAD_ENDS) {
    it(`when ${d.name}, then the case closes its normal way; with the fix off it did not`, () => {
      const moves = d.moves as unknown as Parameters<typeof scenario>[2];
      helpToClosed(scenario(CURRENT_FEATURES, d.riskFlags, moves));
      expect(() => helpToClosed(scenario({ ...CURRENT_FEATURES, ...d.off }, d.riskFlags, moves))).toThrow(d.old);
    });
  }

  it('when an action type is listed, then the model has a generator for it whose fields are valid', () => {
    const c: GenContext = { followUpTaskIds: ['00000000-0000-4000-8000-000000000001'], consulates: CONSULATES };
    for (const type of ACTION_TYPES) {
      const generator = (ACTION_GENERATORS as Partial<Record<string, (c: GenContext) => fc.Arbitrary<unknown>>>)[type];
      expect(generator, `no generator for ${type} in test/support/case-model/generators.ts`).toBeTypeOf('function');
      for (const sample of fc.sample(generator!(c), { numRuns: 20, seed: 1 })) {
        const parsed = actionSchemas[type].safeParse(sample);
        expect(parsed.success, `${type}: ${JSON.stringify(sample)} ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      }
    }
  });

  it('when anything happens to a case in any order, then from every state it reaches people doing their job close it through its normal path', () => {
    fc.assert(noDeadEnds(CURRENT_FEATURES), { numRuns: RUNS, seed: Number(process.env.NO_DEAD_ENDS_SEED ?? Date.now() % 100_000) });
  });

  describe('with a fix switched off (as histories recorded before it replay), the property finds its dead end', () => {
    it('when consent reviews do nothing, then a withdrawal leaves the case where nothing moves it on', () => {
      const found = violationFound({ ...CURRENT_FEATURES, consentReviewsLeadOn: false }, 2_000);
      expect(found).toMatch(/dead end|not closed after/);
      expect(found).toMatch(/"dataSharing":"withdrawn"|"consularNotification":"refused"/);
    });

    it('when review decisions on a task lead nowhere, then a rejected review or task decided proceed or wait is a dead end', () => {
      const found = violationFound({ ...CURRENT_FEATURES, reviewDecisionsLeadOn: false }, 2_000);
      expect(found).toMatch(/dead end in (exit_restriction_check|consular_contact)/);
    });

    it('when the medical check is ignored, then a return is booked for a person found unfit to travel', () => {
      const found = violationFound({ ...CURRENT_FEATURES, unfitBlocksReturn: false }, 2_000);
      expect(found).toMatch(/book_return was accepted while the latest medical record says the person is unfit/);
    });
  });
});
