// Stage "return": the journey home. A trip is booked, the departure and the arrival are recorded;
// the arrival moves the case to the exit restriction check. The departure is due within a set time
// of the travel document's issue; overdue, a supervisor is asked. A person found unfit to travel
// gets no booking until a later record says fit (medical.ts).
import { daysMs } from '../../policy.js';
import type { StageRules } from '../rules.js';
import { addMs } from '../clock.js';
import { enterStage } from '../steps.js';
import { openReview } from '../reviews.js';
import { unfitToTravel, whyNoReturn } from '../medical.js';

export const returnStage: StageRules = {
  stage: 'return',
  actions: {
    book_return: {
      stages: ['return'],
      whileOnHold: false,
      available: (state) => !unfitToTravel(state),
      whyUnavailable: whyNoReturn,
      apply: (state, action) => {
        const { type: _t, ...trip } = action;
        state.returnTrip = trip;
      },
    },
    record_departure: {
      stages: ['return'],
      whileOnHold: false,
      available: (state) => state.returnTrip !== null && !state.returnTrip.departedAt,
      apply: (state, action) => {
        state.returnTrip = { ...state.returnTrip!, departedAt: action.departedAt };
        if (state.stageDeadline?.kind === 'departure_due') state.stageDeadline = null;
      },
    },
    // The exit: the person is home.
    record_arrival: {
      stages: ['return'],
      whileOnHold: false,
      available: (state) => state.returnTrip !== null,
      apply: (state, action, change, ctx) => {
        state.returnTrip = { ...state.returnTrip!, arrivedAt: action.arrivedAt, port: action.port, receivedBy: action.receivedBy };
        enterStage(state, change, ctx, 'exit_restriction_check');
      },
    },
  },
  deadline: {
    kind: 'departure_due',
    at: (state, now) => addMs(state.travelDocumentIssuedAt ?? now, daysMs(state.policy, state.policy.departureWithinDays)),
    fire: (state, _deadline, change, ctx) => {
      openReview(state, change, ctx, 'departure_overdue');
      state.stageDeadline = null;
    },
  },
};
