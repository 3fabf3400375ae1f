// The model of the model-based tests (issue #9, "no dead ends, proven"): a case driven by the pure
// lifecycle (domain/), one move at a time, as the people around it and time can move it: actions with
// generated fields, task results good and bad, rejections, review and approval decisions, consent
// changes, deadlines. And a "helpful" completion: people doing their job (agencies completing their
// tasks positively, supervisors deciding reviews, caseworkers recording the next stage's actions,
// time passing), which must take any reachable case to closed through its normal path.
//
// The person's consent is theirs: the completion never changes it, so no path may depend on the
// person changing their mind. Closure requests made along the way are rejected by the completion, so
// the case must still close the normal way (employment assistance, its follow-ups, the closure the
// case itself asks for), not through request_closure or decline_assistance.
import fc from 'fast-check';
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
  missingReturnSafeguards,
  nextWakeAt,
  openingStep,
  openTasks,
  rejectTask,
  validateAction,
  validateDecision,
  validateTaskCompletion,
  validateTaskRejection,
} from '../../domain/case.js';
import { DomainError } from '../../domain/errors.js';
import { type DeadlinePolicy, policyFor } from '../../domain/policy.js';
import {
  ACTION_TYPES,
  type ActionOf,
  type ActionType,
  type Actor,
  CLOSURE_REASONS,
  PRIORITIES,
  RISK_FLAGS,
  type RiskFlag,
  SCREENING_OUTCOMES,
  type TaskType,
  personSchema,
} from '../../domain/schemas.js';

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

// ---- Generators: valid fields for every action type, keyed by type. ----

/** What a generator may need of the case: serialisable, so fast-check's gen() can cache and shrink. */
export interface GenContext {
  followUpTaskIds: string[];
  consulates: string[];
}

