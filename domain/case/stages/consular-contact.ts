// Stage "consular_contact": the consulate verifies nationality and issues a travel document, and
// arranges shelter or a medical check when the person needs them. Entering the stage sends these
// tasks (unless consent stops them: then a supervisor decides); the case moves on to its return once
// each is completed or waived by a supervisor. Its one action, record_medical, it shares with the
// return (medical.ts): a medical check found unfit does not hold the case here, it blocks the booking.
//
// What a supervisor's decision does here (reviews.ts carries it out; the review's input says it too):
// - a task rejected, overdue or nationality not verified: "proceed" waives that task, "reissue" sends
//   it again (optionally to another consulate), "wait" sends it again after the waiting period;
// - consular notification refused, or data sharing withdrawn: "proceed" waives the consular steps and
//   the case moves on to its return without them; "reissue" is refused while consent still stops the
//   tasks; "wait" asks the supervisor again after the waiting period, unless consent came back (which
//   sends the tasks again at once and closes the review as moot).
import { CONSULAR_TASK_TYPES, type RiskFlag, type TaskType } from '../../shapes.js';
import type { StageRules } from '../rules.js';
import { type CaseState, type CaseTask, type Change, type Ctx, openTasks } from '../state.js';
import { addTask, closeTask, emit, enterStage } from '../steps.js';
import { openReview, waived } from '../reviews.js';
import { joinTravelDocument } from '../person.js';
import { recordFitness } from '../medical.js';

/** The tasks the consulate is sent; consular-notification consent governs all of them. */
export const CONSULAR_TASKS = new Set<TaskType>(CONSULAR_TASK_TYPES);
const SHELTER_FLAGS: RiskFlag[] = ['minor', 'abused', 'pregnant', 'disability'];

// Need-to-know: each agency sees only the fields its task needs, never the whole case.
export function consularInput(state: CaseState, type: TaskType): Record<string, unknown> {
  const p = state.person;
  const identity = { fullName: p.fullName, dateOfBirth: p.dateOfBirth ?? null, sex: p.sex, nationality: p.nationality };
  // The name in the person's own script helps the consulate find them in its records; only when known.
  const native = p.nativeName ? { nativeName: p.nativeName } : {};
  switch (type) {
    case 'verify_nationality':
      return { ...identity, ...native, documents: p.documents };
    case 'issue_travel_document':
      return { ...identity, ...native, documents: p.documents };
    case 'arrange_shelter':
      return { fullName: p.fullName, sex: p.sex, languages: p.languages, riskFlags: state.riskFlags, location: state.location };
    case 'arrange_medical_check':
      return { fullName: p.fullName, sex: p.sex, dateOfBirth: p.dateOfBirth ?? null, riskFlags: state.riskFlags, medicalNeeds: state.medicalNeeds };
    default:
      return identity;
  }
}

function requiredConsularTypes(state: CaseState): TaskType[] {
  const types: TaskType[] = ['verify_nationality', 'issue_travel_document'];
  if (state.riskFlags.some((f) => SHELTER_FLAGS.includes(f))) types.push('arrange_shelter');
  if (state.riskFlags.includes('injured') || state.riskFlags.includes('medical') || state.medicalNeeds) types.push('arrange_medical_check');
  return types;
}

/** Sends the consulate the tasks still missing, or asks a supervisor when consent stops them. */
export function sendConsularTasks(state: CaseState, change: Change, ctx: Ctx): void {
  if (state.consent.consularNotification === 'refused') {
    openReview(state, change, ctx, 'consular_notification_refused');
    return;
  }
  if (state.consent.dataSharing === 'withdrawn') {
    openReview(state, change, ctx, 'data_sharing_withdrawn');
    return;
  }
  for (const type of requiredConsularTypes(state)) {
    const done = state.tasks.some((t) => t.type === type && (t.status === 'completed' || t.status === 'open' || t.status === 'claimed'));
    if (!done) addTask(state, change, ctx, type, { audience: 'agency', agencyId: state.consulateId, input: consularInput(state, type) });
  }
}

