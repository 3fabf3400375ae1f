// The deadline policy: every duration of the clocks in docs/design.md ("A case, from report to
// closure"), with its default, in one place.
// A case records the policy it started with (and the time scale), so a later change of policy or of
// HOMEWARD_TIME_SCALE applies to new cases only and never moves a running case's deadlines.
import type { TaskType } from './shapes.js';

export const DAY_MS = 86_400_000;

export interface DeadlinePolicy {
  version: number;
  /** Multiplies every duration: 0.00001 turns a day into under a second (demos, training, tests). */
  timeScale: number;
  /** A supervisor review of an unconfirmed location, every this many days in `locating`. */
  locatingReviewDays: number;
  /** Escalation when a case is still in `extraction` after this many days. */
  extractionEscalationDays: number;
  /** Departure is expected within this many days of the travel document. */
  departureWithinDays: number;
  /** Days an agency, supervisor or caseworker task has before it is due. */
  taskDueDays: Record<TaskType, number>;
  /** Days a supervisor has to decide an approval. */
  approvalDueDays: number;
  /**
   * Days after a supervisor decides "wait" on a review before the case asks again (absent in cases
   * started before it existed: REVIEW_WAIT_DAYS applies).
   */
  reviewWaitDays?: number;
  /** Employment follow-ups, days after the placement. */
  followUpDays: number[];
  /** The ladder, as fractions of a task's time: reminder, first and second escalation. */
  reminderAt: number;
  escalateAt: number;
  secondEscalationAt: number;
  /**
   * Updates and signals one workflow run takes before it continues as new, well under the server's
   * 2,000-update limit per run (absent in cases started before it existed: the default applies).
   */
  maxMessagesPerRun?: number;
  /**
   * The recovery and reflection period (CoE Convention on Action against Trafficking in Human Beings,
   * art. 13: at least 30 days), counted from the extraction: no police referral without the person's
   * consent until it ends (domain/case/justice.ts). Absent in cases started before it existed: the
   * default applies.
   */
  reflectionPeriodDays?: number;
}

export const DEFAULT_MAX_MESSAGES_PER_RUN = 1_500;
export const DEFAULT_REFLECTION_PERIOD_DAYS = 30;
export const REVIEW_WAIT_DAYS = 7;

export const DEFAULT_POLICY: DeadlinePolicy = {
  version: 1,
  timeScale: 1,
  locatingReviewDays: 14,
  extractionEscalationDays: 30,
  departureWithinDays: 14,
  taskDueDays: {
    arrange_shelter: 1,
    verify_nationality: 3,
    issue_travel_document: 5,
    arrange_medical_check: 2,
    exit_restriction_review: 10,
    supervisor_review: 3,
    follow_up: 7,
  },
  approvalDueDays: 3,
  reviewWaitDays: REVIEW_WAIT_DAYS,
  followUpDays: [30, 90, 180],
  reminderAt: 0.5,
  escalateAt: 1,
  secondEscalationAt: 2,
  maxMessagesPerRun: DEFAULT_MAX_MESSAGES_PER_RUN,
  reflectionPeriodDays: DEFAULT_REFLECTION_PERIOD_DAYS,
};

export function policyFor(
  timeScale = 1,
  maxMessagesPerRun = DEFAULT_MAX_MESSAGES_PER_RUN,
  reflectionPeriodDays = DEFAULT_REFLECTION_PERIOD_DAYS,
): DeadlinePolicy {
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new Error('the time scale must be a positive number');
  return {
    ...DEFAULT_POLICY,
    taskDueDays: { ...DEFAULT_POLICY.taskDueDays },
    followUpDays: [...DEFAULT_POLICY.followUpDays],
    timeScale,
    maxMessagesPerRun,
    reflectionPeriodDays,
  };
}

/** A policy duration in milliseconds, after the case's time scale. */
export function daysMs(policy: Pick<DeadlinePolicy, 'timeScale'>, days: number): number {
  return Math.round(days * DAY_MS * policy.timeScale);
}
