// Scope never leaks, and four eyes (docs/api.md "Scope never leaks"; issue #8): a duplicate found in another
// office gives no case id, only whom to contact, whether it is found opening one case or in a raid;
// whoever requested an approval cannot decide it, neither at the API nor in the case workflow.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { bearer, caseRowOf, countCasesOfOffice, countEvents, expectError, openBody, openCase, actOk, uniqueDocNumber } from '../api/support.js';
import { decideApprovalUpdate } from '../../workflows/definitions.js';

let h: Harness;
let consulateId: string;
let caseworker: string;
let otherOffice: string;
let otherCaseworker: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
  otherOffice = `office-${randomUUID().slice(0, 8)}`;
  otherCaseworker = await h.token('caseworker', { office: otherOffice });
});
afterAll(async () => {
  await h?.stop();
});

const passport = () => ({ type: 'passport', number: uniqueDocNumber('SC'), issuingCountry: 'PH' });

describe('duplicate_person follows the caller\'s scope', () => {
  it('when the open case with that document belongs to another office, then 409 duplicate_person gives no case id, says inScope false and names the office to contact', async () => {
    const doc = passport();
    const existing = await openCase(h, caseworker, openBody(consulateId, {}, { documents: [doc] }));
    for (const headers of [{}, { 'Idempotency-Key': `dup-${randomUUID()}` }]) {
      const res = await h.http.post('/v1/cases').set(bearer(otherCaseworker)).set(headers).send(openBody(consulateId, {}, { documents: [doc] }));
      const error = expectError(res, 409, 'duplicate_person');
      expect(error.details).toEqual({ inScope: false });
      expect(error.message).toContain(h.office);
      expect(JSON.stringify(res.body)).not.toContain(existing.id);
      expect(JSON.stringify(res.body)).not.toContain(existing.reference);
    }
    expect(await countCasesOfOffice(h, otherOffice)).toBe(0);
  });

  it('when the open case is in the caller\'s own office, or the caller sees every office, then the details carry its id', async () => {
    const doc = passport();
    const existing = await openCase(h, caseworker, openBody(consulateId, {}, { documents: [doc] }));
    const same = await h.http.post('/v1/cases').set(bearer(caseworker)).send(openBody(consulateId, {}, { documents: [doc] }));
    expect(expectError(same, 409, 'duplicate_person').details).toEqual({ caseId: existing.id });
    const everywhere = await h.token('supervisor', { office: '*' });
    const all = await h.http.post('/v1/cases').set(bearer(everywhere)).send(openBody(consulateId, { office: otherOffice }, { documents: [doc] }));
    expect(expectError(all, 409, 'duplicate_person').details).toEqual({ caseId: existing.id });
  });

  it('when a raid finds people who have a case in another office, then its progress lists them without case ids and names the office to contact; in the own office it gives the ids', async () => {
    const doc = passport();
    const existing = await openCase(h, caseworker, openBody(consulateId, {}, { documents: [doc] }));
    const raid = async (token: string, persons: unknown[]) => {
      const res = await h.http.post('/v1/operations').set(bearer(token)).send({ name: `Raid ${randomUUID().slice(0, 6)}`, country: 'MM', date: '2026-11-20', consulateId, persons });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return drive.waitFor('the operation to complete', async () => {
        const r = await h.http.get(`/v1/operations/${res.body.id}`).set(bearer(token));
        expect(r.status).toBe(200);
        return r.body.status === 'completed' ? { body: r.body, raw: JSON.stringify(r.body) } : undefined;
      }, 60_000, 200);
    };
    // Person 0 has the open case; person 2 repeats person 0 within the raid (merged into the same case).
    const persons = [{ person: personBody({ documents: [doc] }) }, { person: personBody({ documents: [passport()] }) }, { person: personBody({ documents: [doc] }) }];

    const elsewhere = await raid(otherCaseworker, persons);
    expect(elsewhere.body).toMatchObject({ opened: 1, linkedExisting: 2, merged: 1, failed: 0 });
    expect(elsewhere.body.existingCases).toEqual([
      { index: 0, outcome: 'linked', inScope: false, contactOffice: h.office },
      { index: 2, outcome: 'merged', inScope: false, contactOffice: h.office },
    ]);
    expect(elsewhere.raw).not.toContain(existing.id);

    const own = await raid(caseworker, [{ person: personBody({ documents: [doc] }) }, { person: personBody({ documents: [passport()] }) }, { person: personBody({ documents: [doc] }) }]);
    expect(own.body.existingCases).toEqual([
      { index: 0, outcome: 'linked', inScope: true, caseId: existing.id },
      { index: 2, outcome: 'merged', inScope: true, caseId: existing.id },
    ]);
  });
});

