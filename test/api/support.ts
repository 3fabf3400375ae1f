// Shared helpers of the API tests: the error-contract assertion, case and task set-up over HTTP,
// and read-model counts straight from PostgreSQL.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Response } from 'supertest';
import { type Harness, personBody } from '../support/harness.js';
import { openEventRow } from '../../db/at-rest.js';

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
  requestId: string;
}

/** Checks the status and that the body is exactly the error shape of docs/api.md; returns the `error` object. */
export function expectError(res: Response, status: number, code: string): ErrorBody {
  const dump = JSON.stringify(res.body);
  expect(res.status, dump).toBe(status);
  expect(res.headers['content-type'], dump).toMatch(/^application\/json/);
  expect(Object.keys(res.body), dump).toEqual(['error']);
  const error = res.body.error as ErrorBody;
  const keys = Object.keys(error).sort();
  expect(keys.filter((k) => k !== 'details'), dump).toEqual(['code', 'message', 'requestId']);
  expect(keys.every((k) => ['code', 'message', 'details', 'requestId'].includes(k)), dump).toBe(true);
  expect(error.code, dump).toBe(code);
  expect(typeof error.message, dump).toBe('string');
  expect(error.message.length, dump).toBeGreaterThan(0);
  // No stack traces, source paths or exception class names in what the caller sees.
  expect(error.message, dump).not.toMatch(/\n\s*at\s|\.ts:\d+|\.js:\d+|node_modules|Error:/);
  expect(typeof error.requestId, dump).toBe('string');
  expect(error.requestId.length, dump).toBeGreaterThan(0);
  expect(res.headers['x-request-id']).toBe(error.requestId);
  return error;
}

/** A 400 whose `details` list names exactly these paths (in any order), each with a message. */
export function expectValidation(res: Response, paths: string[]): Array<{ path: string; message: string }> {
  const error = expectError(res, 400, 'validation_failed');
  const details = error.details as Array<{ path: string; message: string }>;
  expect(Array.isArray(details), JSON.stringify(error)).toBe(true);
  for (const d of details) {
    expect(Object.keys(d).sort()).toEqual(['message', 'path']);
    expect(typeof d.path).toBe('string');
    expect(typeof d.message).toBe('string');
    expect(d.message.length).toBeGreaterThan(0);
  }
  expect([...new Set(details.map((d) => d.path))].sort(), JSON.stringify(details)).toEqual([...paths].sort());
  return details;
}

export const uniqueDocNumber = (prefix = 'P') => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;

export function openBody(consulateId: string, overrides: Record<string, unknown> = {}, person: Record<string, unknown> = {}) {
  return {
    person: personBody({ documents: [{ type: 'passport', number: uniqueDocNumber(), issuingCountry: 'PH' }], ...person }),
    location: { country: 'MM', region: 'Kayin', site: 'KK Park' },
    source: { type: 'family_report', reference: 'hotline-1' },
    riskFlags: [],
    consulateId,
    ...overrides,
  };
}

export async function openCase(h: Harness, token: string, body: Record<string, unknown>) {
  const res = await h.http.post('/v1/cases').set(bearer(token)).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await settled(h, res.body.id as string);
  return res.body as { id: string; version: number; stage: string; reference: string } & Record<string, unknown>;
}

/**
 * The API writes the case row itself; the workflow's first step then writes `case_opened` to the
 * timeline. Waits for that, so "the timeline is unchanged" checks start from a settled case.
 */
export async function settled(h: Harness, caseId: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while ((await countEvents(h, caseId)) < 1) {
    if (Date.now() > until) throw new Error(`case ${caseId}: no case_opened event after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function act(h: Harness, token: string, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return h.http.post(`/v1/cases/${id}/actions`).set(bearer(token)).set(headers).send(body);
}

export async function actOk(h: Harness, token: string, id: string, body: Record<string, unknown>) {
  const res = await act(h, token, id, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { version: number; stage: string } & Record<string, unknown>;
}

export const CONFIRM = { type: 'confirm_location', location: { country: 'MM', region: 'Kayin', site: 'KK Park' } };
export const EXTRACTED = { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak immigration' };

/** Opens a case and takes it to consular_contact: the consulate then holds its tasks. */
export async function caseInConsularContact(h: Harness, caseworker: string, consulateId: string, overrides: Record<string, unknown> = {}, extraction: Record<string, unknown> = {}) {
  const opened = await openCase(h, caseworker, openBody(consulateId, overrides));
  await actOk(h, caseworker, opened.id, CONFIRM);
  const after = await actOk(h, caseworker, opened.id, { ...EXTRACTED, ...extraction });
  expect(after.stage).toBe('consular_contact');
  return opened.id;
}

export type TaskOut = { id: string; type: string; status: string; agencyId: string | null; input: Record<string, unknown> } & Record<string, unknown>;

export async function tasksOf(h: Harness, token: string, caseId: string, query: Record<string, string> = {}): Promise<TaskOut[]> {
  const res = await h.http.get('/v1/tasks').query({ caseId, ...query }).set(bearer(token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as TaskOut[];
}

export async function countRows(h: Harness, sqlText: string, params: unknown[]): Promise<number> {
  const r = await h.db.$client.query<{ n: string }>(sqlText, params);
  return Number(r.rows[0]!.n);
}

export const countCasesOfOffice = (h: Harness, office: string) => countRows(h, 'select count(*) as n from cases where office = $1', [office]);
export const countEvents = (h: Harness, caseId: string) => countRows(h, 'select count(*) as n from case_events where case_id = $1', [caseId]);

export async function caseRowOf(h: Harness, caseId: string) {
  const r = await h.db.$client.query<{ version: number; stage: string; on_hold: boolean; status: string; assignee: string | null; priority: string }>(
    'select version, stage, on_hold, status, assignee, priority from cases where id = $1',
    [caseId],
  );
  return r.rows[0];
}

/** A case's timeline rows straight from PostgreSQL, their (sealed) data opened as the API opens it. */
export async function timelineRows(h: Pick<Harness, 'db' | 'cipher'>, caseId: string) {
  const r = await h.db.$client.query<{ case_id: string; seq: number; type: string; data: unknown }>(
    'select case_id, seq, type, data from case_events where case_id = $1 order by seq',
    [caseId],
  );
  return r.rows.map((e) => openEventRow(h.cipher, { caseId: e.case_id, seq: e.seq, type: e.type, data: e.data as Record<string, unknown> }));
}
