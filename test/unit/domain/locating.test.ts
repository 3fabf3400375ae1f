// Stage "locating" (domain/case/stages/locating.ts): sightings, confirmation, the periodic review.
import { describe, expect, it } from 'vitest';
import { allowedActions, openTasks } from '../../../domain/case.js';
import { DAY, T0, eventTypes, world } from './world.js';

describe('stage locating', () => {
  it('when a case opens without a confirmed location, then it starts in locating with its review deadline', () => {
    const w = world({ confirmed: false });
    expect(w.state.stage).toBe('locating');
    expect(w.state.stageDeadline).toEqual({ kind: 'locating_review', at: new Date(T0 + 14 * DAY).toISOString() });
    expect(allowedActions(w.state)).toContain('record_sighting');
    expect(allowedActions(w.state)).not.toContain('record_extraction');
  });

  it('when a sighting is recorded, then it is kept and the location is unconfirmed', () => {
    const w = world({ confirmed: false });
    w.act({ type: 'record_sighting', location: { country: 'KH', site: 'Bavet' }, observedAt: '2026-11-01T01:00:00Z', source: 'hotline' });
    expect(w.state.sightings).toHaveLength(1);
    expect(w.state.location).toMatchObject({ country: 'KH', confirmed: false });
    expect(w.state.stage).toBe('locating');
  });

  it('when the location is confirmed, then the case enters extraction with its escalation deadline', () => {
    const w = world({ confirmed: false });
    const change = w.act({ type: 'confirm_location', location: { country: 'KH', site: 'Bavet' } });
    expect(eventTypes(change)).toEqual(['confirm_location', 'stage_changed']);
    expect(w.state.stage).toBe('extraction');
    expect(w.state.location).toMatchObject({ confirmed: true });
    expect(w.state.stageDeadline).toEqual({ kind: 'extraction_escalation', at: new Date(T0 + 30 * DAY).toISOString() });
  });

  it('when the review period passes without a confirmed location, then one supervisor review is opened per period', () => {
    const w = world({ confirmed: false });
    w.advance(14 * DAY);
    expect(eventTypes(w.fire())).toEqual(['stage_deadline', 'task_created']);
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['locating_unconfirmed']);
    expect(w.state.stageDeadline?.at).toBe(new Date(T0 + 28 * DAY).toISOString());
    // The review is still open at the next period: no second one.
    w.advance(14 * DAY);
    expect(eventTypes(w.fire())).toContain('stage_deadline');
    expect(openTasks(w.state).filter((t) => t.review?.topic === 'locating_unconfirmed')).toHaveLength(1);
    expect(w.state.stageDeadline?.at).toBe(new Date(T0 + 42 * DAY).toISOString());
  });
});
