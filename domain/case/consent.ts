// Consent as the person gives or withdraws it: consular notification (VCCR art. 36(1)(b)), the
// sharing of their data with agencies, and a police referral during the reflection period (justice.ts).
// Withdrawal stops at once every pending step that shares data and asks a supervisor (reviews.ts: what
// each decision then does); granting again resumes what the stage needs and closes the consent reviews
// it made moot. What an agency may read under the consent in force is decided when it reads
// (agencyRedaction in views.ts).
import type { ActionTable } from './rules.js';
import { type CaseState, type Change, type Ctx, openTasks } from './state.js';
import { closeTask, emit } from './steps.js';
import { askAgain, closeMootConsentReviews, openReview } from './reviews.js';
import { agencyRedaction } from './views.js';
import { CONSULAR_TASKS, sendConsularTasks } from './stages/consular-contact.js';
import { sendExitRestrictionReview } from './stages/exit-restriction-check.js';
import { checkConsentGiver } from './minors.js';

export const consentActions: Pick<ActionTable, 'record_consent'> = {
  record_consent: {
    stages: 'any',
    whileOnHold: true,
    // A minor's consent is the guardian's (domain/case/minors.ts).
    check: (state, action, { rules }) => checkConsentGiver(state, action, rules),
    apply: (state, action, change, ctx) => recordConsent(state, change, ctx, action.consularNotification, action.dataSharing, action.policeReferral),
  },
};

function recordConsent(
  state: CaseState,
  change: Change,
  ctx: Ctx,
  consular: 'granted' | 'refused' | undefined,
  dataSharing: 'granted' | 'withdrawn' | undefined,
  policeReferral?: 'granted' | 'refused',
): void {
  const before = { ...state.consent };
  if (consular) state.consent.consularNotification = consular;
  if (dataSharing) state.consent.dataSharing = dataSharing;
  if (policeReferral) state.consent.policeReferral = policeReferral;
  const after = { ...state.consent };
  // Consent to a police referral gates refer_to_police only (justice.ts); no agency task depends on it.
  const police = { from: before.policeReferral ?? 'unknown', to: after.policeReferral ?? 'unknown' };
  // Stopping a task no longer rewrites what it held: what an agency reads is decided when it reads,
  // from the consent in force (agencyRedaction), for every task it was ever sent.
  const withdrawnNow = dataSharing === 'withdrawn' && before.dataSharing !== 'withdrawn';
  // Withdrawal stops every pending step that shares personal data with an agency, at once.
  const stoppedByWithdrawal = withdrawnNow ? openTasks(state).filter((t) => t.audience === 'agency') : [];
  for (const t of stoppedByWithdrawal) closeTask(t, change, 'cancelled', ctx, 'data-sharing consent withdrawn');
  const refusedNow = consular === 'refused' && before.consularNotification !== 'refused' && state.stage === 'consular_contact';
  const stoppedByRefusal = refusedNow ? openTasks(state).filter((t) => CONSULAR_TASKS.has(t.type)) : [];
  for (const t of stoppedByRefusal) closeTask(t, change, 'cancelled', ctx, 'consular notification refused');
  // Consent given again makes its open reviews moot (behind the consent-reviews patch: before it, they
  // stayed open, and deciding them did nothing or asked again).
  const regained =
    (consular === 'granted' && before.consularNotification === 'refused') || (dataSharing === 'granted' && before.dataSharing === 'withdrawn');
  const moot = regained && ctx.features?.consentReviewsLeadOn ? closeMootConsentReviews(state, change, ctx) : [];
  const cancelled = [...stoppedByWithdrawal, ...stoppedByRefusal];
  if (before.consularNotification !== after.consularNotification || before.dataSharing !== after.dataSharing || police.from !== police.to) {
    // What this change stopped and what it hid from (or gave back to) the agencies, for the record.
    // The list covers the tasks the case still holds; the rule itself applies at read time to all.
    const agencyTasks = state.tasks.filter((t) => t.audience === 'agency');
    const redacted = agencyTasks.filter((t) => agencyRedaction(before, t) === null && agencyRedaction(after, t) !== null);
    const restored = agencyTasks.filter((t) => agencyRedaction(before, t) !== null && agencyRedaction(after, t) === null);
    emit(state, change, ctx, 'consent_changed', {
      ...(before.consularNotification !== after.consularNotification
        ? { consularNotification: { from: before.consularNotification, to: after.consularNotification } }
        : {}),
      ...(before.dataSharing !== after.dataSharing ? { dataSharing: { from: before.dataSharing, to: after.dataSharing } } : {}),
      ...(police.from !== police.to ? { policeReferral: police } : {}),
      cancelledTaskIds: cancelled.map((t) => t.id),
      redactedTaskIds: redacted.map((t) => t.id),
      restoredTaskIds: restored.map((t) => t.id),
      redactedFor: [...new Set(redacted.map((t) => t.agencyId).filter((a): a is string => a !== null))],
      ...(moot.length > 0 ? { mootReviewIds: moot.map((t) => t.id) } : {}),
    });
  }
  if (stoppedByWithdrawal.length > 0) openReview(state, change, ctx, 'data_sharing_withdrawn');
  if (refusedNow) openReview(state, change, ctx, 'consular_notification_refused');
  if (regained && ctx.features?.consentReviewsLeadOn) {
    // What the stage still needs goes out again; whatever consent still stops, a supervisor is asked
    // about (the review of the consent just given back is closed above). Consular notification does
    // not concern the immigration authority.
    if (state.stage === 'consular_contact' || state.stage === 'exit_restriction_check') askAgain(state, change, ctx, undefined);
  } else if (regained && state.consent.consularNotification !== 'refused' && state.consent.dataSharing !== 'withdrawn') {
    if (state.stage === 'consular_contact') sendConsularTasks(state, change, ctx);
    if (state.stage === 'exit_restriction_check' && !openTasks(state).some((t) => t.type === 'exit_restriction_review')) {
      sendExitRestrictionReview(state, change, ctx);
    }
  }
}
