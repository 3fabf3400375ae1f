// GET /v1/exports/anonymised over a generated population of 10,000 cases (read-model rows written
// with the project's row builder, snapshots sealed): every combination of released values occurs at
// least k times, for the configured k and a larger one; no direct identifier leaves; and what is
// released whole is exactly the population's combinations that were common enough.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { caseViewOf, insertCaseRows } from '../support/case-rows.js';
import { csvRecords } from '../support/csv.js';
import type { CaseView } from '../../domain/case.js';
import { bearer } from './support.js';

const POPULATION = 10_000;
const FIELDS = ['yearOfRegistration', 'ageBand', 'sex', 'nationality', 'countryOfExploitation', 'typeOfExploitation', 'stageReached', 'outcome'];

let h: Harness;
let supervisor: string;
let views: CaseView[];
/** The combination of each case as the test works it out itself, from what it generated. */
const expected: string[] = [];

// A seeded generator: the population (and so its rare combinations) is the same on every run.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = <T,>(r: number, weighted: Array<[T, number]>): T => {
  let acc = 0;
  for (const [v, w] of weighted) if (r < (acc += w)) return v;
  return weighted[weighted.length - 1]![0];
};
// CTDC's bands, written out independently of the code under test.
const band = (age: number) => (age <= 8 ? '0-8' : age <= 17 ? '9-17' : age <= 20 ? '18-20' : age <= 23 ? '21-23' : age <= 26 ? '24-26' : age <= 29 ? '27-29' : age <= 38 ? '30-38' : age <= 47 ? '39-47' : '48+');

