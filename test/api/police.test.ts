// refer_to_police over HTTP, on the real app, PostgreSQL and Temporal: during the recovery and
// reflection period after the extraction (30 days by default) a referral needs the person's recorded
// consent; after it, none; a person screened a victim is referred only with nonPunishment: true.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { act, actOk, bearer, caseInConsularContact, countEvents, expectError, expectValidation, openBody, openCase, timelineRows } from './support.js';

let h: Harness;
let consulateId: string;
let cw: string;
let sup: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  cw = await h.token('caseworker', { office: h.office, sub: 'cw-ana' });
  sup = await h.token('supervisor', { office: h.office, sub: 'sup-ben' });
});
afterAll(async () => {
  await h?.stop();
});

const DAY_MS = 86_400_000;
const REFERRAL = { type: 'refer_to_police', agency: 'Philippine National Police', reference: `PNP-${randomUUID().slice(0, 6)}` };

/** A case whose extraction was recorded `daysAgo` days ago. */
const extracted = (daysAgo: number) => caseInConsularContact(h, cw, consulateId, {}, { extractedAt: new Date(Date.now() - daysAgo * DAY_MS).toISOString() });

describe('refer_to_police', () => {
  it('when the extraction was days ago and the person has not consented, then 409 with the period and the consent, and nothing is recorded', async () => {
    const id = await extracted(3);
    const events = await countEvents(h, id);
    const err = expectError(await act(h, cw, id, REFERRAL), 409, 'invalid_transition');
    expect(err.message).toMatch(/recovery and reflection period lasts until .*not consented/);
    const details = err.details as { stage: string; allowed: string[]; reflectionPeriod: { endsAt: string; policeReferralConsent: string } };
    expect(details).toMatchObject({ stage: 'consular_contact', reflectionPeriod: { policeReferralConsent: 'unknown' } });
    const days = (Date.parse(details.reflectionPeriod.endsAt) - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(26);
    expect(days).toBeLessThan(28);
    expect(await countEvents(h, id)).toBe(events);
    const view = (await h.http.get(`/v1/cases/${id}`).set(bearer(cw))).body;
    expect(view.justice).toEqual({ reflectionPeriodEndsAt: details.reflectionPeriod.endsAt, policeReferrals: [] });
  });

  it('when the person consents during the period, then the referral is accepted and the case shows the consent and the referral', async () => {
    const id = await extracted(3);
    const consent = await actOk(h, cw, id, { type: 'record_consent', policeReferral: 'granted' });
    expect(consent.consent).toEqual({ consularNotification: 'unknown', dataSharing: 'unknown', policeReferral: 'granted' });
    const referred = await actOk(h, cw, id, REFERRAL);
    expect((referred.justice as { policeReferrals: unknown[] }).policeReferrals).toEqual([
      { agency: REFERRAL.agency, reference: REFERRAL.reference, nonPunishment: false, referredAt: expect.any(String), basis: 'consent' },
    ]);
    const timeline = await timelineRows(h, id);
    expect(timeline.find((e) => e.type === 'consent_changed')!.data).toMatchObject({ policeReferral: { from: 'unknown', to: 'granted' } });
    expect(timeline.at(-1)).toMatchObject({ type: 'refer_to_police', data: { agency: REFERRAL.agency, reference: REFERRAL.reference } });
  });

  it('when the person refused, then the referral is refused during the period, saying so', async () => {
    const id = await extracted(3);
    await actOk(h, cw, id, { type: 'record_consent', policeReferral: 'refused' });
    const err = expectError(await act(h, cw, id, REFERRAL), 409, 'invalid_transition');
    expect(err.message).toMatch(/refused/);
    expect((err.details as { reflectionPeriod: unknown }).reflectionPeriod).toMatchObject({ policeReferralConsent: 'refused' });
  });

  it('when the period is over, then the referral is accepted without consent', async () => {
    const id = await extracted(31);
    const referred = await actOk(h, cw, id, REFERRAL);
    expect((referred.justice as { policeReferrals: Array<{ basis: string }> }).policeReferrals.map((r) => r.basis)).toEqual(['reflection_period_ended']);
  });

  it('when the person is not extracted yet, then the period has not begun and a referral needs consent', async () => {
    const opened = await openCase(h, cw, openBody(consulateId));
    const err = expectError(await act(h, cw, opened.id, REFERRAL), 409, 'invalid_transition');
    expect(err.message).toMatch(/starts only at the extraction/);
    expect((err.details as { reflectionPeriod: unknown }).reflectionPeriod).toEqual({ endsAt: null, policeReferralConsent: 'unknown' });
    await actOk(h, cw, opened.id, { type: 'record_consent', policeReferral: 'granted' });
    await actOk(h, cw, opened.id, REFERRAL);
  });

  it('when the person is screened a victim (or both), then nonPunishment must be true: missing or false is a 400 naming it', async () => {
    for (const outcome of ['victim', 'both']) {
      const id = await extracted(40);
      await actOk(h, cw, id, { type: 'record_screening', outcome, basis: 'interview at the shelter' });
      const events = await countEvents(h, id);
      const missing = expectValidation(await act(h, cw, id, REFERRAL), ['nonPunishment']);
      expect(missing[0]!.message).toContain(`screened ${outcome}`);
      expectValidation(await act(h, cw, id, { ...REFERRAL, nonPunishment: false }), ['nonPunishment']);
      expect(await countEvents(h, id)).toBe(events);
      const ok = await actOk(h, cw, id, { ...REFERRAL, nonPunishment: true });
      expect((ok.justice as { policeReferrals: Array<{ nonPunishment: boolean }> }).policeReferrals[0]!.nonPunishment).toBe(true);
    }
  });

  it('when the body is bad, then 400 names each field', async () => {
    const id = await extracted(40);
    expectValidation(await act(h, cw, id, { type: 'refer_to_police' }), ['agency', 'reference']);
    expectValidation(await act(h, cw, id, { ...REFERRAL, agency: '', nonPunishment: 'yes' }), ['agency', 'nonPunishment']);
    expectValidation(await act(h, cw, id, { type: 'record_consent', policeReferral: 'maybe' }), ['policeReferral']);
  });

  it('when an agency officer refers, then 403; a caseworker of another office, 404', async () => {
    const id = await extracted(40);
    expectError(await act(h, await h.token('agency_officer', { agency: consulateId }), id, REFERRAL), 403, 'forbidden');
    expectError(await act(h, await h.token('caseworker', { office: `office-x-${randomUUID().slice(0, 6)}` }), id, REFERRAL), 404, 'not_found');
  });

  it('when the case is closed, then refer_to_police is 409 invalid_transition with nothing allowed', async () => {
    const opened = await openCase(h, cw, openBody(consulateId));
    await actOk(h, cw, opened.id, { type: 'request_closure', reason: 'duplicate' });
    await drive.approveClosure(h.http, { caseworker: cw, supervisor: sup, consul: cw, immigration: cw }, opened.id);
    expect(expectError(await act(h, cw, opened.id, REFERRAL), 409, 'invalid_transition').details).toEqual({ stage: 'closed', allowed: [] });
  });
});
