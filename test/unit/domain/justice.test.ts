// Justice and protection (domain/case/justice.ts): a police referral waits for the person's consent
// during the recovery and reflection period after the extraction, and a victim is referred only with
// the non-punishment flag.
import { describe, expect, it } from 'vitest';
import { allowedActions, caseView, reflectionPeriodEndsAt, validateAction } from '../../../domain/case.js';
import { policyFor } from '../../../domain/policy.js';
import { DAY, rejection, world } from './world.js';

const REFERRAL = { type: 'refer_to_police', agency: 'Philippine National Police', reference: 'PNP-2026-17' };

describe('police referral', () => {
  it('when the person was extracted less than 30 days ago and has not consented, then the referral is refused with the period and the consent', () => {
    const w = world();
    w.extract();
    w.advance(29 * DAY);
    expect(allowedActions(w.state)).toContain('refer_to_police');
    const err = rejection(() => validateAction(w.state, REFERRAL, w.iso()));
    expect(err.code).toBe('invalid_transition');
    expect(err.message).toMatch(/reflection period lasts until 2026-12-01T03:00:00.000Z/);
    expect(err.details).toEqual({
      stage: 'consular_contact',
      allowed: allowedActions(w.state),
      reflectionPeriod: { endsAt: '2026-12-01T03:00:00.000Z', policeReferralConsent: 'unknown' },
    });
  });

  it('when the person refused, then the referral is refused during the period and the message says so', () => {
    const w = world();
    w.extract();
    w.act({ type: 'record_consent', policeReferral: 'refused' });
    expect(rejection(() => validateAction(w.state, REFERRAL, w.iso())).message).toMatch(/refused/);
  });

  it('when the person has consented, then the referral is accepted during the period and recorded with its basis', () => {
    const w = world();
    w.extract();
    const consent = w.act({ type: 'record_consent', policeReferral: 'granted' });
    expect(consent.events.find((e) => e.type === 'consent_changed')!.data).toMatchObject({ policeReferral: { from: 'unknown', to: 'granted' } });
    expect(caseView(w.state).consent).toEqual({ consularNotification: 'unknown', dataSharing: 'unknown', policeReferral: 'granted' });
    const change = w.act(REFERRAL);
    expect(change.events.map((e) => e.type)).toEqual(['refer_to_police']);
    expect(caseView(w.state).justice).toEqual({
      reflectionPeriodEndsAt: '2026-12-01T03:00:00.000Z',
      policeReferrals: [{ agency: REFERRAL.agency, reference: REFERRAL.reference, nonPunishment: false, referredAt: w.iso(), basis: 'consent' }],
    });
  });

  it('when the period has ended, then the referral is accepted without consent, even after a refusal', () => {
    const w = world();
    w.extract();
    w.act({ type: 'record_consent', policeReferral: 'refused' });
    w.advance(30 * DAY + 3 * 3_600_000);
    w.act(REFERRAL);
    expect(w.state.policeReferrals?.[0]?.basis).toBe('reflection_period_ended');
  });

  it('when there is no extraction yet, then the period has not begun and a referral needs consent', () => {
    const w = world();
    expect(reflectionPeriodEndsAt(w.state)).toBeNull();
    w.advance(400 * DAY);
    const err = rejection(() => validateAction(w.state, REFERRAL, w.iso()));
    expect(err.message).toMatch(/starts only at the extraction/);
    expect((err.details as { reflectionPeriod: unknown }).reflectionPeriod).toEqual({ endsAt: null, policeReferralConsent: 'unknown' });
  });

  it('when the person is screened a victim or both, then the referral needs nonPunishment: true, whatever the consent', () => {
    for (const outcome of ['victim', 'both'] as const) {
      const w = world();
      w.extract();
      w.act({ type: 'record_consent', policeReferral: 'granted' });
      w.act({ type: 'record_screening', outcome, basis: 'interview' });
      for (const flag of [undefined, false]) {
        const err = rejection(() => validateAction(w.state, { ...REFERRAL, ...(flag === undefined ? {} : { nonPunishment: flag }) }, w.iso()));
        expect(err.code).toBe('validation_failed');
        expect(err.details).toEqual([{ path: 'nonPunishment', message: expect.stringContaining(`screened ${outcome}`) }]);
      }
      w.act({ ...REFERRAL, nonPunishment: true });
      expect(w.state.policeReferrals?.[0]?.nonPunishment).toBe(true);
    }
  });

  it('when the person is screened a suspect, then nonPunishment may be left out', () => {
    const w = world();
    w.extract();
    w.act({ type: 'record_screening', outcome: 'suspect', basis: 'police file' });
    w.act({ type: 'record_consent', policeReferral: 'granted' });
    w.act(REFERRAL);
    expect(w.state.policeReferrals).toHaveLength(1);
  });

  it('when the policy sets a longer period or a case predates the setting, then the period follows the case’s policy', () => {
    const w = world();
    w.extract();
    w.state.policy = policyFor(1, undefined, 45);
    expect(reflectionPeriodEndsAt(w.state)).toBe(new Date(Date.parse('2026-11-01T03:00:00Z') + 45 * DAY).toISOString());
    delete w.state.policy.reflectionPeriodDays;
    expect(reflectionPeriodEndsAt(w.state)).toBe('2026-12-01T03:00:00.000Z');
    // A time scale shortens it as it shortens every deadline.
    w.state.policy = policyFor(0.5);
    expect(Date.parse(reflectionPeriodEndsAt(w.state)!) - Date.parse('2026-11-01T03:00:00Z')).toBe(15 * DAY);
  });
});
