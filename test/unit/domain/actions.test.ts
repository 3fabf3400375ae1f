// The action table (domain/case/actions.ts): one entry per action, and what allowedActions,
// validateAction and applyAction make of it in any stage.
import { describe, expect, it } from 'vitest';
import { allowedActions, caseView, validateAction } from '../../../domain/case.js';
import { actionTable } from '../../../domain/case/actions.js';
import { stageRules } from '../../../domain/case/stages/index.js';
import { ACTION_TYPES } from '../../../domain/schemas.js';
import { eventTypes, rejection, world } from './world.js';

describe('the action table', () => {
  it('when the table is built, then every action type has its entry, and a stage module holds only actions of its own stage', () => {
    expect(Object.keys(actionTable()).sort()).toEqual([...ACTION_TYPES].sort());
    for (const rules of stageRules()) {
      for (const rule of Object.values(rules.actions)) expect(rule.stages).toEqual([rules.stage]);
    }
  });

  it('when an action type is unknown or its fields are wrong, then it is refused as validation_failed', () => {
    const w = world();
    expect(rejection(() => validateAction(w.state, { type: 'teleport' }, w.iso())).code).toBe('validation_failed');
    const err = rejection(() => validateAction(w.state, { type: 'add_note' }, w.iso()));
    expect(err.code).toBe('validation_failed');
    expect(err.message).toBe('invalid add_note action');
  });

  it('when the expected version is not the case version, then it is refused as version_mismatch', () => {
    const w = world();
    const err = rejection(() => validateAction(w.state, { type: 'add_note', text: 'x' }, w.iso(), w.state.version + 1));
    expect(err.code).toBe('version_mismatch');
    expect(err.details).toEqual({ version: w.state.version });
  });

  it('when an action is not allowed in the stage, then it is refused with the stage and the allowed actions', () => {
    const w = world();
    expect(w.state.stage).toBe('extraction');
    const err = rejection(() => validateAction(w.state, { type: 'book_return', departureAt: '2026-11-02T00:00:00Z', arrivalPort: 'MNL' }, w.iso()));
    expect(err.code).toBe('invalid_transition');
    expect(err.details).toEqual({ stage: 'extraction', allowed: allowedActions(w.state) });
  });

  it('when a case is open, then the case-wide actions are offered in every stage, in API order', () => {
    const w = world();
    expect(allowedActions(w.state)).toEqual([
      'add_note',
      'assign',
      'set_priority',
      'hold',
      'record_consent',
      'record_screening',
      'request_extraction',
      'record_extraction',
      'record_extraction_failed',
      'decline_assistance',
      'request_closure',
      'transfer_office',
      'refer_to_police',
      'update_person',
      'add_risk_flag',
      'remove_risk_flag',
    ]);
  });

  it('when a case is on hold, then only the case-wide actions and resume are allowed', () => {
    const w = world();
    w.act({ type: 'hold', reason: 'hospital' });
    expect(allowedActions(w.state)).toEqual(['add_note', 'assign', 'set_priority', 'resume', 'record_consent', 'record_screening', 'decline_assistance', 'request_closure', 'transfer_office', 'refer_to_police', 'update_person', 'add_risk_flag', 'remove_risk_flag']);
    expect(rejection(() => validateAction(w.state, { type: 'record_extraction_failed', reason: 'r' }, w.iso())).message).toContain('on hold');
  });

  it('when an action is applied, then its own event comes first and carries its fields', () => {
    const w = world();
    const change = w.act({ type: 'assign', assignee: 'cw-2' });
    expect(eventTypes(change)).toEqual(['assign']);
    expect(change.events[0]!.data).toEqual({ assignee: 'cw-2' });
    expect(w.state.assignee).toBe('cw-2');
    w.act({ type: 'set_priority', priority: 'low', reason: 'stable' });
    expect(w.state.priority).toBe('low');
    w.act({ type: 'record_screening', outcome: 'both', basis: 'interview' });
    expect(w.state.screening).toBe('both');
  });

  it('when a screening records forms of exploitation, then the case keeps them once each in a fixed order; a later screening without them keeps them, one with them replaces them', () => {
    const w = world();
    expect(caseView(w.state).exploitationTypes).toEqual([]);
    w.act({ type: 'record_screening', outcome: 'victim', basis: 'interview', exploitationTypes: ['forced_labour', 'forced_criminality', 'forced_labour'] });
    expect(caseView(w.state).exploitationTypes).toEqual(['forced_criminality', 'forced_labour']);
    w.act({ type: 'record_screening', outcome: 'both', basis: 'second interview' });
    expect(w.state.exploitationTypes).toEqual(['forced_criminality', 'forced_labour']);
    w.act({ type: 'record_screening', outcome: 'victim', basis: 'medical report', exploitationTypes: ['sexual_exploitation'] });
    expect(w.state.exploitationTypes).toEqual(['sexual_exploitation']);
    expect(rejection(() => validateAction(w.state, { type: 'record_screening', outcome: 'victim', basis: 'b', exploitationTypes: ['scamming'] }, w.iso())).code).toBe('validation_failed');
  });
});
