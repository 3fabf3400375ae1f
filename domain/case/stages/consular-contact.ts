// Stage "consular_contact": the consulate verifies nationality and issues a travel document, and
// arranges shelter or a medical check when the person needs them. Entering the stage sends these
// tasks (unless consent stops them: then a supervisor decides); the case moves on to its return once
// each is completed or waived by a supervisor. The stage has no action of its own.
import { CONSULAR_TASK_TYPES, type RiskFlag, type TaskType } from '../../schemas.js';
import type { StageRules } from '../rules.js';
import { type CaseState, type Change, type Ctx, openTasks } from '../state.js';
import { addTask, closeTask, enterStage } from '../steps.js';
import { openReview, waived } from '../reviews.js';
import { joinTravelDocument } from '../person.js';

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

function consularRequirementsMet(state: CaseState): boolean {
  const refusedAndProceeding = state.tasks.some(
    (r) => r.type === 'supervisor_review' && r.status === 'completed' && r.result?.decision === 'proceed' && r.review?.topic === 'consular_notification_refused',
  );
  if (refusedAndProceeding) return true;
  return requiredConsularTypes(state).every((type) => {
    if (waived(state, type)) return true;
    return state.tasks.some((t) => t.type === type && t.status === 'completed' && !(type === 'verify_nationality' && t.result?.verified === false));
  });
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
  },
  exitWhenDone: (state, change, ctx) => {
    if (state.status !== 'open') return;
    if (!consularRequirementsMet(state)) return;
    // Reviews still open about this stage are moot once it is done.
    for (const t of openTasks(state)) if (t.type === 'supervisor_review' || CONSULAR_TASKS.has(t.type)) closeTask(t, change, 'cancelled', ctx, 'stage completed');
    enterStage(state, change, ctx, 'return');
  },
};
