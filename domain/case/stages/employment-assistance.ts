// Stage "employment_assistance": help finding work at home. An assessment, referrals, a placement,
// then follow-ups on set days after it; once the last follow-up is recorded the case asks a
// supervisor to close it (reintegrated, or assistance declined). A follow-up is completed from the
// caseworker's inbox or with `record_follow_up`, the same way (domain/case/tasks.ts settleTask). A
// placement abroad waits for any exit restriction to end.
import type { ClosureReason } from '../../shapes.js';
import { DomainError } from '../../errors.js';
import { daysMs } from '../../policy.js';
import type { StageRules } from '../rules.js';
import { type CaseState, type Change, type Ctx, SYSTEM, openTasks } from '../state.js';
import { addDays, addMs } from '../clock.js';
import { addTask, closeTask } from '../steps.js';
import { openClosureApproval } from '../closure.js';
import { settleTask } from '../tasks.js';
import { exitRestrictionActive } from './exit-restriction-check.js';

// Kept for cases recorded before follow-ups were scheduled (see the 'follow-ups-on-schedule' patch).
const LEGACY_FOLLOW_UP_DAYS = [30, 90, 180] as const;

const hasOpenFollowUp = (state: CaseState) => openTasks(state).some((t) => t.type === 'follow_up');

/** Scheduled follow-ups whose day has come reach the caseworker's inbox (called by fireDue). */
export function sendFollowUpsDue(state: CaseState, change: Change, ctx: Ctx): void {
  const now = Date.parse(ctx.now);
  const due = state.followUpSchedule.filter((f) => Date.parse(f.at) <= now);
  if (due.length === 0) return;
  state.followUpSchedule = state.followUpSchedule.filter((f) => Date.parse(f.at) > now);
  const placement = state.employment.placement;
  for (const f of due) {
    addTask(state, change, ctx, 'follow_up', {
      audience: 'caseworker',
      agencyId: null,
      input: { employer: placement?.employer ?? null, position: placement?.position ?? null, startDate: placement?.startDate ?? null, dayOffset: f.dayOffset },
    });
  }
}

export const employmentAssistance: StageRules = {
  stage: 'employment_assistance',
  actions: {
    record_assessment: {
      stages: ['employment_assistance'],
      whileOnHold: false,
      apply: (state, action) => {
        const { type: _t, ...assessment } = action;
        state.employment.assessment = assessment;
      },
    },
    record_referral: {
      stages: ['employment_assistance'],
      whileOnHold: false,
      apply: (state, action, _change, ctx) => {
        const { type: _t, ...referral } = action;
        state.employment.referrals.push({ ...referral, at: ctx.now });
      },
    },
    record_placement: {
      stages: ['employment_assistance'],
      whileOnHold: false,
      check: (state, action, { now, allowed }) => {
        if (action.abroad && exitRestrictionActive(state, now)) {
          throw new DomainError(
            'invalid_transition',
            `a placement abroad is refused while the exit restriction lasts (until ${state.exitRestriction?.until})`,
            { stage: state.stage, allowed, exitRestriction: { until: state.exitRestriction?.until } },
          );
        }
      },
      apply: (state, action, change, ctx) => {
        const { type: _t, ...placement } = action;
        state.employment.placement = placement;
        // A new placement replaces the follow-ups of an earlier one.
        for (const t of openTasks(state)) if (t.type === 'follow_up') closeTask(t, change, 'cancelled', ctx, 'superseded by a new placement');
        if (ctx.features?.followUpsOnSchedule) {
          // Each follow-up reaches the caseworker's inbox when its day comes, not months early.
          state.followUpSchedule = state.policy.followUpDays.map((dayOffset) => ({ at: addMs(ctx.now, daysMs(state.policy, dayOffset)), dayOffset }));
          return;
        }
        for (const days of LEGACY_FOLLOW_UP_DAYS) {
          addTask(state, change, ctx, 'follow_up', {
            audience: 'caseworker',
            agencyId: null,
            dueAt: addDays(`${action.startDate}T09:00:00.000Z`, days),
            input: { employer: action.employer, position: action.position, startDate: action.startDate, dayOffset: days },
          });
        }
      },
    },
    // A follow-up recorded as an action: completes its task (see taskOutcomes.follow_up).
    record_follow_up: {
      stages: ['employment_assistance'],
      whileOnHold: false,
      available: hasOpenFollowUp,
      check: (state, action) => {
        const task = state.tasks.find((t) => t.id === action.taskId);
        if (!task || task.type !== 'follow_up' || (task.status !== 'open' && task.status !== 'claimed')) {
          throw new DomainError('validation_failed', 'no open follow-up task with that id', [
            { path: 'taskId', message: 'not an open follow-up task of this case' },
          ]);
        }
      },
      apply: (state, action, change, ctx) => {
        const task = state.tasks.find((t) => t.id === action.taskId)!;
        const result = { outcome: action.outcome, ...(action.notes ? { notes: action.notes } : {}) };
        settleTask(state, task, result, change, ctx, { announce: false });
      },
    },
  },
  taskOutcomes: {
    // The exit: the last follow-up asks for closure.
    follow_up: (state, _task, result, change, ctx) => {
      if (hasOpenFollowUp(state) || state.followUpSchedule.length > 0) return;
      const reason: ClosureReason = result.outcome === 'declined' ? 'declined_assistance' : 'reintegrated';
      openClosureApproval(state, change, { ...ctx, actor: SYSTEM }, reason, 'all employment follow-ups recorded');
    },
  },
};
