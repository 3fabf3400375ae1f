// Stage "locating": where is the person? Sightings are recorded until someone confirms a location;
// the case then moves on to extraction. A case opened with a confirmed location starts in extraction.
import { daysMs } from '../../policy.js';
import type { StageRules } from '../rules.js';
import { openTasks } from '../state.js';
import { addMs } from '../clock.js';
import { enterStage } from '../steps.js';
import { openReview } from '../reviews.js';

export const locating: StageRules = {
  stage: 'locating',
  actions: {
    record_sighting: {
      stages: ['locating'],
      whileOnHold: false,
      apply: (state, action) => {
        state.sightings.push({ location: action.location, observedAt: action.observedAt, source: action.source });
        state.location = { ...action.location, confirmed: false };
      },
    },
    // The exit: a confirmed location is where the extraction goes.
    confirm_location: {
      stages: ['locating'],
      whileOnHold: false,
      apply: (state, action, change, ctx) => {
        state.location = { ...action.location, confirmed: true };
        enterStage(state, change, ctx, 'extraction');
      },
    },
  },
  deadline: {
    kind: 'locating_review',
    at: (state, now) => addMs(now, daysMs(state.policy, state.policy.locatingReviewDays)),
    fire: (state, deadline, change, ctx) => {
      if (!openTasks(state).some((t) => t.review?.topic === 'locating_unconfirmed')) openReview(state, change, ctx, 'locating_unconfirmed');
      // Every further period without a confirmed location brings another review.
      state.stageDeadline = { kind: deadline.kind, at: addMs(deadline.at, daysMs(state.policy, state.policy.locatingReviewDays)) };
    },
  },
};
