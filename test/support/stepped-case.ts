// A case driven by the pure lifecycle (domain/), producing exactly what the case workflow hands to
// the persist activity: for tests of the read model and what keeps it (persistCase, the statistics'
// counters) without Temporal. Each step is committed as the workflow commits it and cloned, since
// the workflow's input is serialised into history and later steps cannot change an earlier one.
import { randomUUID } from 'node:crypto';
import type { PersistCaseInput } from '../../activities/cases.js';
import { type CaseInput, type Change, type Ctx, applyAction, commit, decideApproval, initialState, openingStep, validateAction, validateDecision } from '../../domain/case.js';
import type { Actor } from '../../domain/schemas.js';
import { personSchema } from '../../domain/schemas.js';

export interface SteppedCaseOptions {
  /** Who acts (approvals are decided by a supervisor of the same office). */
  actor: Actor;
  office: string;
  openedAt: string;
  /** How far the clock moves with every step. */
  stepMs: number;
  /** A letter for the reference and the passport number, so tests tell their cases apart. */
  tag: string;
}

export function steppedCase(o: SteppedCaseOptions) {
  const caseId = randomUUID();
  const input: CaseInput = {
    caseId,
    reference: `HW-${o.tag}-${caseId.slice(0, 8)}`,
    office: o.office,
    consulateId: 'consulate-stepped',
    immigrationAgencyId: 'immigration',
    person: personSchema.parse({
      fullName: 'Stepped Tester',
      nationality: 'PH',
      documents: [{ type: 'passport', number: `${o.tag}${caseId.slice(0, 8)}`, issuingCountry: 'PH' }],
    }),
    location: { country: 'MM', site: 'KK Park' },
    source: { type: 'hotline' },
    riskFlags: [],
    openedBy: o.actor,
    openedAt: o.openedAt,
  };
  const state = initialState(input);
  let clock = Date.parse(o.openedAt);
  const ctx = (): Ctx => {
    clock += o.stepMs;
    return { now: new Date(clock).toISOString(), actor: o.actor, newId: randomUUID };
  };
  const step = (change: Change, first = false): PersistCaseInput => structuredClone(commit(state, change, { first, trim: true }));
  const doAction = (raw: Record<string, unknown>) => step(applyAction(state, validateAction(state, raw, new Date(clock).toISOString()), ctx()));
  const approve = (approvalId: string) =>
    step(decideApproval(state, validateDecision(state, approvalId), 'approved', null, { ...ctx(), actor: { sub: `sup-${o.tag}`, role: 'supervisor' } }));
  return { caseId, input, state, ctx, step, doAction, approve, opened: () => step(openingStep(state, ctx()), true) };
}
