// Stage "extraction": getting the person out, through a partner (police, an NGO, an embassy team).
// A recorded extraction moves the case to consular contact; a failed one sends it back to locating.
// Overdue, it asks a supervisor and raises the case's priority.
import { daysMs } from '../../policy.js';
import type { StageRules } from '../rules.js';
import { addMs, raisePriority } from '../clock.js';
import { enterStage } from '../steps.js';
import { openReview } from '../reviews.js';

export const extraction: StageRules = {
  stage: 'extraction',
  actions: {
    request_extraction: {
      stages: ['extraction'],
      whileOnHold: false,
      apply: (state, action) => {
        state.extraction = {
          ...(state.extraction ?? { attempts: 0 }),
          partner: action.partner,
          reference: action.reference,
          attempts: (state.extraction?.attempts ?? 0) + 1,
        };
      },
    },
    // The exit: the person is out and handed over.
    record_extraction: {
      stages: ['extraction'],
      whileOnHold: false,
      apply: (state, action, change, ctx) => {
        state.extraction = {
          ...(state.extraction ?? { attempts: 1 }),
          extractedAt: action.extractedAt,
          handedOverTo: action.handedOverTo,
        };
        if (action.injured && !state.riskFlags.includes('injured')) state.riskFlags.push('injured');
        if (action.medicalNeeds) state.medicalNeeds = action.medicalNeeds;
        enterStage(state, change, ctx, 'consular_contact');
      },
    },
    record_extraction_failed: {
      stages: ['extraction'],
      whileOnHold: false,
      apply: (state, _action, change, ctx) => {
        if (state.location) state.location = { ...state.location, confirmed: false };
        enterStage(state, change, ctx, 'locating');
      },
    },
  },
  deadline: {
    kind: 'extraction_escalation',
    at: (state, now) => addMs(now, daysMs(state.policy, state.policy.extractionEscalationDays)),
    fire: (state, _deadline, change, ctx) => {
      openReview(state, change, ctx, 'extraction_overdue');
      raisePriority(state, change, ctx, 'extraction overdue');
      state.stageDeadline = null;
    },
  },
};
