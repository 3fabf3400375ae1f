// An action the case's stage does not allow is refused by the workflow's update validator: 409
// invalid_transition naming the stage and what is allowed, and nothing at all is written, neither to
// the Temporal history nor to the read model.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TYPES, type ActionType } from '../../domain/schemas.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import {
  CONFIRM,
  act,
  actOk,
  bearer,
  caseInConsularContact,
  caseRowOf,
  countEvents,
  expectError,
  openBody,
  openCase,
} from '../api/support.js';

let h: Harness;
let consulateId: string;
let caseworker: string;
let supervisor: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
  supervisor = await h.token('supervisor', { office: h.office });
});
afterAll(async () => {
  await h?.stop();
});

/** A well-formed body for every action type: only the stage can refuse these. */
const VALID: Record<ActionType, Record<string, unknown>> = {
  add_note: { text: 'a note' },
  assign: { assignee: 'cw-zed' },
  set_priority: { priority: 'low', reason: 'calm' },
  hold: { reason: 'waiting for family' },
  resume: {},
  record_consent: { consularNotification: 'granted' },
  record_screening: { outcome: 'victim', basis: 'interview' },
  record_sighting: { location: { country: 'MM', site: 'KK Park' }, observedAt: '2026-10-01T08:00:00Z', source: 'family' },
  confirm_location: { location: { country: 'MM', site: 'KK Park' } },
  request_extraction: { partner: 'Royal Thai Police', reference: 'RTP-1' },
  record_extraction: { extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak immigration' },
  record_extraction_failed: { reason: 'moved' },
  book_return: { departureAt: '2026-11-02T06:00:00Z', arrivalPort: 'MNL' },
  record_departure: { departedAt: '2026-11-02T06:10:00Z' },
  record_arrival: { arrivedAt: '2026-11-02T10:00:00Z', port: 'MNL', receivedBy: 'desk' },
  record_assessment: { skills: ['sewing'], education: 'secondary', preferredRegion: 'NCR', needs: [] },
  record_referral: { kind: 'job', organisation: 'PESO', description: 'factory' },
  record_placement: { employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false },
  record_follow_up: { taskId: randomUUID(), outcome: 'employed' },
  decline_assistance: { reason: 'wants no help' },
  request_closure: { reason: 'duplicate', comment: 'same person' },
  transfer_office: { office: 'office-elsewhere', reason: 'the person moved' },
  refer_to_police: { agency: 'Philippine National Police', reference: 'PNP-1', nonPunishment: true },
  update_person: { fullName: 'Maria Santos', reason: 'spelling' },
  add_risk_flag: { flag: 'pregnant', reason: 'she told us' },
  remove_risk_flag: { flag: 'pregnant', reason: 'entered by mistake' },
  record_best_interests: { determination: 'return_in_best_interests', decidedBy: 'DSWD social worker' },
  record_medical: { fitToTravel: true },
};

const handle = (caseId: string) => h.temporal.workflow.getHandle(`case-${caseId}`);

/** Waits until the workflow has nothing in flight (no activity, no workflow task) and returns its event count. */
async function quietHistoryLength(caseId: string): Promise<number> {
  const until = Date.now() + 15_000;
  let last = -1;
  for (;;) {
    const d = await handle(caseId).describe();
    const busy = (d.raw.pendingActivities?.length ?? 0) > 0 || !!d.raw.pendingWorkflowTask;
    const n = (await handle(caseId).fetchHistory()).events?.length ?? 0;
    if (!busy && n === last) return n;
    if (Date.now() > until) throw new Error(`workflow of case ${caseId} never went quiet`);
    last = busy ? -1 : n;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Tries every action the case does not allow now: each must be a 409 invalid_transition whose
 * details equal GET /actions, and the history, version and timeline must not move.
 */
async function expectAllRefusedWithoutTrace(caseId: string, expectRefused: ActionType[]) {
  const actions = await h.http.get(`/v1/cases/${caseId}/actions`).set(bearer(caseworker));
  expect(actions.status).toBe(200);
  const allowed = actions.body.allowed as ActionType[];
  const refused = ACTION_TYPES.filter((t) => !allowed.includes(t));
  for (const t of expectRefused) expect(refused, `${t} should be refused in ${actions.body.stage}`).toContain(t);

  const historyBefore = await quietHistoryLength(caseId);
  const eventsBefore = await countEvents(h, caseId);
  const versionBefore = (await caseRowOf(h, caseId))!.version;

  for (const type of refused) {
    const res = await act(h, caseworker, caseId, { type, ...VALID[type] });
    const error = expectError(res, 409, 'invalid_transition');
    expect(error.details, type).toEqual(actions.body);
    expect(error.message).toContain(type);
  }
  // With the right If-Match too: the version is not what refuses it.
  if (refused.length > 0) {
    const res = await act(h, caseworker, caseId, { type: refused[0]!, ...VALID[refused[0]!] }, { 'If-Match': String(versionBefore) });
    expectError(res, 409, 'invalid_transition');
  }

  const historyAfter = (await handle(caseId).fetchHistory()).events!.length;
  expect(historyAfter, 'refused updates must leave no event in the workflow history').toBe(historyBefore);
  expect(await countEvents(h, caseId)).toBe(eventsBefore);
  expect((await caseRowOf(h, caseId))!.version).toBe(versionBefore);
  const again = await h.http.get(`/v1/cases/${caseId}/actions`).set(bearer(caseworker));
  expect(again.body).toEqual(actions.body);
  // Control: an accepted action does leave events, so the counts above could have moved.
  await actOk(h, caseworker, caseId, { type: 'add_note', text: 'accepted' });
  expect((await handle(caseId).fetchHistory()).events!.length).toBeGreaterThan(historyBefore);
  return { allowed, refused, stage: actions.body.stage as string };
}

describe('actions outside their stage', () => {
  it('when a case is locating, then extraction, return and employment actions (and resume) are refused without a trace', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const { stage } = await expectAllRefusedWithoutTrace(id, [
      'resume',
      'request_extraction',
      'record_extraction',
      'record_extraction_failed',
      'book_return',
      'record_departure',
      'record_arrival',
      'record_assessment',
      'record_referral',
      'record_placement',
      'record_follow_up',
    ]);
    expect(stage).toBe('locating');
  });

  it('when a case is in extraction, then locating actions are refused without a trace', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    await actOk(h, caseworker, id, CONFIRM);
    const { stage, allowed } = await expectAllRefusedWithoutTrace(id, ['record_sighting', 'confirm_location', 'book_return', 'record_placement']);
    expect(stage).toBe('extraction');
    expect(allowed).toContain('record_extraction');
  });

  it('when a case is in consular contact, then no stage action of another stage is allowed', async () => {
    const id = await caseInConsularContact(h, caseworker, consulateId);
    const { stage } = await expectAllRefusedWithoutTrace(id, ['confirm_location', 'record_extraction', 'book_return', 'record_arrival', 'record_assessment']);
    expect(stage).toBe('consular_contact');
  });

  it('when a stale If-Match meets an action, then 412 and no trace either', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    await actOk(h, caseworker, id, { type: 'add_note', text: 'v2' });
    const before = await quietHistoryLength(id);
    const events = await countEvents(h, id);
    expectError(await act(h, caseworker, id, { type: 'add_note', text: 'stale' }, { 'If-Match': '1' }), 412, 'version_mismatch');
    expect((await handle(id).fetchHistory()).events!.length).toBe(before);
    expect(await countEvents(h, id)).toBe(events);
  });

  it('when a case is on hold, then the stage-advancing actions and a second hold are refused, and after resume they are allowed again', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const held = await actOk(h, caseworker, id, { type: 'hold', reason: 'family unreachable' });
    expect(held.onHold).toBe(true);
    const { allowed, stage } = await expectAllRefusedWithoutTrace(id, ['hold', 'confirm_location', 'record_sighting']);
    expect(stage).toBe('locating');
    expect(allowed).toContain('resume');
    expect(allowed).toContain('add_note');
    await actOk(h, caseworker, id, { type: 'resume' });
    const moved = await actOk(h, caseworker, id, CONFIRM);
    expect(moved.stage).toBe('extraction');
  });

  it('when a closure approval is pending, then another closure request or a decline is refused without a trace', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    await actOk(h, caseworker, id, { type: 'request_closure', reason: 'lost_contact' });
    await expectAllRefusedWithoutTrace(id, ['request_closure', 'decline_assistance']);
  });

  it('when the case is closed, then every action is 409 with stage closed and nothing allowed, and nothing is written', async () => {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const closing = await actOk(h, caseworker, id, { type: 'request_closure', reason: 'duplicate' });
    const approvalId = (closing.pendingApprovals as Array<{ id: string }>)[0]!.id;
    const decided = await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(supervisor)).send({ decision: 'approved' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);

    const actions = await h.http.get(`/v1/cases/${id}/actions`).set(bearer(caseworker));
    expect(actions.body).toEqual({ stage: 'closed', allowed: [] });
    const historyBefore = await quietHistoryLength(id);
    const eventsBefore = await countEvents(h, id);
    const versionBefore = (await caseRowOf(h, id))!.version;
    for (const type of ACTION_TYPES) {
      const error = expectError(await act(h, caseworker, id, { type, ...VALID[type] }), 409, 'invalid_transition');
      expect(error.details, type).toEqual({ stage: 'closed', allowed: [] });
      }
    expect((await handle(id).fetchHistory()).events!.length).toBe(historyBefore);
    expect(await countEvents(h, id)).toBe(eventsBefore);
    expect((await caseRowOf(h, id))!.version).toBe(versionBefore);
  });
});