const texts = fc.constantFrom('called the family', 'interpreter booked (Tagalog)', '家属已联系', 'ญาติติดต่อแล้ว', 'met at the shelter');
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const dateTimes = fc.constantFrom('2026-10-01T08:00:00Z', '2026-11-02T06:00:00Z', '2026-11-20T23:30:00+07:00', '2027-02-14T10:00:00Z');
const dates = fc.constantFrom('2026-12-01', '2027-01-15', '2027-06-30');
const location = fc.record(
  { country: fc.constantFrom('MM', 'KH', 'LA'), region: optional(fc.constantFrom('Kayin', 'Sihanoukville')), site: optional(fc.constantFrom('KK Park', 'Shwe Kokko')) },
  { requiredKeys: ['country'] },
);
/** Drops the keys whose generated value is undefined (an absent optional field). */
const defined = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const action = <K extends ActionType>(type: K, fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(fields).map((f) => defined({ type, ...f }) as unknown as ActionOf<K>);

/**
 * A generator for every action type. The map is typed by ActionType, and the test fails at run time
 * too when an action has none: an action added later must get its generator here.
 */
export const ACTION_GENERATORS: { [K in ActionType]: (c: GenContext) => fc.Arbitrary<ActionOf<K>> } = {
  add_note: () => action('add_note', { text: texts }),
  assign: () => action('assign', { assignee: fc.constantFrom('cw-ana', 'cw-bo', null) }),
  set_priority: () => action('set_priority', { priority: fc.constantFrom(...PRIORITIES), reason: texts }),
  hold: () => action('hold', { reason: fc.constantFrom('in hospital', 'waiting for the family') }),
  resume: () => action('resume', {}),
  record_consent: () =>
    fc
      .record({ consularNotification: optional(fc.constantFrom('granted', 'refused') as fc.Arbitrary<'granted' | 'refused'>), dataSharing: optional(fc.constantFrom('granted', 'withdrawn') as fc.Arbitrary<'granted' | 'withdrawn'>) })
      .filter((c) => c.consularNotification !== undefined || c.dataSharing !== undefined)
      .map((c) => defined({ type: 'record_consent' as const, ...c })),
  record_screening: () => action('record_screening', { outcome: fc.constantFrom(...SCREENING_OUTCOMES), basis: texts }),
  record_sighting: () => action('record_sighting', { location, observedAt: dateTimes, source: fc.constantFrom('family', 'hotline') }),
  confirm_location: () => action('confirm_location', { location }),
  request_extraction: () => action('request_extraction', { partner: fc.constantFrom('Royal Thai Police', 'IJM'), reference: fc.constantFrom('RTP-1', 'IJM-77') }),
  record_extraction: () =>
    action('record_extraction', { extractedAt: dateTimes, handedOverTo: fc.constantFrom('Tak immigration', 'IJM'), injured: optional(fc.boolean()), medicalNeeds: optional(fc.constantFrom('fractured wrist', 'malnutrition')) }),
  record_extraction_failed: () => action('record_extraction_failed', { reason: fc.constantFrom('the compound was moved', 'raid postponed') }),
  book_return: () =>
    action('book_return', {
      departureAt: dateTimes,
      arrivalPort: fc.constantFrom('MNL', 'CEB'),
      carrier: optional(fc.constantFrom('PAL', 'Cebu Pacific')),
      flightNumber: optional(fc.constantFrom('PR 731', '5J 930')),
      manifestId: optional(fc.constantFrom('M-17', 'M-18')),
    }),
  record_departure: () => action('record_departure', { departedAt: dateTimes }),
  record_arrival: () => action('record_arrival', { arrivedAt: dateTimes, port: fc.constantFrom('MNL', 'CEB'), receivedBy: fc.constantFrom('IACAT desk', 'DSWD') }),
  record_assessment: () =>
    action('record_assessment', {
      skills: fc.subarray(['sewing', 'cooking', 'IT support', 'driving']),
      education: fc.constantFrom('secondary', 'college'),
      preferredRegion: fc.constantFrom('NCR', 'Cebu'),
      needs: fc.subarray(['counselling', 'housing']),
    }),
  record_referral: () => action('record_referral', { kind: fc.constantFrom('job', 'training'), organisation: fc.constantFrom('PESO', 'TESDA'), description: texts }),
  record_placement: () =>
    action('record_placement', { employer: fc.constantFrom('Manila Garments', 'Cebu Foods'), position: fc.constantFrom('seamstress', 'cook'), startDate: dates, abroad: fc.boolean() }),
  record_follow_up: (c) =>
    action('record_follow_up', {
      // An open follow-up of the case; or, now and then, a task id the case does not have.
      taskId: c.followUpTaskIds.length > 0 ? fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...c.followUpTaskIds) }, { weight: 1, arbitrary: fc.uuid({ version: 4 }) }) : fc.uuid({ version: 4 }),
      outcome: fc.constantFrom('employed', 'unemployed', 'unreachable', 'declined'),
      notes: optional(texts),
    }),
  decline_assistance: () => action('decline_assistance', { reason: fc.constantFrom('wants no further contact', 'moved abroad') }),
  request_closure: () => action('request_closure', { reason: fc.constantFrom(...CLOSURE_REASONS), comment: optional(texts) }),
  record_medical: () => action('record_medical', { fitToTravel: fc.boolean(), notes: optional(fc.constantFrom('cleared by the shelter doctor', 'in hospital, not fit to fly')) }),
  transfer_office: () => action('transfer_office', { office: fc.constantFrom('cebu', 'davao'), reason: fc.constantFrom('the person moved', 'closer to the family') }),
  refer_to_police: () =>
    action('refer_to_police', { agency: fc.constantFrom('Philippine National Police', 'NBI'), reference: fc.constantFrom('PNP-1', 'NBI-22'), nonPunishment: optional(fc.boolean()) }),
  update_person: () =>
    fc
      .record({
        fullName: optional(fc.constantFrom('Maria Santos', 'NGUYỄN văn An')),
        nativeName: optional(fc.constantFrom('玛丽亚', 'มาเรีย')),
        dateOfBirth: optional(fc.constantFrom('1998-02-14', '2009-06-01')),
        guardian: optional(fc.constant({ fullName: 'Rosa Santos', relationship: 'parent' })),
      })
      .filter((f) => Object.values(f).some((v) => v !== undefined))
      .map((f) => defined({ type: 'update_person' as const, ...f, reason: 'the family corrected it' })),
  add_risk_flag: () => action('add_risk_flag', { flag: fc.constantFrom(...RISK_FLAGS), reason: texts }),
  remove_risk_flag: () => action('remove_risk_flag', { flag: fc.constantFrom(...RISK_FLAGS), reason: texts }),
  record_best_interests: () =>
    action('record_best_interests', {
      determination: fc.constantFrom('return_in_best_interests', 'return_not_in_best_interests'),
      decidedBy: fc.constantFrom('DSWD social worker', 'IOM case manager'),
      notes: optional(texts),
    }),
};

