// Possible duplicates without documents (domain/person-match.ts): which strings two records of a
// person are compared on. Only keyed hashes of these are ever stored; here the strings themselves.
import { describe, expect, it } from 'vitest';
import { matchMaterials, matchedOn, normaliseDocumentNumber, normaliseName, sharedKeyCounts } from '../../../domain/person-match.js';

describe('normalised names', () => {
  it('when a Vietnamese name is written with or without its accents, in any case, order or spacing, then it is one name', () => {
    const forms = ['Nguyen Van An', 'NGUYỄN văn an', 'An, Nguyen Van', '  nguyễn   VĂN  An ', 'Nguyễn-Văn An'];
    expect(new Set(forms.map(normaliseName))).toEqual(new Set(['an nguyen van']));
  });

  it('when letters without a combining accent are used (đ, ß, ø, ł), then they fold to what a plain keyboard types', () => {
    expect(normaliseName('Đặng Thị Hoa')).toBe(normaliseName('Dang Thi Hoa'));
    expect(normaliseName('Strauß')).toBe(normaliseName('STRAUSS'));
    expect(normaliseName('Søren Łukasz')).toBe(normaliseName('soren lukasz'));
    expect(normaliseName("O'Brien")).toBe(normaliseName('OBrien'));
  });

  it('when full-width or compatibility forms are used, then NFKC makes them the plain letters', () => {
    expect(normaliseName('ＭＡＲＩＡ　ＳＡＮＴＯＳ')).toBe(normaliseName('Maria Santos'));
  });

  it('when a name is written in Han script with or without spaces, then it is one name; Thai and Khmer marks are kept as letters', () => {
    expect(normaliseName('阮 文 安')).toBe(normaliseName('阮文安'));
    expect(normaliseName('阮文安')).toBe('阮文安');
    // Thai vowel and tone marks are combining marks, and part of the name: stripping them would merge names.
    expect(normaliseName('สมศักดิ์')).toBe('สมศักดิ์');
    expect(normaliseName('สมศักดิ์')).not.toBe(normaliseName('สมศกด'));
    expect(normaliseName('ស៊ុន សុខា')).toBe(normaliseName('សុខា ស៊ុន'));
  });

  it('when different people are named, then their names differ', () => {
    expect(normaliseName('Nguyen Van An')).not.toBe(normaliseName('Nguyen Van Anh'));
    expect(normaliseName('Maria Santos')).not.toBe(normaliseName('Mario Santos'));
  });

  it('when nothing but punctuation is given, then the name is empty and nothing is matched on it', () => {
    expect(normaliseName(' ?? -- ')).toBe('');
    expect(matchMaterials({ fullName: '??', nationality: 'PH', dateOfBirth: '1990-01-01' })).toEqual([]);
  });

  it('when a document number is written with spaces, dashes or in lower case, then it is one number', () => {
    expect(normaliseDocumentNumber('e 1234-567')).toBe(normaliseDocumentNumber('E1234567'));
  });
});

describe('match keys', () => {
  it('when the date of birth and two nationalities are known, then name + date of birth + each nationality, name + date of birth and name + each nationality are keys', () => {
    const keys = matchMaterials({ fullName: 'Nguyen Van An', dateOfBirth: '2001-02-03', nationality: 'VN', nationalities: ['KH'] });
    expect(keys.map((k) => [k.kind, k.form, k.dobKnown])).toEqual([
      ['name_dob', 'name', true],
      ['name_dob_nationality', 'name', true],
      ['name_dob_nationality', 'name', true],
      ['name_nationality', 'name', true],
      ['name_nationality', 'name', true],
    ]);
    expect(new Set(keys.map((k) => k.material)).size).toBe(5);
    // The same person written another way has the very same keys.
    expect(matchMaterials({ fullName: 'NGUYỄN văn an', dateOfBirth: '2001-02-03', nationality: 'VN', nationalities: ['KH'] })).toEqual(keys);
  });

  it('when a native-script name is known, then it has keys of its own, never equal to the Latin name\'s', () => {
    const keys = matchMaterials({ fullName: 'Nguyen Van An', nativeName: '阮文安', nationality: 'VN' });
    expect(keys.map((k) => [k.kind, k.form, k.dobKnown])).toEqual([
      ['name_nationality', 'name', false],
      ['name_nationality', 'native_name', false],
    ]);
    const latinOnly = matchMaterials({ fullName: '阮文安', nationality: 'VN' });
    expect(keys.map((k) => k.material)).not.toContain(latinOnly[0]!.material);
  });

  it('when keys are shared, then matchedOn names what the two records have in common, in a fixed order', () => {
    expect(matchedOn([{ kind: 'name_dob_nationality', form: 'name' }, { kind: 'name_dob', form: 'name' }])).toEqual(['name', 'dateOfBirth', 'nationality']);
    expect(matchedOn([{ kind: 'name_dob', form: 'native_name' }])).toEqual(['nativeName', 'dateOfBirth']);
    expect(matchedOn([{ kind: 'name_nationality', form: 'name' }, { kind: 'name_nationality', form: 'native_name' }])).toEqual(['name', 'nativeName', 'nationality']);
  });

  it('when both records know a date of birth, then a shared name and nationality alone do not count; when either does not, they do', () => {
    expect(sharedKeyCounts('name_nationality', true, true)).toBe(false);
    expect(sharedKeyCounts('name_nationality', true, false)).toBe(true);
    expect(sharedKeyCounts('name_nationality', false, false)).toBe(true);
    expect(sharedKeyCounts('name_dob', true, true)).toBe(true);
  });
});