describe('four eyes on approvals', () => {
  async function closureRequestedBy(token: string) {
    const { id } = await openCase(h, caseworker, openBody(consulateId));
    const closing = await actOk(h, token, id, { type: 'request_closure', reason: 'duplicate', comment: 'same person as another case' });
    return { caseId: id, approvalId: (closing.pendingApprovals as Array<{ id: string }>)[0]!.id };
  }
  const approvalStatus = async (id: string) => (await h.db.$client.query<{ status: string }>('select status from approvals where id = $1', [id])).rows[0]!.status;

  it('when the supervisor who requested a closure decides it, then 403 forbidden with reason four_eyes, the approval stays pending, and another supervisor can decide it', async () => {
    const requester = await h.token('supervisor', { office: h.office, sub: `sup-${randomUUID().slice(0, 6)}` });
    const { caseId, approvalId } = await closureRequestedBy(requester);
    const events = await countEvents(h, caseId);
    for (const [decision, headers] of [
      ['approved', {}],
      ['rejected', {}],
      ['approved', { 'Idempotency-Key': `self-${randomUUID()}` }],
    ] as const) {
      const res = await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(requester)).set(headers).send({ decision });
      expect(expectError(res, 403, 'forbidden').details).toEqual({ reason: 'four_eyes' });
    }
    expect(await approvalStatus(approvalId)).toBe('pending');
    expect(await countEvents(h, caseId)).toBe(events);
    expect((await caseRowOf(h, caseId))!.status).toBe('open');

    const colleague = await h.token('supervisor', { office: h.office, sub: `sup-${randomUUID().slice(0, 6)}` });
    const decided = await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(colleague)).send({ decision: 'approved' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect((await caseRowOf(h, caseId))!.status).toBe('closed');
  });

  it('when the requester\'s decision reaches the case workflow past the API, then the case itself refuses it with four_eyes and records nothing', async () => {
    const sub = `sup-${randomUUID().slice(0, 6)}`;
    const requester = await h.token('supervisor', { office: h.office, sub });
    const { caseId, approvalId } = await closureRequestedBy(requester);
    const handle = h.temporal.workflow.getHandle(`case-${caseId}`);
    const historyBefore = (await handle.fetchHistory()).events!.length;

    const err = await handle
      .executeUpdate(decideApprovalUpdate, { args: [{ approvalId, decision: 'approved', actor: { sub, role: 'supervisor' } }] })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('forbidden');
    expect(cause.details?.[0]).toEqual({ reason: 'four_eyes' });

    expect((await handle.fetchHistory()).events!.length).toBe(historyBefore);
    expect(await approvalStatus(approvalId)).toBe('pending');
    // Another person's decision goes through the same way.
    const done = await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId, decision: 'rejected', actor: { sub: 'sup-other', role: 'supervisor' } }] });
    expect(done).toMatchObject({ status: 'rejected', decidedBy: 'sup-other' });
  });

  it('when the requester decides, then the API refuses it before asking the case (even a case that no longer answers)', async () => {
    const requester = await h.token('supervisor', { office: h.office, sub: `sup-${randomUUID().slice(0, 6)}` });
    const { caseId, approvalId } = await closureRequestedBy(requester);
    await h.temporal.workflow.getHandle(`case-${caseId}`).terminate('test: the case must not be asked');
    const res = await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(requester)).send({ decision: 'approved' });
    expect(expectError(res, 403, 'forbidden').details).toEqual({ reason: 'four_eyes' });
  });

  it('when a caseworker requested the closure, then a supervisor of the office decides it as before', async () => {
    const { caseId, approvalId } = await closureRequestedBy(caseworker);
    const supervisor = await h.token('supervisor', { office: h.office });
    const res = await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(supervisor)).send({ decision: 'approved' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await caseRowOf(h, caseId))!.status).toBe('closed');
  });
});
