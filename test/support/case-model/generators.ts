// Valid fields for every action type and every task result, keyed by type: what the random moves
// (random-moves.ts) send. test/unit/domain/no-dead-ends.test.ts checks them against the schemas.
import fc from 'fast-check';
import {
  type ActionOf,
  type ActionType,
  CLOSURE_REASONS,
  PRIORITIES,
  RISK_FLAGS,
  SCREENING_OUTCOMES,
  type TaskType,
} from '../../../domain/schemas.js';

/** What a generator may need of the case: serialisable, so fast-check's gen() can cache and shrink. */
export interface GenContext {
  followUpTaskIds: string[];
  consulates: string[];
}

const texts = fc.constantFrom('called the family', 'interpreter booked (Tagalog)', '家属已联系', 'ญาติติดต่อแล้ว', 'met at the shelter');
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const dateTimes = fc.constantFrom('2026-10-01T08:00:00Z', '2026-11-02T06:00:00Z', '2026-11-20T23:30:00+07:00', '2027-02-14T10:00:00Z');
const dates = fc.constantFrom('2026-12-01', '2027-01-15', '2027-06-30');
const location = fc.record(
  { country: fc.constantFrom('MM', 'KH', 'LA'), region: optional(fc.constantFrom('Kayin', 'Sihanoukville')), site: optional(fc.constantFrom('KK Park', 'Shwe Kokko')) },
  { requiredKeys: ['country'] },
);
/** Drops the keys whose generated value is undefined (an absent optional field). */
const defined = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const action = <K extends ActionType>(type: K, fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(fields).map((f) => defined({ type, ...f }) as unknown as ActionOf<K>);

/**
 * A generator for every action type. The map is typed by ActionType, and the test fails at run time
 * too when an action has none: an action added later must get its generator here.
 */
export const ACTION_GENERATORS: { [K in ActionType]: (c: GenContext) => fc.Arbitrary<ActionOf<K>> } = {
  add_note: () => action('add_note', { text: texts }),
  assign: () => action('assign', { assignee: fc.constantFrom('cw-ana', 'cw-bo', null) }),
  set_priority: () => action('set_priority', { priority: fc.constantFrom(...PRIORITIES), reason: texts }),
  hold: () => action('hold', { reason: fc.constantFrom('in hospital', 'waiting for the family') }),
  resume: () => action('resume', {}),
  record_consent: () =>
    fc
      .record({ consularNotification: optional(fc.constantFrom('granted', 'refused') as fc.Arbitrary<'granted' | 'refused'>), dataSharing: optional(fc.constantFrom('granted', 'withdrawn') as fc.Arbitrary<'granted' | 'withdrawn'>) })
      .filter((c) => c.consularNotification !== undefined || c.dataSharing !== undefined)
      .map((c) => defined({ type: 'record_consent' as const, ...c })),
  record_screening: () => action('record_screening', { outcome: fc.constantFrom(...SCREENING_OUTCOMES), basis: texts }),
  record_sighting: () => action('record_sighting', { location, observedAt: dateTimes, source: fc.constantFrom('family', 'hotline') }),
  confirm_location: () => action('confirm_location', { location }),
  request_extraction: () => action('request_extraction', { partner: fc.constantFrom('Royal Thai Police', 'IJM'), reference: fc.constantFrom('RTP-1', 'IJM-77') }),
  record_extraction: () =>
    action('record_extraction', { extractedAt: dateTimes, handedOverTo: fc.constantFrom('Tak immigration', 'IJM'), injured: optional(fc.boolean()), medicalNeeds: optional(fc.constantFrom('fractured wrist', 'malnutrition')) }),
  record_extraction_failed: () => action('record_extraction_failed', { reason: fc.constantFrom('the compound was moved', 'raid postponed') }),
  book_return: () =>
    action('book_return', {
      departureAt: dateTimes,
      arrivalPort: fc.constantFrom('MNL', 'CEB'),
      carrier: optional(fc.constantFrom('PAL', 'Cebu Pacific')),
      flightNumber: optional(fc.constantFrom('PR 731', '5J 930')),
      manifestId: optional(fc.constantFrom('M-17', 'M-18')),
    }),
  record_departure: () => action('record_departure', { departedAt: dateTimes }),
  record_arrival: () => action('record_arrival', { arrivedAt: dateTimes, port: fc.constantFrom('MNL', 'CEB'), receivedBy: fc.constantFrom('IACAT desk', 'DSWD') }),
  record_assessment: () =>
    action('record_assessment', {
      skills: fc.subarray(['sewing', 'cooking', 'IT support', 'driving']),
      education: fc.constantFrom('secondary', 'college'),
      preferredRegion: fc.constantFrom('NCR', 'Cebu'),
      needs: fc.subarray(['counselling', 'housing']),
    }),
  record_referral: () => action('record_referral', { kind: fc.constantFrom('job', 'training'), organisation: fc.constantFrom('PESO', 'TESDA'), description: texts }),
  record_placement: () =>
    action('record_placement', { employer: fc.constantFrom('Manila Garments', 'Cebu Foods'), position: fc.constantFrom('seamstress', 'cook'), startDate: dates, abroad: fc.boolean() }),
  record_follow_up: (c) =>
    action('record_follow_up', {
      // An open follow-up of the case; or, now and then, a task id the case does not have.
      taskId: c.followUpTaskIds.length > 0 ? fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...c.followUpTaskIds) }, { weight: 1, arbitrary: fc.uuid({ version: 4 }) }) : fc.uuid({ version: 4 }),
      outcome: fc.constantFrom('employed', 'unemployed', 'unreachable', 'declined'),
      notes: optional(texts),
    }),
  decline_assistance: () => action('decline_assistance', { reason: fc.constantFrom('wants no further contact', 'moved abroad') }),
  request_closure: () => action('request_closure', { reason: fc.constantFrom(...CLOSURE_REASONS), comment: optional(texts) }),
  record_medical: () => action('record_medical', { fitToTravel: fc.boolean(), notes: optional(fc.constantFrom('cleared by the shelter doctor', 'in hospital, not fit to fly')) }),
  transfer_office: () => action('transfer_office', { office: fc.constantFrom('cebu', 'davao'), reason: fc.constantFrom('the person moved', 'closer to the family') }),
  refer_to_police: () =>
    action('refer_to_police', { agency: fc.constantFrom('Philippine National Police', 'NBI'), reference: fc.constantFrom('PNP-1', 'NBI-22'), nonPunishment: optional(fc.boolean()) }),
  update_person: () =>
    fc
      .record({
        fullName: optional(fc.constantFrom('Maria Santos', 'NGUYỄN văn An')),
        nativeName: optional(fc.constantFrom('玛丽亚', 'มาเรีย')),
        dateOfBirth: optional(fc.constantFrom('1998-02-14', '2009-06-01')),
        guardian: optional(fc.constant({ fullName: 'Rosa Santos', relationship: 'parent' })),
      })
      .filter((f) => Object.values(f).some((v) => v !== undefined))
      .map((f) => defined({ type: 'update_person' as const, ...f, reason: 'the family corrected it' })),
  add_risk_flag: () => action('add_risk_flag', { flag: fc.constantFrom(...RISK_FLAGS), reason: texts }),
  remove_risk_flag: () => action('remove_risk_flag', { flag: fc.constantFrom(...RISK_FLAGS), reason: texts }),
  record_best_interests: () =>
    action('record_best_interests', {
      determination: fc.constantFrom('return_in_best_interests', 'return_not_in_best_interests'),
      decidedBy: fc.constantFrom('DSWD social worker', 'IOM case manager'),
      notes: optional(texts),
    }),
};

