// The pure parts of the exports: the suppression plan's guarantee at its edges, CTDC age bands, and
// the CSV cell escaping a spreadsheet needs (OWASP "CSV Injection").
import { describe, expect, it } from 'vitest';
import { type AnonymisedRecord, ageBand, blanked, combinationOf, suppressionPlan } from '../../api/services/anonymised-export.js';
import { csvLines, neutralise } from '../../api/services/export-stream.js';

const rec = (over: Partial<AnonymisedRecord> = {}): AnonymisedRecord => ({
  yearOfRegistration: 2026, ageBand: '21-23', sex: 'female', nationality: 'PH', countryOfExploitation: 'MM',
  typeOfExploitation: 'not_recorded', stageReached: 'return', outcome: 'ongoing', ...over,
});

function planOf(records: AnonymisedRecord[], k: number) {
  const counts = new Map<string, { n: number; record: AnonymisedRecord }>();
  for (const r of records) {
    const c = counts.get(combinationOf(r));
    if (c) c.n += 1;
    else counts.set(combinationOf(r), { n: 1, record: r });
  }
  const plan = suppressionPlan(counts, k);
  const released = records.flatMap((r) => (plan.decide(r) === 'keep' ? [r] : plan.decide(r) === 'blank' ? [blanked(r)] : []));
  return { plan, released };
}

describe('the suppression plan', () => {
  it('when rare combinations blanked together reach k, then they are released blanked; when they do not, then they are dropped', () => {
    const common = Array.from({ length: 5 }, () => rec());
    const rareA = Array.from({ length: 3 }, () => rec({ nationality: 'KE' }));
    const rareB = Array.from({ length: 2 }, () => rec({ sex: 'male', ageBand: '48+' }));
    const lone = [rec({ stageReached: 'locating', nationality: 'BR' })];
    const { plan, released } = planOf([...common, ...rareA, ...rareB, ...lone], 5);
    expect(plan.decide(common[0]!)).toBe('keep');
    expect(plan.decide(rareA[0]!)).toBe('blank');
    expect(plan.decide(rareB[0]!)).toBe('blank');
    expect(plan.decide(lone[0]!)).toBe('drop');
    expect([plan.records, plan.blanked, plan.dropped]).toEqual([10, 5, 1]);
    const counts = new Map<string, number>();
    for (const r of released) counts.set(combinationOf(r), (counts.get(combinationOf(r)) ?? 0) + 1);
    expect([...counts.values()].every((n) => n >= 5)).toBe(true);
  });

  it('when an unknown value is common, then it is released as "unknown", never as the blank of suppression', () => {
    const { released } = planOf(Array.from({ length: 3 }, () => rec({ ageBand: 'unknown', countryOfExploitation: 'unknown' })), 3);
    expect(released.map((r) => [r.ageBand, r.countryOfExploitation])).toEqual([['unknown', 'unknown'], ['unknown', 'unknown'], ['unknown', 'unknown']]);
  });
});

describe('age bands at registration', () => {
  it('when the birthday has not come yet in the year of registration, then the person is a year younger; bands follow CTDC', () => {
    const at = new Date('2026-06-15T12:00:00Z');
    expect(ageBand('2008-06-15', at)).toBe('18-20');
    expect(ageBand('2008-06-16', at)).toBe('9-17');
    expect(ageBand('1978-01-01', at)).toBe('48+');
    expect(ageBand('1987-06-16', at)).toBe('30-38');
    expect(ageBand(undefined, at)).toBe('unknown');
    expect(ageBand('2030-01-01', at)).toBe('unknown');
  });
});

describe('CSV cells', () => {
  it('when a value starts with = + - @ tab or CR, then it is prefixed with a quote and the cell is quoted', () => {
    for (const v of ['=1+1', '+1', '-1', '@A1', '\tx', '\rx']) expect(neutralise(v)).toBe(`'${v}`);
    expect(neutralise('Maria = Santos')).toBe('Maria = Santos');
    expect(csvLines([['=cmd', 'a "b", c', null, 7, true]])).toBe(`"'=cmd","a ""b"", c","","7","true"\r\n`);
  });
});
