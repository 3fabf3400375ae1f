// A case opened outside its workflow (domain/case/intake.ts takeOpeningStep): a rescue operation's
// batch takes the opening step itself, so the state it hands the workflow must be exactly what the
// workflow's own opening would have made of it.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caseView, commit, initialState, openingStep, takeOpeningStep } from '../../../domain/case.js';
import { policyFor } from '../../../domain/policy.js';
import { personSchema } from '../../../domain/schemas.js';
import { caseworker } from './world.js';

const input = () => ({
  caseId: randomUUID(),
  reference: 'HW-2026-000003',
  office: 'manila',
  consulateId: 'ph-bkk',
  immigrationAgencyId: 'immigration',
  person: personSchema.parse({ fullName: 'Unit Person', nationality: 'PH' }),
  location: { country: 'MM', site: 'KK Park', confirmed: true },
  source: { type: 'rescue_operation', reference: 'Raid 7' },
  riskFlags: [],
  openedBy: caseworker,
  openedAt: '2026-11-20T03:00:00.000Z',
  operationId: randomUUID(),
  policy: policyFor(1),
});

describe('the opening step taken by whoever opens the case', () => {
  it('when a batch takes the opening step, then the state and the timeline entries are those of the workflow taking it, version and all', () => {
    const ctx = { now: '2026-11-20T03:00:00.000Z', actor: caseworker, newId: randomUUID };
    const base = input();
    const byBatch = initialState(structuredClone(base));
    const events = takeOpeningStep(byBatch, ctx);

    // What the workflow does with a state it has to open itself (workflows/case.ts, the opening step).
    const byWorkflow = initialState(structuredClone(base));
    const committed = commit(byWorkflow, openingStep(byWorkflow, ctx), { first: true, trim: true });

    expect(byBatch).toEqual(byWorkflow);
    expect(events).toEqual(committed.events);
    expect(events.map((e) => [e.seq, e.type])).toEqual([[1, 'case_opened']]);
    // The stage's deadline is running from the opening, and the case keeps its first version.
    expect(caseView(byBatch).nextDeadline?.kind).toMatch(/^stage:/);
    expect(caseView(initialState(structuredClone(base))).nextDeadline).toBeNull();
    expect(byBatch.version).toBe(initialState(structuredClone(base)).version);
  });
});
