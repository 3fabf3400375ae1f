// The messages a bulk action stores for the cases that refused it are built from the error code and
// what of its details is an enum or a field path: never the case's own message, which may quote it.
import { describe, expect, it } from 'vitest';
import { failureMessage } from '../../activities/bulk-actions.js';

describe('bulk action failure messages', () => {
  it('when a case refuses in a stage, then the message names the action and the stage, and nothing the details add', () => {
    expect(failureMessage('book_return', 'invalid_transition', { stage: 'extraction', allowed: ['add_note'] })).toBe('book_return is not allowed now (stage extraction)');
    expect(failureMessage('add_note', 'invalid_transition', { stage: 'closed', allowed: [] })).toBe('add_note is not allowed: the case is closed');
    const restricted = failureMessage('record_placement', 'invalid_transition', { stage: 'employment_assistance', exitRestriction: { until: '2031-04-12' } });
    expect(restricted).not.toContain('2031');
  });

  it('when the details are not what the case sends, then the message falls back to the code alone', () => {
    expect(failureMessage('hold', 'invalid_transition', { stage: 'Maria Santos' })).toBe('hold is not allowed now');
    expect(failureMessage('hold', 'invalid_transition', null)).toBe('hold is not allowed now');
  });

  it('when the case refuses the fields, then only well-formed field paths are named', () => {
    const message = failureMessage('record_follow_up', 'validation_failed', [
      { path: 'taskId', message: 'not an open follow-up task of this case' },
      { path: 'notes', message: 'x' },
      { path: 'Maria Santos, born 1996-04-12', message: 'y' },
    ]);
    expect(message).toBe("the case refused the action's fields: taskId, notes");
  });

  it('when the code is any other, then the message is a fixed phrase of that code', () => {
    for (const code of ['version_mismatch', 'not_found', 'conflict', 'forbidden', 'unavailable', 'internal', 'duplicate_person'] as const) {
      expect(failureMessage('add_note', code, { anything: 'Maria Santos' })).not.toMatch(/Maria/);
    }
  });
});