const key = (r: Record<string, unknown>) => JSON.stringify(FIELDS.map((f) => r[f] ?? null));
function countsOf(keys: string[]) {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

beforeAll(async () => {
  h = await startHarness({ worker: false });
  supervisor = await h.token('supervisor', { office: h.office });
  const r = rng(20261102);
  views = Array.from({ length: POPULATION }, () => {
    const year = pick(r(), [[2022, 0.1], [2023, 0.15], [2024, 0.2], [2025, 0.25], [2026, 0.3]]);
    const age = pick(r(), [[15, 0.05], [19, 0.15], [22, 0.25], [25, 0.2], [28, 0.15], [33, 0.12], [42, 0.06], [55, 0.02]]);
    const knownDob = r() < 0.9;
    const sex = pick(r(), [['female', 0.5], ['male', 0.46], ['other', 0.01], ['unknown', 0.03]] as Array<[CaseView['person']['sex'], number]>);
    const nationality = pick(r(), [['PH', 0.85], ['VN', 0.08], ['ID', 0.05], ['KE', 0.015], ['BR', 0.005]]);
    const country = pick(r(), [['MM', 0.55], ['KH', 0.3], ['LA', 0.1], ['AE', 0.02], [null, 0.03]] as Array<[string | null, number]>);
    const closed = r() < 0.4;
    const stage = pick(r(), [['locating', 0.3], ['extraction', 0.2], ['consular_contact', 0.2], ['return', 0.15], ['exit_restriction_check', 0.05], ['employment_assistance', 0.1]] as Array<[CaseView['stage'], number]>);
    const reason = pick(r(), [['reintegrated', 0.6], ['declined_assistance', 0.15], ['lost_contact', 0.15], ['transferred', 0.07], ['deceased', 0.03]] as Array<[NonNullable<CaseView['closure']>['reason'], number]>);
    // Registered in December, born earlier in a year: the age at registration is exactly `age`.
    const createdAt = new Date(Date.UTC(year, 11, 15 + Math.floor(r() * 13), 8));
    const dob = `${year - age}-${String(1 + Math.floor(r() * 11)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
    const forms = pick(r(), [[[], 0.2], [['forced_criminality'], 0.5], [['forced_labour', 'forced_criminality'], 0.3]] as Array<[CaseView['exploitationTypes'], number]>);
    const v = caseViewOf({
      office: h.office,
      createdAt,
      person: { fullName: `Anon Subject ${randomUUID().slice(0, 8)}`, sex, nationality, ...(knownDob ? { dateOfBirth: dob } : {}) },
      country,
      stage,
      closureReason: closed ? reason : undefined,
    });
    v.exploitationTypes = forms;
    expected.push(
      key({
        yearOfRegistration: year,
        ageBand: knownDob ? band(age) : 'unknown',
        sex,
        nationality,
        countryOfExploitation: country ?? 'unknown',
        // In the canonical order, whatever order they were recorded in.
        typeOfExploitation: forms.length === 0 ? 'not_recorded' : forms.length === 1 ? 'forced_criminality' : 'forced_criminality;forced_labour',
        stageReached: closed ? 'closed' : stage,
        outcome: closed ? reason : 'ongoing',
      }),
    );
    return v;
  });
  await insertCaseRows(h, views);
  // Another office's cases never count towards, nor show in, this office's dataset.
  await insertCaseRows(h, Array.from({ length: 30 }, () => caseViewOf({ office: `office-else-${randomUUID().slice(0, 6)}`, person: { nationality: 'KE' } })));
}, 300_000);
afterAll(async () => {
  await h?.stop();
});

async function anonymisedJson(k?: number) {
  const res = await h.http.get('/v1/exports/anonymised').query({ format: 'json', ...(k ? { k: String(k) } : {}) }).set(bearer(supervisor));
  expect(res.status, res.text.slice(0, 500)).toBe(200);
  return { body: res.body as { k: number; records: number; suppressed: { blanked: number; dropped: number }; items: Array<Record<string, unknown>> }, text: res.text };
}

describe('the anonymised dataset of 10,000 cases', () => {
  it('when exported with the default k, then every combination occurs at least 11 times, and the common ones are released whole', async () => {
    const { body } = await anonymisedJson();
    expect(body.k).toBe(11);
    const released = countsOf(body.items.map(key));
    for (const [combination, n] of released) expect(n, combination).toBeGreaterThanOrEqual(11);
    expect(body.records).toBe(body.items.length);
    expect(body.records + body.suppressed.dropped).toBe(POPULATION);

    // The population had rare combinations (so suppression was needed), and only they were touched.
    const population = countsOf(expected);
    const rare = [...population].filter(([, n]) => n < 11).reduce((a, [, n]) => a + n, 0);
    expect(rare).toBeGreaterThan(100);
    expect(body.suppressed.blanked + body.suppressed.dropped).toBe(rare);
    const whole = body.items.filter((i) => i.nationality !== null);
    expect(countsOf(whole.map(key))).toEqual(new Map([...population].filter(([, n]) => n >= 11)));
    for (const b of body.items.filter((i) => i.nationality === null)) expect([b.ageBand, b.sex, b.countryOfExploitation]).toEqual([null, null, null]);
  });

  it('when exported with a larger k, then every combination occurs at least that often, and no less is suppressed', async () => {
    const base = (await anonymisedJson(11)).body;
    const { body } = await anonymisedJson(40);
    expect(body.k).toBe(40);
    for (const [combination, n] of countsOf(body.items.map(key))) expect(n, combination).toBeGreaterThanOrEqual(40);
    expect(body.suppressed.blanked + body.suppressed.dropped).toBeGreaterThan(base.suppressed.blanked + base.suppressed.dropped);
    expect(body.records + body.suppressed.dropped).toBe(POPULATION);
  });

  it('when exported, then no direct identifier leaves: no name, document, reference, id, date of birth or free text', async () => {
    const { body, text } = await anonymisedJson();
    for (const item of body.items) expect(Object.keys(item).sort()).toEqual([...FIELDS].sort());
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(text).not.toMatch(/HW-|Anon Subject|hotline|"P[0-9A-F]{6,}/);
    const csv = await h.http.get('/v1/exports/anonymised?format=csv').set(bearer(supervisor)).buffer(true);
    expect(csv.text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|\d{4}-\d{2}-\d{2}|HW-|Anon Subject/i);
    for (const v of views.slice(0, 50)) {
      for (const s of [v.id, v.reference, v.person.fullName, v.person.documents[0]!.number, v.person.dateOfBirth ?? v.id]) {
        expect(text).not.toContain(s);
        expect(csv.text).not.toContain(s);
      }
    }
  });

  it('when exported as CSV, then it holds the same records as the JSON, suppressed values as empty cells, and the property holds there too', async () => {
    const { body } = await anonymisedJson(15);
    const res = await h.http.get('/v1/exports/anonymised?format=csv&k=15').set(bearer(supervisor)).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const { header, records } = csvRecords(res.text);
    expect(header).toEqual(FIELDS);
    const fromCsv = records.map((r) =>
      key(Object.fromEntries(FIELDS.map((f) => [f, r[f] === '' ? null : f === 'yearOfRegistration' ? Number(r[f]) : r[f]]))),
    );
    expect(countsOf(fromCsv)).toEqual(countsOf(body.items.map(key)));
    for (const [combination, n] of countsOf(fromCsv)) expect(n, combination).toBeGreaterThanOrEqual(15);
  });
});