/** Any valid result of a task, negative ones included (not verified, restricted, unfit). */
export const RESULT_GENERATORS: Record<Exclude<TaskType, 'follow_up'>, (c: GenContext) => fc.Arbitrary<Record<string, unknown>>> = {
  verify_nationality: () => fc.record({ verified: fc.boolean(), notes: optional(texts) }).map(defined),
  issue_travel_document: () => fc.record({ documentType: fc.constantFrom('emergency_travel_document', 'passport'), number: fc.constantFrom('ETD-55120', 'P7788'), validUntil: dates }),
  arrange_shelter: () => fc.record({ shelterName: fc.constantFrom('Mae Sot shelter', 'Bangkok DSWD'), from: dates }),
  arrange_medical_check: () => fc.record({ fitToTravel: fc.boolean(), notes: optional(texts) }).map(defined),
  exit_restriction_review: () =>
    fc.oneof(
      fc.record({ decision: fc.constant('not_restricted'), noticeServedAt: optional(dates) }).map(defined),
      fc
        .constantFrom(['2020-01-01', '2024-01-01'], ['2026-11-01', '2026-12-15'], ['2026-11-01', '2029-11-01'], ['2026-11-01', '2090-01-01'])
        .map(([from, until]) => ({ decision: 'restricted', basis: 'Exit and Entry Administration Law art. 12', from, until })),
    ),
  supervisor_review: (c) =>
    fc
      .record({ decision: fc.constantFrom('reissue', 'proceed', 'wait'), consulateId: optional(fc.constantFrom(...c.consulates)), notes: optional(texts) })
      .map(defined),
};

/** What an agency doing its job answers. */
export const POSITIVE_RESULTS: Record<string, Record<string, unknown>> = {
  verify_nationality: { verified: true },
  issue_travel_document: { documentType: 'emergency_travel_document', number: 'ETD-55120', validUntil: '2027-06-30' },
  arrange_shelter: { shelterName: 'Mae Sot shelter', from: '2026-11-02' },
  arrange_medical_check: { fitToTravel: true },
  exit_restriction_review: { decision: 'not_restricted' },
};

// ---- The model ----

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

// ---- What must always hold ----

/** Every open task and every pending approval can be acted on by the people they belong to. */
export function checkActionable(model: CaseModel): void {
  const s = model.state;
  const allowed = allowedActions(s);
  const refused = (fn: () => unknown) => {
    try {
      fn();
      return null;
    } catch (err) {
      if (err instanceof DomainError) return `${err.code}: ${err.message}`;
      throw err;
    }
  };
  for (const t of openTasks(s)) {
    if (t.type === 'follow_up') {
      if (!allowed.includes('record_follow_up') && !(s.onHold && allowed.includes('resume'))) {
        throw new ModelViolation(`follow-up ${t.id} is open but record_follow_up is not allowed: ${summary(model)}`);
      }
      continue;
    }
    if (t.type === 'supervisor_review') {
      for (const decision of ['proceed', 'wait']) {
        const why = refused(() => validateTaskCompletion(s, t.id, { decision }, model.features));
        if (why) throw new ModelViolation(`review ${t.review?.topic} cannot be decided ${decision}: ${why}`);
      }
      continue;
    }
    const done = refused(() => validateTaskCompletion(s, t.id, POSITIVE_RESULTS[t.type], model.features));
    const rejected = refused(() => validateTaskRejection(s, t.id));
    if (done || rejected) throw new ModelViolation(`agency task ${t.type} cannot be acted on: ${done ?? rejected}`);
  }
  for (const a of s.approvals.filter((x) => x.status === 'pending')) {
    const decider = a.requestedBy.sub === SUPERVISOR.sub ? { ...SUPERVISOR, sub: 'sup-cy' } : SUPERVISOR;
    const why = refused(() => validateDecision(s, a.id, decider));
    if (why) throw new ModelViolation(`approval ${a.id} cannot be decided: ${why}`);
  }
}

// ---- The helpful completion ----

