// A step, committed (domain/case/commit.ts): the version, the bounds, and what the read model gets.
import { describe, expect, it } from 'vitest';
import { STATE_LIMITS, commit } from '../../../domain/case.js';
import { world } from './world.js';

describe('commit', () => {
  it('when the first step is committed, then the version stays 1 and the person\'s documents go with it', () => {
    const w = world();
    const step = commit(w.state, w.opened, { first: true });
    expect(step.caseView.version).toBe(1);
    expect(step.documents).toEqual(w.state.person.documents);
    expect(step.events.map((e) => e.type)).toEqual(['case_opened']);
  });

  it('when a later step is committed, then the version goes up by one and its tasks carry the case they belong to', () => {
    const w = world();
    commit(w.state, w.opened, { first: true });
    const step = commit(w.state, w.extract());
    expect(w.state.version).toBe(2);
    expect(step.caseView.version).toBe(2);
    expect(step.documents).toBeUndefined();
    expect(step.tasks.map((t) => [t.type, t.caseId, t.caseReference, t.office])).toEqual([
      ['verify_nationality', w.state.id, 'HW-2026-000001', 'manila'],
      ['issue_travel_document', w.state.id, 'HW-2026-000001', 'manila'],
    ]);
  });

  it('when a step is committed with trim, then the state is bounded; without, it is kept whole', () => {
    const w = world({ confirmed: false });
    const sight = () => w.act({ type: 'record_sighting', location: { country: 'KH' }, observedAt: '2026-11-01T01:00:00Z', source: 's' });
    for (let i = 0; i <= STATE_LIMITS.sightings; i += 1) commit(w.state, sight());
    expect(w.state.sightings).toHaveLength(STATE_LIMITS.sightings + 1);
    commit(w.state, sight(), { trim: true });
    expect(w.state.sightings).toHaveLength(STATE_LIMITS.sightings);
  });
});