/** Any valid result of a task, negative ones included (not verified, restricted, unfit). */
export const RESULT_GENERATORS: Record<Exclude<TaskType, 'follow_up'>, (c: GenContext) => fc.Arbitrary<Record<string, unknown>>> = {
  verify_nationality: () => fc.record({ verified: fc.boolean(), notes: optional(texts) }).map(defined),
  issue_travel_document: () => fc.record({ documentType: fc.constantFrom('emergency_travel_document', 'passport'), number: fc.constantFrom('ETD-55120', 'P7788'), validUntil: dates }),
  arrange_shelter: () => fc.record({ shelterName: fc.constantFrom('Mae Sot shelter', 'Bangkok DSWD'), from: dates }),
  arrange_medical_check: () => fc.record({ fitToTravel: fc.boolean(), notes: optional(texts) }).map(defined),
  exit_restriction_review: () =>
    fc.oneof(
      fc.record({ decision: fc.constant('not_restricted'), noticeServedAt: optional(dates) }).map(defined),
      fc
        .constantFrom(['2020-01-01', '2024-01-01'], ['2026-11-01', '2026-12-15'], ['2026-11-01', '2029-11-01'], ['2026-11-01', '2090-01-01'])
        .map(([from, until]) => ({ decision: 'restricted', basis: 'Exit and Entry Administration Law art. 12', from, until })),
    ),
  supervisor_review: (c) =>
    fc
      .record({ decision: fc.constantFrom('reissue', 'proceed', 'wait'), consulateId: optional(fc.constantFrom(...c.consulates)), notes: optional(texts) })
      .map(defined),
};