/** What a person doing their job does next, or null when no one can do anything but wait for nothing. */
export function helpfulMove(model: CaseModel): Move | null {
  const s = model.state;
  if (s.status === 'closed') return null;
  const allowed = allowedActions(s);
  const act = (action: Move & { kind: 'action' }) => action;
  if (s.onHold) return act({ kind: 'action', action: { type: 'resume' } });

  // Closure the case asked for itself (its follow-ups are done) is approved; anyone else's is not:
  // the case must close its normal way.
  const pending = s.approvals.filter((a) => a.status === 'pending');
  const own = pending.findIndex((a) => a.requestedBy.sub === SYSTEM.sub);
  if (own >= 0) return { kind: 'decide', approval: own, decision: 'approved' };
  if (pending.length > 0) return { kind: 'decide', approval: 0, decision: 'rejected' };

  const open = openTasks(s);
  const review = open.findIndex((t) => t.type === 'supervisor_review');
  if (review >= 0) {
    // The work done properly when it can be (sent again), else the supervisor takes responsibility.
    let reissuable = true;
    try {
      validateTaskCompletion(s, open[review]!.id, { decision: 'reissue' }, model.features);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      reissuable = false;
    }
    return { kind: 'complete', task: review, result: { decision: reissuable ? 'reissue' : 'proceed' } };
  }
  const agencyTask = open.findIndex((t) => t.audience === 'agency');
  if (agencyTask >= 0) return { kind: 'complete', task: agencyTask, result: POSITIVE_RESULTS[open[agencyTask]!.type]! };
  const followUp = open.find((t) => t.type === 'follow_up');
  if (followUp && allowed.includes('record_follow_up')) return act({ kind: 'action', action: { type: 'record_follow_up', taskId: followUp.id, outcome: 'employed' } });

  switch (s.stage) {
    case 'locating':
      return act({ kind: 'action', action: { type: 'confirm_location', location: { country: 'MM', site: 'KK Park' } } });
    case 'extraction':
      return act({ kind: 'action', action: { type: 'record_extraction', extractedAt: '2026-11-01T03:00:00Z', handedOverTo: 'Tak immigration' } });
    case 'return': {
      const trip = s.returnTrip;
      if (!trip) {
        if (allowed.includes('book_return')) return act({ kind: 'action', action: { type: 'book_return', departureAt: '2026-11-20T06:00:00Z', arrivalPort: 'MNL' } });
        // A child travels only with a guardian on record and a determination that the return is in their best interests.
        const missing = missingReturnSafeguards(s);
        if (missing.includes('guardian')) {
          return act({ kind: 'action', action: { type: 'update_person', guardian: { fullName: 'Rosa Santos', relationship: 'parent' }, reason: 'mother found' } });
        }
        if (missing.includes('best_interests_determination')) {
          return act({ kind: 'action', action: { type: 'record_best_interests', determination: 'return_in_best_interests', decidedBy: 'DSWD social worker' } });
        }
        // Not bookable: the person is unfit; the doctor clears them once they have recovered.
        if (allowed.includes('record_medical')) return act({ kind: 'action', action: { type: 'record_medical', fitToTravel: true, notes: 'recovered' } });
        break;
      }
      if (!trip.departedAt && allowed.includes('record_departure')) return act({ kind: 'action', action: { type: 'record_departure', departedAt: '2026-11-20T06:10:00Z' } });
      return act({ kind: 'action', action: { type: 'record_arrival', arrivedAt: '2026-11-20T10:00:00Z', port: 'MNL', receivedBy: 'IACAT desk' } });
    }
    case 'employment_assistance': {
      const waiting = open.some((t) => t.type === 'follow_up') || s.followUpSchedule.length > 0;
      if (!s.employment.placement || !waiting) {
        return act({ kind: 'action', action: { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false } });
      }
      break;
    }
    default:
      break;
  }
  // Nothing for anyone to do now: wait for the case's own clock, if it has anything coming.
  const next = model.nextEvent();
  if (next === null) return null;
  return { kind: 'advance', ms: Math.max(0, next - model.now) };
}

export const MAX_HELP_STEPS = 150;

/**
 * Completes the case helpfully, checking at each step that every task and approval can be acted on.
 * Throws ModelViolation at a dead end, when the normal path is left, or when it takes too long.
 */
export function helpToClosed(model: CaseModel, opts: { moves?: Move[] } = {}): void {
  const closedBefore = model.closed;
  for (let step = 0; step < MAX_HELP_STEPS; step++) {
    checkActionable(model);
    if (model.closed) {
      if (closedBefore) return;
      // The closure itself: approved transfers earlier in the case's life are not how it closed.
      const approved = model.state.approvals.find((a) => a.status === 'approved' && a.kind === 'closure');
      if (approved?.requestedBy.sub !== SYSTEM.sub || !['reintegrated', 'declined_assistance'].includes(approved.reason)) {
        throw new ModelViolation(`closed, but not through its normal path: ${JSON.stringify(approved)}`);
      }
      return;
    }
    const move = helpfulMove(model);
    if (!move) throw new ModelViolation(`dead end in ${model.state.stage}: nothing anyone does moves the case on: ${summary(model)}`);
    opts.moves?.push(move);
    const outcome = model.apply(move);
    if (!outcome.ok) throw new ModelViolation(`the helpful ${describe(move)} was refused (${outcome.code}: ${outcome.message}): ${summary(model)}`);
  }
  throw new ModelViolation(`not closed after ${MAX_HELP_STEPS} helpful steps: ${summary(model)}`);
}

