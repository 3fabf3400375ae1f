// Corrections to the person (domain/case/person.ts): update_person audited field by field, risk
// flags and what they change, and the consulate's travel document joining the person's documents.
import { describe, expect, it } from 'vitest';
import { allowedActions, commit, openTasks, validateAction } from '../../../domain/case.js';
import { eventTypes, rejection, world } from './world.js';

const guardian = { fullName: 'Tran Thi Mai', relationship: 'parent', phone: '+84 90 000 0000' };

describe('update_person', () => {
  it('when a name, date of birth and nationalities are corrected, then the person changes and the timeline holds each field from and to, with the reason, not the request', () => {
    const w = world();
    const change = w.act({ type: 'update_person', fullName: 'Unit Persson', dateOfBirth: '1999-12-31', nationalities: ['US'], reason: 'passport seen' });
    expect(w.state.person).toMatchObject({ fullName: 'Unit Persson', dateOfBirth: '1999-12-31', nationality: 'PH', nationalities: ['US'] });
    expect(eventTypes(change)).toEqual(['update_person']);
    expect(change.events[0]!.data).toEqual({
      reason: 'passport seen',
      changes: [
        { field: 'fullName', from: 'Unit Person', to: 'Unit Persson' },
        { field: 'dateOfBirth', from: null, to: '1999-12-31' },
        { field: 'nationalities', from: [], to: ['US'] },
      ],
    });
    expect(change.personChanged).toBe(true);
  });

  it('when a field is set to null, then it is cleared; a list given replaces the list', () => {
    const w = world({ person: { phone: '+63 900 000 0000', nativeName: 'Unit', languages: ['tl'] } });
    const change = w.act({ type: 'update_person', phone: null, nativeName: null, languages: ['en', 'ceb'], reason: 'wrong number' });
    expect(w.state.person.phone).toBeUndefined();
    expect(w.state.person.nativeName).toBeUndefined();
    expect(w.state.person.languages).toEqual(['en', 'ceb']);
    expect((change.events[0]!.data.changes as Array<{ field: string }>).map((c) => c.field)).toEqual(['nativeName', 'languages', 'phone']);
  });

  it('when the guardian changes, then the timeline names the guardian\'s fields that changed', () => {
    const w = world();
    const first = w.act({ type: 'update_person', guardian, reason: 'mother came to the shelter' });
    expect(first.events[0]!.data.changes).toEqual([{ field: 'guardian', from: null, to: guardian }]);
    const second = w.act({ type: 'update_person', guardian: { ...guardian, phone: '+84 91 111 1111' }, reason: 'new number' });
    expect(second.events[0]!.data.changes).toEqual([{ field: 'guardian.phone', from: '+84 90 000 0000', to: '+84 91 111 1111' }]);
    // A guardian or a phone number is not what duplicates are matched on: nothing to re-index.
    expect(second.personChanged).toBeUndefined();
  });

  it('when every value given is the one on record, then the correction is recorded with no changes and nothing is re-indexed', () => {
    const w = world();
    const change = w.act({ type: 'update_person', fullName: 'Unit Person', documents: [{ issuingCountry: 'PH', number: 'P1', type: 'passport' }], reason: 'checked' });
    expect(change.events[0]!.data).toEqual({ reason: 'checked', changes: [] });
    expect(change.personChanged).toBeUndefined();
    expect(commit(w.state, change).personChanged).toBeUndefined();
  });

  it('when a document is added, then the committed step asks the read model to re-index the person', () => {
    const w = world();
    const change = w.act({ type: 'update_person', documents: [...w.state.person.documents, { type: 'national_id', number: 'N-1', issuingCountry: 'PH' }], reason: 'ID card found' });
    expect(commit(w.state, change).personChanged).toBe(true);
  });

  it('when no field is given, a document is listed twice, or the primary nationality is also a further one, then it is refused with the field paths', () => {
    const w = world();
    expect(rejection(() => validateAction(w.state, { type: 'update_person', reason: 'r' }, w.iso())).details).toEqual([
      { path: '(root)', message: expect.stringContaining('give at least one of') },
    ]);
    const doc = { type: 'passport', number: 'E 123', issuingCountry: 'PH' };
    expect(rejection(() => validateAction(w.state, { type: 'update_person', documents: [doc, { ...doc, number: 'e123' }], reason: 'r' }, w.iso())).details).toEqual([
      { path: 'documents[1].number', message: 'the same document is listed twice' },
    ]);
    const primary = rejection(() => validateAction(w.state, { type: 'update_person', nationalities: ['US', 'PH'], reason: 'r' }, w.iso()));
    expect(primary.code).toBe('validation_failed');
    expect(primary.details).toEqual([{ path: 'nationalities[1]', message: 'the primary nationality is also listed in nationalities' }]);
    w.act({ type: 'update_person', nationalities: ['US'], reason: 'r' });
    expect(rejection(() => validateAction(w.state, { type: 'update_person', nationality: 'US', reason: 'r' }, w.iso())).details).toEqual([
      { path: 'nationality', message: 'the primary nationality is also listed in nationalities' },
    ]);
    expect(rejection(() => validateAction(w.state, { type: 'update_person', fullName: 'x', reason: 'r', office: 'elsewhere' }, w.iso())).code).toBe('validation_failed');
  });

  it('when the case is on hold or in any stage, then corrections are allowed; once closed, nothing is', () => {
    const w = world();
    w.act({ type: 'hold', reason: 'hospital' });
    expect(allowedActions(w.state)).toEqual(expect.arrayContaining(['update_person', 'add_risk_flag', 'remove_risk_flag']));
    w.act({ type: 'resume' });
    w.toEmployment();
    expect(allowedActions(w.state)).toContain('update_person');
    w.act({ type: 'request_closure', reason: 'duplicate' });
    w.decide('approved');
    expect(rejection(() => validateAction(w.state, { type: 'update_person', fullName: 'x', reason: 'r' }, w.iso())).code).toBe('invalid_transition');
  });
});

