// A case reopened for the same person (domain/case/intake.ts): it starts in locating, names the closed
// case it follows on its first timeline entries and in its view, and carries nothing of the old
// episode's consent or screening.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caseView, initialState, openingStep } from '../../../domain/case.js';
import { policyFor } from '../../../domain/policy.js';
import { personSchema } from '../../../domain/schemas.js';
import { caseworker, supervisor } from './world.js';

const input = (previousCase?: { caseId: string; reference: string; reason: string }) => ({
  caseId: randomUUID(),
  reference: 'HW-2026-000002',
  office: 'manila',
  consulateId: 'ph-bkk',
  immigrationAgencyId: 'immigration',
  person: personSchema.parse({ fullName: 'Unit Person', nationality: 'PH' }),
  source: { type: 'hotline' },
  riskFlags: [],
  openedBy: supervisor,
  openedAt: '2026-11-01T00:00:00.000Z',
  policy: policyFor(1),
  ...(previousCase ? { previousCase } : {}),
});
const ctx = { now: '2026-11-01T00:00:00.000Z', actor: supervisor, newId: randomUUID };

describe('a reopened case', () => {
  it('when a case reopens a closed one, then its first entries link to it and its view names it', () => {
    const previous = { caseId: randomUUID(), reference: 'HW-2026-000001', reason: 'trafficked again' };
    const state = initialState(input(previous));
    const change = openingStep(state, ctx);
    expect(change.events.map((e) => [e.type, e.data.previousCaseId])).toEqual([
      ['case_opened', previous.caseId],
      ['reopened_from', previous.caseId],
    ]);
    expect(change.events[1]!.data).toEqual({ previousCaseId: previous.caseId, previousReference: previous.reference, reason: previous.reason });
    expect(caseView(state)).toMatchObject({ stage: 'locating', previousCaseId: previous.caseId, reopenedAs: null, screening: 'undetermined' });
  });

  it('when a case reopens none, then its opening is as it always was', () => {
    const state = initialState({ ...input(), openedBy: caseworker });
    const change = openingStep(state, ctx);
    expect(change.events.map((e) => e.type)).toEqual(['case_opened']);
    expect(change.events[0]!.data).not.toHaveProperty('previousCaseId');
    expect(state).not.toHaveProperty('previousCase');
    expect(caseView(state).previousCaseId).toBeNull();
  });
});
