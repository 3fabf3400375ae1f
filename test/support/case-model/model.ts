// The model itself: a case driven by the pure lifecycle (domain/), one move at a time, keeping what
// the real workflow would (state, clock, ids, timeline), so that the model-based tests can play the
// same moves on it and on a real case workflow and compare. A refusal is the lifecycle's answer, not a
// failure; a ModelViolation is a rule no case may break.
import {
  type CaseInput,
  type CaseState,
  type CaseView,
  type Ctx,
  type Features,
  SYSTEM,
  applyAction,
  allowedActions,
  caseView,
  commit,
  completeTask,
  decideApproval,
  fireDue,
  initialState,
  liftExitRestriction,
  nextWakeAt,
  openingStep,
  openTasks,
  rejectTask,
  validateAction,
  validateDecision,
  validateTaskCompletion,
  validateTaskRejection,
} from '../../../domain/case.js';
import { DomainError } from '../../../domain/errors.js';
import { type DeadlinePolicy, policyFor } from '../../../domain/policy.js';
import { type ActionType, type Actor, type RiskFlag, personSchema } from '../../../domain/schemas.js';
import type { GenContext } from './generators.js';

export const T0 = Date.parse('2026-11-01T00:00:00.000Z');
export const DAY = 86_400_000;
export const CASEWORKER: Actor = { sub: 'cw-ana', role: 'caseworker' };
export const SUPERVISOR: Actor = { sub: 'sup-ben', role: 'supervisor' };
export const OFFICER: Actor = { sub: 'consul-chen', role: 'agency_officer' };

/** One thing that happens to a case. Tasks and approvals are named by their place among the open ones. */
export type Move =
  | { kind: 'action'; action: { type: ActionType } & Record<string, unknown> }
  | { kind: 'complete'; task: number; result: Record<string, unknown> }
  | { kind: 'reject'; task: number; reason: string }
  | { kind: 'decide'; approval: number; decision: 'approved' | 'rejected' }
  | { kind: 'advance'; ms: number };

export type Outcome = { ok: true } | { ok: false; code: string; message: string };

/** The model broke a rule no case may break (as opposed to a refusal, which is fine). */
export class ModelViolation extends Error {
  override name = 'ModelViolation';
}

export interface ModelOptions {
  features: Features;
  policy?: DeadlinePolicy;
  riskFlags?: RiskFlag[];
  confirmed?: boolean;
  consulateId?: string;
  /** Epoch ms the case opens at. */
  openedAt?: number;
  /** The rest of the case's input (its id, office, person…), for a case the real workflow runs too. */
  input?: Partial<CaseInput>;
}

const modelIds = (start = 0) => {
  let n = start;
  return () => `00000000-0000-4000-8000-${(n++).toString(16).padStart(12, '0')}`;
};

export class CaseModel {
  readonly input: CaseInput;
  state: CaseState;
  now: number;
  readonly features: Features;
  /** Fitness to travel as people recorded it, kept by the model itself (not read from the state it checks). */
  fitness: boolean | null = null;
  /** Every timeline event type, in order. */
  eventTypes: string[] = [];
  private nextId: () => string;
  private idsUsed = 0;

  constructor(opts: ModelOptions) {
    this.features = opts.features;
    this.now = opts.openedAt ?? T0;
    this.nextId = modelIds();
    this.input = {
      caseId: '00000000-0000-4000-9000-000000000001',
      reference: 'HW-2026-000001',
      office: 'manila',
      consulateId: opts.consulateId ?? 'ph-bkk',
      immigrationAgencyId: 'immigration',
      person: personSchema.parse({ fullName: 'Model Person', nationality: 'PH', documents: [{ type: 'passport', number: 'P1', issuingCountry: 'PH' }] }),
      location: { country: 'MM', confirmed: opts.confirmed ?? false },
      source: { type: 'hotline' },
      riskFlags: opts.riskFlags ?? [],
      openedBy: CASEWORKER,
      openedAt: new Date(this.now).toISOString(),
      policy: opts.policy ?? policyFor(1),
      ...opts.input,
    };
    this.state = initialState(structuredClone(this.input));
    this.record(openingStep(this.state, this.ctx(CASEWORKER)), true);
  }

  clone(): CaseModel {
    const copy = Object.create(CaseModel.prototype) as CaseModel;
    Object.assign(copy, this, { state: structuredClone(this.state), eventTypes: [...this.eventTypes] });
    // The copy counts on from where this one is, so no id is given twice within the copied case.
    copy.nextId = modelIds(this.idsUsed);
    return copy;
  }

  /** The case as API.md shows it. */
  view(): CaseView {
    return caseView(this.state);
  }

  get closed(): boolean {
    return this.state.status === 'closed';
  }

  iso(): string {
    return new Date(this.now).toISOString();
  }

  ctx(actor: Actor): Ctx {
    return {
      now: this.iso(),
      actor,
      newId: () => {
        this.idsUsed += 1;
        return this.nextId();
      },
      features: this.features,
    };
  }

  genContext(consulates: string[]): GenContext {
    return { followUpTaskIds: openTasks(this.state).filter((t) => t.type === 'follow_up').map((t) => t.id), consulates };
  }