describe('risk flags', () => {
  it('when a flag is added, then the priority rises to what intake gives it, with its own timeline entry; removing one never lowers it', () => {
    const w = world();
    expect(w.state.priority).toBe('normal');
    const abused = w.act({ type: 'add_risk_flag', flag: 'abused', reason: 'interview' });
    expect(w.state.priority).toBe('high');
    expect(abused.events.map((e) => [e.type, e.data])).toEqual([
      ['add_risk_flag', { flag: 'abused', reason: 'interview' }],
      ['priority_raised', { from: 'normal', to: 'high', why: 'risk flag abused' }],
    ]);
    w.act({ type: 'add_risk_flag', flag: 'minor', reason: 'birth certificate' });
    expect(w.state.priority).toBe('critical');
    const removed = w.act({ type: 'remove_risk_flag', flag: 'minor', reason: 'age assessed: 19' });
    expect(eventTypes(removed)).toEqual(['remove_risk_flag']);
    expect(removed.events[0]!.data).toEqual({ flag: 'minor', reason: 'age assessed: 19' });
    expect(w.state.riskFlags).toEqual(['abused']);
    expect(w.state.priority).toBe('critical');
  });

  it('when a flag already set is added, or one not set is removed, then it is a conflict', () => {
    const w = world({ riskFlags: ['injured'] });
    expect(rejection(() => validateAction(w.state, { type: 'add_risk_flag', flag: 'injured', reason: 'r' }, w.iso())).code).toBe('conflict');
    expect(rejection(() => validateAction(w.state, { type: 'remove_risk_flag', flag: 'minor', reason: 'r' }, w.iso())).code).toBe('conflict');
    expect(rejection(() => validateAction(w.state, { type: 'remove_risk_flag', flag: 'injured' }, w.iso())).details).toEqual([{ path: 'reason', message: expect.any(String) }]);
  });

  it('when a flag that needs more consular work is added during consular contact, then the consulate gets that task at once', () => {
    const w = world();
    w.extract();
    expect(w.openTask('arrange_medical_check')).toBeUndefined();
    const change = w.act({ type: 'add_risk_flag', flag: 'injured', reason: 'limping' });
    expect(change.tasks.map((t) => t.type)).toEqual(['arrange_medical_check']);
    w.act({ type: 'add_risk_flag', flag: 'minor', reason: 'birth certificate' });
    expect(openTasks(w.state).map((t) => t.type).sort()).toEqual(['arrange_medical_check', 'arrange_shelter', 'issue_travel_document', 'verify_nationality']);
  });

  it('when consent stops the consulate\'s work, then a new flag sends it nothing', () => {
    const w = world();
    w.extract();
    w.act({ type: 'record_consent', dataSharing: 'withdrawn' });
    const change = w.act({ type: 'add_risk_flag', flag: 'injured', reason: 'limping' });
    expect(change.tasks).toEqual([]);
  });
});

describe('the travel document', () => {
  it('when the consulate issues it, then it joins the person\'s documents as a document of their nationality, and the step re-indexes the person', () => {
    const w = world();
    w.extract();
    w.complete('verify_nationality', { verified: true });
    const change = w.complete('issue_travel_document', { documentType: 'emergency_travel_document', number: 'ETD 77', validUntil: '2027-01-31' });
    expect(w.state.person.documents).toEqual([
      { type: 'passport', number: 'P1', issuingCountry: 'PH' },
      { type: 'emergency_travel_document', number: 'ETD 77', issuingCountry: 'PH', validUntil: '2027-01-31' },
    ]);
    expect(change.personChanged).toBe(true);
    expect(commit(w.state, change).personChanged).toBe(true);
  });

  it('when it is a document the person already has, then it is updated, not listed twice', () => {
    const w = world();
    w.extract();
    w.complete('issue_travel_document', { documentType: 'passport', number: 'p-1', validUntil: '2031-01-01' });
    expect(w.state.person.documents).toEqual([{ type: 'passport', number: 'p-1', issuingCountry: 'PH', validUntil: '2031-01-01' }]);
  });

  it('when the case replays a completion from before the change, then the person\'s documents stay as they were', () => {
    const w = world({ travelDocumentJoinsPerson: false });
    w.toReturn();
    expect(w.state.travelDocument).toMatchObject({ number: 'X1' });
    expect(w.state.person.documents).toEqual([{ type: 'passport', number: 'P1', issuingCountry: 'PH' }]);
  });
});
