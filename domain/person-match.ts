// How two records of a person are recognised as possibly the same person when nothing else ties them:
// compound bosses take passports, so people arrive without papers, and the same person gets a second
// case under a name spelt another way. What is compared is a normalised name (the Latin-script name
// and the name in the person's own script, each on its own) with the date of birth and a nationality.
// Only keyed hashes of these strings are ever stored or compared (db/identity.ts); this module decides
// which strings they are. Pure and deterministic: it runs in the workflow bundle too.
import type { Person } from './shapes.js';

// "E 1234-567" and "e1234567" are the same number as written by different officers.
export function normaliseDocumentNumber(number: string): string {
  return number.toUpperCase().replace(/[\s\-./]/g, '');
}

// Latin letters that carry no combining mark to strip, and Greek's final sigma.
const FOLDED: Record<string, string> = { ß: 'ss', đ: 'd', ð: 'd', ø: 'o', ł: 'l', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th', ŋ: 'ng', ħ: 'h', ς: 'σ' };
const FOLDABLE = new RegExp(`[${Object.keys(FOLDED).join('')}]`, 'gu');
// Marks on these scripts are accents a keyboard may not have ("Nguyễn" typed as "Nguyen"); in others
// (Thai, Khmer, Burmese, Devanagari) they are vowels and tones, part of the name itself.
const ACCENTED = /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])\p{M}+/gu;
// Scripts that write a name without spaces between its parts: 阮 文 安 is 阮文安.
const UNSPACED = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const SPACE_IN_UNSPACED = new RegExp(`(?<=[${UNSPACED}])\\s+(?=[${UNSPACED}])`, 'gu');

/**
 * A name as compared: Unicode NFKC, case-folded, accents of Latin, Greek and Cyrillic letters
 * stripped, punctuation dropped, whitespace collapsed, and its words in sorted order, so that
 * "NGUYỄN văn an", "Nguyen Van An" and "An, Nguyen Van" are one name. Empty when nothing is left.
 */
export function normaliseName(name: string): string {
  let s = name.normalize('NFKC').toLowerCase();
  s = s.normalize('NFD').replace(ACCENTED, '$1').normalize('NFC');
  s = s.replace(FOLDABLE, (c) => FOLDED[c]!);
  s = s.replace(/['’ʼ`´]/gu, '');
  s = s.replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ');
  s = s.replace(SPACE_IN_UNSPACED, '');
  return s.trim().split(/\s+/u).filter(Boolean).sort().join(' ');
}

export type MatchKind = 'name_dob_nationality' | 'name_dob' | 'name_nationality';
export type NameForm = 'name' | 'native_name';

export interface MatchMaterial {
  kind: MatchKind;
  form: NameForm;
  /** Whether the person's date of birth is known: two records that both know it and differ are not matched on name and nationality alone. */
  dobKnown: boolean;
  /** The string that is hashed (never stored). */
  material: string;
}

type Matched = Pick<Person, 'fullName' | 'nativeName' | 'dateOfBirth' | 'nationality' | 'nationalities'>;

/**
 * What a person is matched on: for each form of the name, name + date of birth + each nationality,
 * name + date of birth (a nationality entered wrongly, or another one), and name + each nationality
 * (for records without a date of birth).
 */
export function matchMaterials(person: Matched): MatchMaterial[] {
  const nationalities = [...new Set([person.nationality, ...(person.nationalities ?? [])].map((n) => n.toUpperCase()))];
  const dob = person.dateOfBirth ?? null;
  const out: MatchMaterial[] = [];
  const forms: Array<[NameForm, string | undefined]> = [
    ['name', person.fullName],
    ['native_name', person.nativeName],
  ];
  for (const [form, raw] of forms) {
    const name = raw ? normaliseName(raw) : '';
    if (!name) continue;
    const base = `person:${form}:${name}`;
    if (dob) {
      out.push({ kind: 'name_dob', form, dobKnown: true, material: `${base}|dob:${dob}` });
      for (const n of nationalities) out.push({ kind: 'name_dob_nationality', form, dobKnown: true, material: `${base}|dob:${dob}|nat:${n}` });
    }
    for (const n of nationalities) out.push({ kind: 'name_nationality', form, dobKnown: dob !== null, material: `${base}|nat:${n}` });
  }
  return out;
}

export type MatchedOn = 'name' | 'nativeName' | 'dateOfBirth' | 'nationality';
const MATCHED_ON_ORDER: MatchedOn[] = ['name', 'nativeName', 'dateOfBirth', 'nationality'];

/** What two records have in common, from the kinds and forms of the keys they share. */
export function matchedOn(shared: ReadonlyArray<{ kind: MatchKind; form: NameForm }>): MatchedOn[] {
  const on = new Set<MatchedOn>();
  for (const { kind, form } of shared) {
    on.add(form === 'name' ? 'name' : 'nativeName');
    if (kind !== 'name_nationality') on.add('dateOfBirth');
    if (kind !== 'name_dob') on.add('nationality');
  }
  return MATCHED_ON_ORDER.filter((f) => on.has(f));
}

/**
 * Whether a shared key counts: name and nationality alone only when one of the two records has no
 * date of birth (when both have one, their name + date of birth keys decide).
 */
export function sharedKeyCounts(kind: MatchKind, mineDobKnown: boolean, theirsDobKnown: boolean): boolean {
  return kind !== 'name_nationality' || !(mineDobKnown && theirsDobKnown);
}
