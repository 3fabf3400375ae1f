// Stage "extraction" (domain/case/stages/extraction.ts): requests, the extraction, failure, the escalation.
import { describe, expect, it } from 'vitest';
import { openTasks } from '../../../domain/case.js';
import { DAY, eventTypes, world } from './world.js';

describe('stage extraction', () => {
  it('when an extraction is requested twice, then the attempts are counted', () => {
    const w = world();
    w.act({ type: 'request_extraction', partner: 'police', reference: 'R1' });
    w.act({ type: 'request_extraction', partner: 'ngo', reference: 'R2' });
    expect(w.state.extraction).toEqual({ partner: 'ngo', reference: 'R2', attempts: 2 });
  });

  it('when the person is extracted injured, then the case enters consular contact and a medical check is sent too', () => {
    const w = world();
    w.act({ type: 'record_extraction', extractedAt: '2026-11-01T03:00:00Z', handedOverTo: 'police', injured: true, medicalNeeds: 'leg' });
    expect(w.state.stage).toBe('consular_contact');
    expect(w.state.riskFlags).toContain('injured');
    expect(w.state.medicalNeeds).toBe('leg');
    expect(w.state.stageDeadline).toBeNull();
    expect(openTasks(w.state).map((t) => t.type).sort()).toEqual(['arrange_medical_check', 'issue_travel_document', 'verify_nationality']);
  });

  it('when an extraction fails, then the case goes back to locating with the location unconfirmed', () => {
    const w = world();
    w.act({ type: 'record_extraction_failed', reason: 'moved' });
    expect(w.state.stage).toBe('locating');
    expect(w.state.location?.confirmed).toBe(false);
    expect(w.state.stageDeadline?.kind).toBe('locating_review');
  });

  it('when the extraction is overdue, then a supervisor is asked, the priority rises once and the deadline is spent', () => {
    const w = world();
    expect(w.state.priority).toBe('normal');
    w.advance(30 * DAY);
    expect(eventTypes(w.fire())).toEqual(['stage_deadline', 'task_created', 'priority_raised']);
    expect(w.state.priority).toBe('high');
    expect(openTasks(w.state).map((t) => t.review?.topic)).toEqual(['extraction_overdue']);
    expect(w.state.stageDeadline).toBeNull();
  });
});
