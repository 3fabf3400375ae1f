// The anonymised case-level record (docs/anonymised-export.md) and its k-anonymity. Fields are shaped
// after the CTDC / HTCDS ones and carry no direct identifier: no name, document, reference, id,
// exact date or free text. Every field is treated as a quasi-identifier, so the property checked is
// the strongest one: every distinct released record occurs at least k times.
//
// Suppression, as the CTDC does it, blanks values rather than records: a record whose combination
// occurs fewer than k times has its person-level fields (age band, sex, nationality, country of
// exploitation) blanked (null). If its blanked combination still occurs fewer than k times among the
// blanked records, the record is dropped. Blanked and kept combinations never coincide (a kept record
// has no null: missing values are "unknown"), so every released combination occurs at least k times.
import { CLOSURE_REASONS, EXPLOITATION_TYPES, STAGES } from '../../domain/schemas.js';

/** CTDC's "ageBroad" bands, age at registration. */
export const AGE_BANDS = ['0-8', '9-17', '18-20', '21-23', '24-26', '27-29', '30-38', '39-47', '48+'] as const;
export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export const OUTCOMES = ['ongoing', ...CLOSURE_REASONS] as const;
export { STAGES };

export interface AnonymisedRecord {
  yearOfRegistration: number;
  ageBand: (typeof AGE_BANDS)[number] | 'unknown' | null;
  sex: (typeof SEXES)[number] | null;
  nationality: string | null;
  countryOfExploitation: string | null;
  /**
   * The forms found at screening, in the order of EXPLOITATION_TYPES, joined by ";" (as CTDC's
   * concatenated field); `not_recorded` when none was recorded.
   */
  typeOfExploitation: string;
  stageReached: (typeof STAGES)[number];
  outcome: (typeof OUTCOMES)[number];
}

export const RECORD_FIELDS = ['yearOfRegistration', 'ageBand', 'sex', 'nationality', 'countryOfExploitation', 'typeOfExploitation', 'stageReached', 'outcome'] as const;
/** Blanked first, when a combination is rarer than k: the fields that describe the person. */
export const BLANKED_FIELDS = ['ageBand', 'sex', 'nationality', 'countryOfExploitation'] as const;

/** Full years between a date of birth (YYYY-MM-DD) and an instant, as a band; unknown without a valid date. */
export function ageBand(dateOfBirth: string | null | undefined, at: Date): AnonymisedRecord['ageBand'] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth ?? '');
  if (!m) return 'unknown';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = at.getUTCFullYear() - y;
  if (at.getUTCMonth() + 1 < mo || (at.getUTCMonth() + 1 === mo && at.getUTCDate() < d)) age -= 1;
  if (age < 0) return 'unknown';
  const bounds = [8, 17, 20, 23, 26, 29, 38, 47];
  const i = bounds.findIndex((b) => age <= b);
  return AGE_BANDS[i === -1 ? AGE_BANDS.length - 1 : i]!;
}

/** The record of one case from its read-model facts and the (opened) person. */
export function anonymisedRecord(row: {
  createdAt: Date;
  nationality: string;
  country: string | null;
  stage: string;
  closureReason: string | null;
  person: { dateOfBirth?: string | null; sex?: string | null } | undefined;
  exploitationTypes?: readonly string[];
}): AnonymisedRecord {
  const sex = row.person?.sex;
  return {
    yearOfRegistration: row.createdAt.getUTCFullYear(),
    ageBand: ageBand(row.person?.dateOfBirth, row.createdAt),
    sex: (SEXES as readonly string[]).includes(sex ?? '') ? (sex as AnonymisedRecord['sex']) : 'unknown',
    nationality: row.nationality,
    countryOfExploitation: row.country ?? 'unknown',
    typeOfExploitation: typeOfExploitation(row.exploitationTypes),
    stageReached: row.stage as AnonymisedRecord['stageReached'],
    outcome: (row.closureReason ?? 'ongoing') as AnonymisedRecord['outcome'],
  };
}

/** Known forms only, in their canonical order: two cases with the same forms read the same. */
function typeOfExploitation(found: readonly string[] | undefined): string {
  const known = EXPLOITATION_TYPES.filter((t) => found?.includes(t));
  return known.length === 0 ? 'not_recorded' : known.join(';');
}

export const combinationOf = (r: AnonymisedRecord): string => JSON.stringify(RECORD_FIELDS.map((f) => r[f]));

export function blanked(r: AnonymisedRecord): AnonymisedRecord {
  return { ...r, ageBand: null, sex: null, nationality: null, countryOfExploitation: null };
}

export type Decision = 'keep' | 'blank' | 'drop';

export interface SuppressionPlan {
  decide(r: AnonymisedRecord): Decision;
  records: number;
  blanked: number;
  dropped: number;
}

/**
 * What happens to each combination, from the count of every combination in the population. The
 * counts are the only state: memory grows with the number of distinct combinations, not of cases.
 */
export function suppressionPlan(counts: ReadonlyMap<string, { n: number; record: AnonymisedRecord }>, k: number): SuppressionPlan {
  const decisions = new Map<string, Decision>();
  const rareBlanked = new Map<string, number>();
  for (const [key, { n, record }] of counts) {
    if (n >= k) decisions.set(key, 'keep');
    else {
      const b = combinationOf(blanked(record));
      rareBlanked.set(b, (rareBlanked.get(b) ?? 0) + n);
    }
  }
  let records = 0;
  let blankedN = 0;
  let dropped = 0;
  for (const [key, { n, record }] of counts) {
    if (decisions.get(key) === 'keep') {
      records += n;
      continue;
    }
    const enough = (rareBlanked.get(combinationOf(blanked(record))) ?? 0) >= k;
    decisions.set(key, enough ? 'blank' : 'drop');
    if (enough) {
      records += n;
      blankedN += n;
    } else dropped += n;
  }
  return { decide: (r) => decisions.get(combinationOf(r)) ?? 'drop', records, blanked: blankedN, dropped };
}