/** Whether the consulate's task of this type is done: completed (nationality verified), or waived. */
export function consularTaskSettled(state: CaseState, type: TaskType): boolean {
  if (waived(state, type)) return true;
  return state.tasks.some((t) => t.type === type && t.status === 'completed' && !(type === 'verify_nationality' && t.result?.verified === false));
}

/**
 * Sends the consulate again what the stage still needs (of `types`, by default all it requires): a
 * task not done, not waived, not with the consulate now, and not awaiting a supervisor's decision
 * about an earlier one. Unlike sendConsularTasks (what entering the stage sends), a nationality not
 * verified counts as not done. Consent is the caller's to check.
 */
export function sendMissingConsularTasks(state: CaseState, change: Change, ctx: Ctx, types: TaskType[] = requiredConsularTypes(state)): void {
  const open = openTasks(state);
  const awaitingDecision = (type: TaskType) =>
    open.some((r) => r.type === 'supervisor_review' && r.review?.taskId !== undefined && state.tasks.find((t) => t.id === r.review!.taskId)?.type === type);
  for (const type of types) {
    if (consularTaskSettled(state, type) || open.some((t) => t.type === type) || awaitingDecision(type)) continue;
    addTask(state, change, ctx, type, { audience: 'agency', agencyId: state.consulateId, input: consularInput(state, type) });
  }
}

function consularRequirementsMet(state: CaseState): boolean {
  const refusedAndProceeding = state.tasks.some(
    (r) => r.type === 'supervisor_review' && r.status === 'completed' && r.result?.decision === 'proceed' && r.review?.topic === 'consular_notification_refused',
  );
  if (refusedAndProceeding) return true;
  return requiredConsularTypes(state).every((type) => consularTaskSettled(state, type));
}

function leaveForReturn(state: CaseState, change: Change, ctx: Ctx): void {
  // Reviews still open about this stage are moot once it is done.
  for (const t of openTasks(state)) if (t.type === 'supervisor_review' || CONSULAR_TASKS.has(t.type)) closeTask(t, change, 'cancelled', ctx, 'stage completed');
  enterStage(state, change, ctx, 'return');
}

/**
 * A supervisor proceeds without the consulate (data sharing withdrawn): the consular steps still
 * missing are waived and the case moves on to its return, as with a refused consular notification.
 */
export function waiveConsularContact(state: CaseState, review: CaseTask, change: Change, ctx: Ctx): void {
  const missing = requiredConsularTypes(state).filter((type) => !consularTaskSettled(state, type));
  emit(state, change, ctx, 'consular_contact_waived', { reviewTaskId: review.id, topic: review.review?.topic ?? null, waivedTaskTypes: missing });
  leaveForReturn(state, change, ctx);
}

export const consularContact: StageRules = {
  stage: 'consular_contact',
  actions: {},
  onEnter: sendConsularTasks,
  taskOutcomes: {
    verify_nationality: (state, task, result, change, ctx) => {
      if (result.verified === false) openReview(state, change, ctx, 'nationality_not_verified', task.id);
    },
    issue_travel_document: (state, _task, result, change, ctx) => {
      state.travelDocument = result as CaseState['travelDocument'];
      state.travelDocumentIssuedAt = ctx.now;
      if (ctx.features?.travelDocumentJoinsPerson) joinTravelDocument(state, result as Parameters<typeof joinTravelDocument>[1], change);
    },
    // Unfit or fit, the check is done; unfit then blocks the booking of the return (medical.ts).
    arrange_medical_check: (state, _task, result, _change, ctx) => {
      if (ctx.features?.unfitBlocksReturn) recordFitness(state, result as { fitToTravel: boolean; notes?: string }, 'arrange_medical_check', ctx);
    },
  },
  exitWhenDone: (state, change, ctx) => {
    if (state.status !== 'open') return;
    if (!consularRequirementsMet(state)) return;
    leaveForReturn(state, change, ctx);
  },
};