  /** A step as the workflow takes it: one without events changes nothing; otherwise it is committed. */
  private record(change: ReturnType<typeof fireDue>, first = false): void {
    if (change.events.length === 0 && !first) return;
    commit(this.state, change, { first, trim: true });
    this.eventTypes.push(...change.events.map((e) => e.type));
  }

  /** Applies one move; a refusal (DomainError) must leave the case exactly as it was (checked when asked: it costs). */
  apply(move: Move, opts: { checkRefusals?: boolean } = {}): Outcome {
    if (move.kind === 'advance') {
      this.advance(move.ms);
      return { ok: true };
    }
    const before = opts.checkRefusals ? JSON.stringify(this.state) : undefined;
    try {
      this.take(move);
      // Each person's move takes a moment; deadlines that fall within it fire as the workflow's would.
      this.advance(1_000);
      return { ok: true };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (before !== undefined && JSON.stringify(this.state) !== before) throw new ModelViolation(`a refused ${describe(move)} changed the case`);
      return { ok: false, code: err.code, message: err.message };
    }
  }

  private take(move: Exclude<Move, { kind: 'advance' }>): void {
    const state = this.state;
    switch (move.kind) {
      case 'action': {
        const action = validateAction(state, move.action, this.iso());
        if (action.type === 'book_return' && this.fitness === false) {
          throw new ModelViolation('book_return was accepted while the latest medical record says the person is unfit to travel');
        }
        this.record(applyAction(state, action, this.ctx(CASEWORKER)));
        if (action.type === 'record_medical') this.fitness = action.fitToTravel;
        return;
      }
      case 'complete': {
        const task = openTasks(state)[move.task];
        if (!task) throw new DomainError('not_found', 'no such task');
        const actor = task.type === 'supervisor_review' ? SUPERVISOR : OFFICER;
        const { task: t, result } = validateTaskCompletion(state, task.id, move.result, this.features);
        this.record(completeTask(state, t, result, this.ctx(actor)));
        if (t.type === 'arrange_medical_check') this.fitness = result.fitToTravel === true;
        return;
      }
      case 'reject': {
        const task = openTasks(state)[move.task];
        if (!task) throw new DomainError('not_found', 'no such task');
        this.record(rejectTask(state, validateTaskRejection(state, task.id), move.reason, this.ctx(OFFICER)));
        return;
      }
      case 'decide': {
        const approval = state.approvals.filter((a) => a.status === 'pending')[move.approval];
        if (!approval) throw new DomainError('not_found', 'no such approval');
        const decider = approval.requestedBy.sub === SUPERVISOR.sub ? { ...SUPERVISOR, sub: 'sup-cy' } : SUPERVISOR;
        this.record(decideApproval(state, validateDecision(state, approval.id, decider), move.decision, null, this.ctx(decider)));
        return;
      }
    }
  }

  /** When the case next acts by itself: its own clock, or the end of an exit restriction (its timer's signal). */
  nextEvent(): number | null {
    const wake = nextWakeAt(this.state);
    const r = this.state.exitRestriction;
    const lift = r?.status === 'active' && r.liftAt && this.state.status === 'open' ? Date.parse(r.liftAt) : null;
    if (wake === null) return lift;
    return lift === null ? wake : Math.min(wake, lift);
  }

  /** Time passes: everything due fires at its own time, in order, as the workflow's timer would fire it. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (let guard = 0; ; guard++) {
      if (guard > 1_000) throw new ModelViolation('the clock keeps firing at the same time: something falls due and is never done');
      const at = this.nextEvent();
      if (at === null || at > target) break;
      this.now = Math.max(this.now, at);
      const r = this.state.exitRestriction;
      if (r?.status === 'active' && r.liftAt && Date.parse(r.liftAt) <= this.now) this.record(liftExitRestriction(this.state, this.ctx(SYSTEM)));
      else this.record(fireDue(this.state, this.ctx(SYSTEM)));
    }
    this.now = target;
  }
}

export function describe(move: Move): string {
  switch (move.kind) {
    case 'action':
      return `action ${JSON.stringify(move.action)}`;
    case 'complete':
      return `complete open task #${move.task} with ${JSON.stringify(move.result)}`;
    case 'reject':
      return `reject open task #${move.task}`;
    case 'decide':
      return `${move.decision} pending approval #${move.approval}`;
    case 'advance':
      return `advance ${move.ms} ms`;
  }
}

/** A short picture of the case, for failure messages. */
export function summary(model: CaseModel): string {
  const s = model.state;
  const tasks = openTasks(s).map((t) => `${t.type}${t.review ? `(${t.review.topic})` : ''}`);
  return JSON.stringify({
    stage: s.stage,
    status: s.status,
    onHold: s.onHold,
    consent: s.consent,
    openTasks: tasks,
    pendingApprovals: s.approvals.filter((a) => a.status === 'pending').map((a) => `${a.reason} by ${a.requestedBy.sub}`),
    reviewWaits: s.reviewWaits?.map((w) => `${w.topic}${w.taskType ? `:${w.taskType}` : ''}@${w.at}`) ?? [],
    medical: s.medical ?? null,
    allowed: allowedActions(s),
    lastEvents: model.eventTypes.slice(-12),
  });
}
