// Justice and protection: referring the case to the police, under two rules of the Council of Europe
// Convention on Action against Trafficking in Human Beings.
// - Recovery and reflection (art. 13): for a period after the person is out (the policy's
//   reflectionPeriodDays, 30 by default, from the recorded extraction) no referral is made without
//   their recorded consent (record_consent policeReferral). Before the extraction the period has not
//   even begun, so consent is needed then too. After it, the referral is the authorities' to make.
// - Non-punishment (art. 26): a person screened a victim (or both victim and suspect) is referred only
//   with nonPunishment: true, so the police are told not to prosecute them for what they were forced to do.
// Whatever the screening, assistance goes on: a referral changes nothing else in the case.
import { DomainError } from '../errors.js';
import { DEFAULT_REFLECTION_PERIOD_DAYS, daysMs } from '../policy.js';
import type { ActionTable } from './rules.js';
import type { CaseState, PoliceReferral } from './state.js';
import { addMs } from './clock.js';

/** When the recovery and reflection period ends, or null while there is no extraction to count from. */
export function reflectionPeriodEndsAt(state: CaseState): string | null {
  const extractedAt = state.extraction?.extractedAt;
  if (!extractedAt) return null;
  return addMs(extractedAt, daysMs(state.policy, state.policy.reflectionPeriodDays ?? DEFAULT_REFLECTION_PERIOD_DAYS));
}

/** Whether a referral may be made now, and on what basis; null while the period holds and consent is missing. */
export function referralBasis(state: CaseState, now: string): PoliceReferral['basis'] | null {
  if (state.consent.policeReferral === 'granted') return 'consent';
  const endsAt = reflectionPeriodEndsAt(state);
  return endsAt !== null && Date.parse(now) >= Date.parse(endsAt) ? 'reflection_period_ended' : null;
}

export const justiceActions: Pick<ActionTable, 'refer_to_police'> = {
  // Case-wide, and on hold too: it is a record of what the office did, not stage work.
  refer_to_police: {
    stages: 'any',
    whileOnHold: true,
    check: (state, action, { now, allowed }) => {
      if ((state.screening === 'victim' || state.screening === 'both') && action.nonPunishment !== true) {
        throw new DomainError('validation_failed', `the person is screened ${state.screening}: a referral must carry nonPunishment: true (non-punishment principle)`, [
          { path: 'nonPunishment', message: `must be true: the person is screened ${state.screening} and must not be punished for what they were compelled to do` },
        ]);
      }
      if (referralBasis(state, now) !== null) return;
      const endsAt = reflectionPeriodEndsAt(state);
      const consent = state.consent.policeReferral ?? 'unknown';
      const period = endsAt === null ? 'the recovery and reflection period starts only at the extraction' : `the recovery and reflection period lasts until ${endsAt}`;
      const need = consent === 'refused' ? 'the person refused a referral' : 'the person has not consented to a referral (record_consent policeReferral: granted)';
      throw new DomainError('invalid_transition', `refer_to_police is not allowed now: ${period}, and ${need}`, {
        stage: state.stage,
        allowed,
        reflectionPeriod: { endsAt, policeReferralConsent: consent },
      });
    },
    apply: (state, action, _change, ctx) => {
      const referral: PoliceReferral = {
        agency: action.agency,
        reference: action.reference,
        nonPunishment: action.nonPunishment ?? false,
        referredAt: ctx.now,
        basis: referralBasis(state, ctx.now)!,
      };
      state.policeReferrals = [...(state.policeReferrals ?? []), referral];
    },
  },
};
