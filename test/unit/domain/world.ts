// A case driven by the pure lifecycle, without servers, for the domain's unit tests: its own clock,
// and helpers that take it through the stages the way people would.
import { randomUUID } from 'node:crypto';
import {
  CURRENT_FEATURES,
  type CaseState,
  type Ctx,
  type Features,
  applyAction,
  completeTask,
  decideApproval,
  fireDue,
  initialState,
  openingStep,
  openTasks,
  validateAction,
  validateDecision,
  validateTaskCompletion,
} from '../../../domain/case.js';
import { DomainError } from '../../../domain/errors.js';
import { policyFor } from '../../../domain/policy.js';
import { type Actor, personSchema } from '../../../domain/schemas.js';

export const T0 = Date.parse('2026-11-01T00:00:00.000Z');
export const DAY = 86_400_000;
export const caseworker: Actor = { sub: 'cw', role: 'caseworker' };
export const officer: Actor = { sub: 'officer', role: 'agency_officer' };
export const supervisor: Actor = { sub: 'sup', role: 'supervisor' };

/** A case of its own; every patch on (today's rules) unless `features` says otherwise. */
export function world(
  opts: { riskFlags?: CaseState['riskFlags']; confirmed?: boolean; followUpsOnSchedule?: boolean; travelDocumentJoinsPerson?: boolean; features?: Features; person?: Record<string, unknown> } = {},
) {
  const features: Features = {
    ...(opts.features ?? CURRENT_FEATURES),
    followUpsOnSchedule: opts.followUpsOnSchedule ?? opts.features?.followUpsOnSchedule ?? false,
    travelDocumentJoinsPerson: opts.travelDocumentJoinsPerson ?? opts.features?.travelDocumentJoinsPerson ?? true,
  };
  let now = T0;
  const state = initialState({
    caseId: randomUUID(),
    reference: 'HW-2026-000001',
    office: 'manila',
    consulateId: 'ph-bkk',
    immigrationAgencyId: 'immigration',
    person: personSchema.parse({ fullName: 'Unit Person', nationality: 'PH', documents: [{ type: 'passport', number: 'P1', issuingCountry: 'PH' }], ...opts.person }),
    location: { country: 'MM', confirmed: opts.confirmed ?? true },
    source: { type: 'hotline' },
    riskFlags: opts.riskFlags ?? [],
    openedBy: caseworker,
    openedAt: new Date(T0).toISOString(),
    policy: policyFor(1),
  });
  const iso = () => new Date(now).toISOString();
  const ctx = (actor: Actor = caseworker): Ctx => ({
    now: iso(),
    actor,
    newId: randomUUID,
    features,
  });
  const opened = openingStep(state, ctx());
  const act = (raw: Record<string, unknown>, actor: Actor = caseworker) => applyAction(state, validateAction(state, raw, iso()), ctx(actor));
  const openTask = (type: string) => openTasks(state).find((t) => t.type === type);
  const complete = (type: string, result: Record<string, unknown>, actor: Actor = officer) => {
    const task = openTask(type);
    if (!task) throw new Error(`no open ${type} task`);
    const v = validateTaskCompletion(state, task.id, result, features);
    return completeTask(state, v.task, v.result, ctx(actor));
  };
  const decide = (decision: 'approved' | 'rejected', actor: Actor = supervisor) => {
    const pending = state.approvals.find((a) => a.status === 'pending')!;
    return decideApproval(state, validateDecision(state, pending.id, actor), decision, null, ctx(actor));
  };
  const advance = (ms: number) => {
    now += ms;
  };
  const fire = () => fireDue(state, ctx({ sub: 'homeward', role: 'system' }));

  const extract = () => act({ type: 'record_extraction', extractedAt: '2026-11-01T03:00:00Z', handedOverTo: 'police' });
  const toReturn = () => {
    extract();
    complete('verify_nationality', { verified: true });
    complete('issue_travel_document', { documentType: 'passport', number: 'X1', validUntil: '2030-01-01' });
  };
  const toExitCheck = () => {
    toReturn();
    act({ type: 'book_return', departureAt: '2026-11-05T00:00:00Z', arrivalPort: 'MNL' });
    act({ type: 'record_arrival', arrivedAt: '2026-11-05T04:00:00Z', port: 'MNL', receivedBy: 'desk' });
  };
  const toEmployment = (review: Record<string, unknown> = { decision: 'not_restricted' }) => {
    toExitCheck();
    complete('exit_restriction_review', review);
  };
  return { state, ctx, opened, act, openTask, complete, decide, advance, fire, extract, toReturn, toExitCheck, toEmployment, now: () => now, iso };
}

/** The DomainError `fn` throws; fails the test when it throws nothing or something else. */
export function rejection(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

export const eventTypes = (change: { events: Array<{ type: string }> }) => change.events.map((e) => e.type);