// ---- Random moves ----

type Gen = fc.GeneratorValue;
const RARE: ActionType[] = ['request_closure', 'decline_assistance', 'record_extraction_failed'];
const ADVANCES = [60_000, 6 * 3_600_000, DAY, 2 * DAY, 4 * DAY, 8 * DAY, 15 * DAY, 31 * DAY, 100 * DAY, 200 * DAY];

// Stable builders (same function, same arguments) let gen() replay and shrink what it drew.
const pick = (n: number) => fc.nat({ max: Math.max(0, n - 1) });
const weighted = (weights: number[]) => fc.nat({ max: weights.reduce((a, b) => a + b, 0) - 1 });
const actionArb = (type: ActionType, c: GenContext) => ACTION_GENERATORS[type](c) as fc.Arbitrary<{ type: ActionType } & Record<string, unknown>>;
const resultArb = (type: Exclude<TaskType, 'follow_up'>, c: GenContext) => RESULT_GENERATORS[type](c);
const reasonArb = () => fc.constantFrom('not our national', 'insufficient data', 'no record of this person');
const advanceArb = () => fc.constantFrom(...ADVANCES);

export interface MoveOptions {
  consulates: string[];
  /** Whether time may pass (the pure model) or not (the real workflow, whose clock runs on its own). */
  clock: boolean;
}

/**
 * Draws one move among those possible now, helpful or not: any allowed action (now and then one
 * that is not allowed), task results of every kind, rejections, decisions, consent, time. One in
 * three is the helpful move, so sequences get deep into the lifecycle and stray from it everywhere.
 */
export function drawMove(g: Gen, model: CaseModel, opts: MoveOptions): Move {
  const s = model.state;
  const open = openTasks(s);
  const completable = open.map((t, i) => [t, i] as const).filter(([t]) => t.type !== 'follow_up');
  const rejectable = open.map((t, i) => [t, i] as const).filter(([t]) => t.audience === 'agency');
  const pending = s.approvals.filter((a) => a.status === 'pending');
  const kinds: Array<[string, number]> = [
    ['help', 30],
    ['action', 25],
    ['consent', 6],
    ['complete', completable.length > 0 ? 22 : 0],
    ['reject', rejectable.length > 0 ? 6 : 0],
    ['decide', pending.length > 0 ? 4 : 0],
    ['advance', opts.clock ? 5 : 0],
    ['deadline', opts.clock && model.nextEvent() !== null ? 5 : 0],
  ];
  let roll = g(weighted, kinds.map(([, w]) => w));
  const kind = kinds.find(([, w]) => (roll -= w) < 0)![0];
  const c = model.genContext(opts.consulates);
  switch (kind) {
    case 'help': {
      const move = helpfulMove(model);
      if (move && (opts.clock || move.kind !== 'advance')) return move;
      return { kind: 'action', action: g(actionArb, 'add_note', c) };
    }
    case 'consent':
      return { kind: 'action', action: g(actionArb, 'record_consent', c) };
    case 'action': {
      const allowed = allowedActions(s).filter((t) => !RARE.includes(t) || g(pick, 8) === 0);
      // Now and then an action that is not allowed: it must be refused and change nothing.
      const pool = allowed.length > 0 && g(pick, 20) > 0 ? allowed : [...ACTION_TYPES];
      const type = pool[g(pick, pool.length)]!;
      return { kind: 'action', action: g(actionArb, type, c) };
    }
    case 'complete': {
      const [task, index] = completable[g(pick, completable.length)]!;
      return { kind: 'complete', task: index, result: g(resultArb, task.type as Exclude<TaskType, 'follow_up'>, c) };
    }
    case 'reject':
      return { kind: 'reject', task: rejectable[g(pick, rejectable.length)]![1], reason: g(reasonArb) };
    case 'decide':
      // Approving mostly ends the exploration (the case closes), so it is the rarer decision.
      return { kind: 'decide', approval: g(pick, pending.length), decision: g(pick, 4) === 0 ? 'approved' : 'rejected' };
    case 'advance':
      return { kind: 'advance', ms: g(advanceArb) };
    default: {
      const next = model.nextEvent()!;
      return { kind: 'advance', ms: Math.max(0, next - model.now) };
    }
  }
}
