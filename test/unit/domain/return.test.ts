// Stage "return" (domain/case/stages/return.ts): booking, departure, arrival, the departure deadline.
import { describe, expect, it } from 'vitest';
import { allowedActions, openTasks } from '../../../domain/case.js';
import { DAY, world } from './world.js';

describe('stage return', () => {
  it('when no trip is booked, then departure and arrival are not offered; once booked, both are', () => {
    const w = world();
    w.toReturn();
    expect(allowedActions(w.state)).toContain('book_return');
    expect(allowedActions(w.state)).not.toContain('record_departure');
    expect(allowedActions(w.state)).not.toContain('record_arrival');
    w.act({ type: 'book_return', departureAt: '2026-11-05T00:00:00Z', arrivalPort: 'MNL', flightNumber: 'PR 731' });
    expect(w.state.returnTrip).toEqual({ departureAt: '2026-11-05T00:00:00Z', arrivalPort: 'MNL', flightNumber: 'PR 731' });
    expect(allowedActions(w.state)).toEqual(expect.arrayContaining(['record_departure', 'record_arrival']));
  });

  it('when the departure is recorded, then its deadline is spent and it is not offered again', () => {
    const w = world();
    w.toReturn();
    w.act({ type: 'book_return', departureAt: '2026-11-05T00:00:00Z', arrivalPort: 'MNL' });
    w.act({ type: 'record_departure', departedAt: '2026-11-05T00:10:00Z' });
    expect(w.state.stageDeadline).toBeNull();
    expect(allowedActions(w.state)).not.toContain('record_departure');
    expect(allowedActions(w.state)).toContain('record_arrival');
  });

  it('when the person arrives, then the case enters the exit restriction check and the authority gets its review', () => {
    const w = world();
    w.toExitCheck();
    expect(w.state.stage).toBe('exit_restriction_check');
    expect(w.state.returnTrip).toMatchObject({ arrivedAt: '2026-11-05T04:00:00Z', port: 'MNL', receivedBy: 'desk' });
    const review = openTasks(w.state).find((t) => t.type === 'exit_restriction_review')!;
    expect(review).toMatchObject({ agencyId: 'immigration', audience: 'agency' });
    expect(review.input).toMatchObject({ arrivedAt: '2026-11-05T04:00:00Z', abroadIn: 'MM' });
  });

  it('when the departure is overdue, then a supervisor is asked once', () => {
    const w = world();
    w.toReturn();
    w.advance(14 * DAY);
    w.fire();
    expect(openTasks(w.state).filter((t) => t.review?.topic === 'departure_overdue')).toHaveLength(1);
    expect(w.state.stageDeadline).toBeNull();
  });
});
