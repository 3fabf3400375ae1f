// Fuzzing the whole HTTP surface (issue #7, "no input can poison a case"): fast-check sends
// FUZZ_REQUESTS requests (default below; 10,000 in the run) through the real app, PostgreSQL
// and Temporal. Each is well-formed but for one hostile part: a value in one field of a write's body
// (NUL, lone surrogates, very long or exotic text, SQL/JSON metacharacters, huge numbers, wrong
// types, absurd nesting), an extra hostile key, malformed JSON, a tampered cursor or query value, a
// bad percent-escape in the path or query, a bad, garbage, expired or poisoned token, or a strange
// header. No answer may be a 500 or above; afterwards every case the run touched still takes a normal
// action and no workflow history holds a failed workflow task.
// FUZZ_SEED reproduces a run; a failure prints the request that broke it (shrunk by fast-check).
// The hostile values and the ways of spoiling a request are in test/api/fuzz/; the fixtures and the
// well-formed request of each endpoint stay here.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerMalformedRequests } from '../../api/errors.js';
import { caseWorkflowId, operationWorkflowId } from '../../domain/ids.js';
import { mintToken } from '../../scripts/token.js';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import { CONSULAR_RESULTS } from '../support/drive.js';
import { allRuns, workflowTaskFailures } from '../support/histories.js';
import { CONFIRM, EXTRACTED, bearer, openBody, uniqueDocNumber } from './support.js';
import { b64url } from './fuzz/hostile-values.js';
import { type FuzzRequest, requestArb, spoiledBody } from './fuzz/spoiled-requests.js';

// 2,000 keep the file well under a minute on a small CI machine; FUZZ_REQUESTS=10000 for the full run.
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2_000);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
// Requests in flight at once: a busy client, and enough to interleave steps on the same case.
const CONCURRENCY = 8;

let h: Harness;
let server: http.Server;
let agent: ReturnType<typeof supertest>;
let consulateId: string;
const tokens: Record<string, string> = {};
/** The tokens a spoiled request may carry instead of its endpoint's own. */
const TOKEN_SPOILS = ['expired', 'wrongSecret', 'subNul', 'subSurrogate', 'officeNul', 'officeStar', 'roleRoot', 'agencyNul', 'longSub', 'algNone', 'garbage', 'empty', 'strangerCaseworker', 'strangerConsul', 'admin', 'consul', 'caseworker'];
const caseIds: string[] = [];
const tasks: Array<{ id: string; type: string }> = [];
let approvalId: string;
const issuedCursors: string[] = [];
// What the run itself created (201/202 answers): checked afterwards like the seeded cases.
const createdCases = new Set<string>();
const createdOperations = new Set<string>();

const at = (days: number) => new Date(Date.UTC(2026, 9, 20) + days * 86_400_000).toISOString();

beforeAll(async () => {
  h = await startHarness();
  server = http.createServer(h.app);
  answerMalformedRequests(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  agent = supertest(server);
  consulateId = await createConsulate(h);
  const secret = h.config.auth.jwtSecret!;
  const claims = (role: string, extra: Record<string, string> = {}) => ({ sub: `${role}-${randomUUID().slice(0, 6)}`, role, ...extra });
  Object.assign(tokens, {
    caseworker: await mintToken(secret, claims('caseworker', { office: h.office })),
    supervisor: await mintToken(secret, claims('supervisor', { office: h.office })),
    consul: await mintToken(secret, claims('agency_officer', { agency: consulateId })),
    admin: await mintToken(secret, claims('admin')),
    // Other office, other agency: scope, not validation, must answer.
    strangerCaseworker: await mintToken(secret, claims('caseworker', { office: `elsewhere-${randomUUID().slice(0, 6)}` })),
    strangerConsul: await mintToken(secret, claims('agency_officer', { agency: 'no-such-consulate' })),
    expired: await mintToken(secret, claims('caseworker', { office: h.office }), -3_600),
    wrongSecret: await mintToken(`${secret}-not`, claims('caseworker', { office: h.office })),
    subNul: await mintToken(secret, { sub: 'cw\u0000x', role: 'caseworker', office: h.office }),
    subSurrogate: await mintToken(secret, { sub: 'cw\ud800', role: 'caseworker', office: h.office }),
    officeNul: await mintToken(secret, { sub: 'cw-nul-office', role: 'caseworker', office: `${h.office}\u0000` }),
    officeStar: await mintToken(secret, { sub: 'cw-star', role: 'caseworker', office: '*' }),
    roleRoot: await mintToken(secret, { sub: 'root', role: 'root', office: h.office }),
    agencyNul: await mintToken(secret, { sub: 'consul-nul', role: 'agency_officer', agency: `${consulateId}\u0000` }),
    longSub: await mintToken(secret, { sub: 'x'.repeat(5_000), role: 'caseworker', office: h.office }),
    algNone: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'x', role: 'admin', exp: 4e9 })}.`,
    garbage: 'not.a.token',
    empty: '',
  });

  // Cases to fuzz: two finding their person, three in consular contact (so with agency tasks), one
  // with a closure waiting for a supervisor.
  const open = async () => {
    const res = await agent.post('/v1/cases').set(bearer(tokens.caseworker!)).send(openBody(consulateId));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    caseIds.push(res.body.id as string);
    return res.body.id as string;
  };
  const act = async (id: string, body: Record<string, unknown>) => {
    const res = await agent.post(`/v1/cases/${id}/actions`).set(bearer(tokens.caseworker!)).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  await open();
  await open();
  for (let i = 0; i < 3; i++) {
    const id = await open();
    await act(id, CONFIRM);
    await act(id, EXTRACTED);
    const list = await agent.get('/v1/tasks').query({ caseId: id }).set(bearer(tokens.consul!));
    for (const t of list.body.items as Array<{ id: string; type: string }>) tasks.push({ id: t.id, type: t.type });
  }
  const closing = await open();
  await act(closing, { type: 'request_closure', reason: 'lost_contact', comment: 'no answer for months' });
  const approvals = await agent.get('/v1/approvals').query({ status: 'pending', limit: 200 }).set(bearer(tokens.supervisor!));
  approvalId = (approvals.body.items as Array<{ id: string; caseId: string }>).find((a) => a.caseId === closing)!.id;
  expect(tasks.length).toBeGreaterThan(0);
  for (const url of ['/v1/cases?limit=1', '/v1/cases?limit=1&sort=priority', `/v1/cases/${caseIds[0]}/timeline?limit=1`, '/v1/tasks?limit=1']) {
    const res = await agent.get(url).set(bearer(url.startsWith('/v1/tasks') ? tokens.consul! : tokens.caseworker!));
    if (res.body.nextCursor) issuedCursors.push(res.body.nextCursor as string);
  }
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await h?.stop();
});

// ---- The endpoints, each with a well-formed request to spoil ----

interface Endpoint {
  name: string;
  method: 'get' | 'post';
  token: string;
  /** The well-formed request: its path and, for writes, its body. */
  build: () => { path: string; body?: Record<string, unknown> };
  /** Whether the path has an id to swap for a hostile one. */
  idSlot?: boolean;
  query?: Record<string, string>;
}

const pick = <T,>(items: readonly T[], n: number) => items[n % items.length]!;
let counter = 0;
const ACTION_BODIES: Record<string, () => Record<string, unknown>> = {
  add_note: () => ({ text: 'called the family' }),
  assign: () => ({ assignee: 'cw-ana' }),
  set_priority: () => ({ priority: 'high', reason: 'triage' }),
  hold: () => ({ reason: 'waiting for family' }),
  resume: () => ({}),
  record_consent: () => ({ consularNotification: 'granted', dataSharing: 'granted' }),
  record_screening: () => ({ outcome: 'victim', basis: 'interview' }),
  record_sighting: () => ({ location: { country: 'MM', region: 'Kayin', site: 'KK Park', latitude: 16.6, longitude: 98.5 }, observedAt: at(0), source: 'family' }),
  confirm_location: () => ({ location: { country: 'MM', region: 'Kayin', site: 'KK Park', confirmed: true } }),
  request_extraction: () => ({ partner: 'Royal Thai Police', reference: 'RTP-1' }),
  record_extraction: () => ({ extractedAt: at(1), handedOverTo: 'Tak immigration', injured: false, medicalNeeds: 'none' }),
  record_extraction_failed: () => ({ reason: 'the compound was moved' }),
  book_return: () => ({ departureAt: at(12), arrivalPort: 'MNL', carrier: 'PR', flightNumber: 'PR 731', manifestId: 'M-17' }),
  record_departure: () => ({ departedAt: at(12) }),
  record_arrival: () => ({ arrivedAt: at(13), port: 'MNL', receivedBy: 'IACAT desk' }),
  record_assessment: () => ({ skills: ['sewing'], education: 'secondary', preferredRegion: 'NCR', needs: ['housing'] }),
  record_referral: () => ({ kind: 'job', organisation: 'TESDA', description: 'garment course' }),
  record_placement: () => ({ employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false }),
  record_follow_up: () => ({ taskId: randomUUID(), outcome: 'employed', notes: 'doing well' }),
  decline_assistance: () => ({ reason: 'going home to family' }),
  request_closure: () => ({ reason: 'lost_contact', comment: 'no answer' }),
};
const TASK_RESULTS: Record<string, Record<string, unknown>> = { ...CONSULAR_RESULTS, verify_nationality: { verified: true, notes: 'checked' } };

function endpoints(): Endpoint[] {
  let taskN = 0;
  let caseN = 0;
  const caseId = () => pick(caseIds, caseN++);
  const task = () => pick(tasks, taskN++);
  const list: Endpoint[] = [
    ...Object.entries(ACTION_BODIES).map(
      ([type, body]): Endpoint => ({ name: `action ${type}`, method: 'post', token: 'caseworker', idSlot: true, build: () => ({ path: `/v1/cases/${caseId()}/actions`, body: { type, ...body() } }) }),
    ),
    {
      name: 'open case',
      method: 'post',
      token: 'caseworker',
      build: () => ({
        path: '/v1/cases',
        body: {
          ...openBody(consulateId),
          person: personBody({ documents: [{ type: 'passport', number: uniqueDocNumber(), issuingCountry: 'PH' }], phone: '+63 912 345 6789' }),
          riskFlags: ['injured'],
          office: h.office,
        },
      }),
    },
    { name: 'claim task', method: 'post', token: 'consul', idSlot: true, build: () => ({ path: `/v1/tasks/${task().id}/claim` }) },
    { name: 'unclaim task', method: 'post', token: 'consul', idSlot: true, build: () => ({ path: `/v1/tasks/${task().id}/unclaim` }) },
    {
      name: 'complete task',
      method: 'post',
      token: 'consul',
      idSlot: true,
      build: () => {
        const t = task();
        return { path: `/v1/tasks/${t.id}/complete`, body: { result: { ...TASK_RESULTS[t.type] } } };
      },
    },
    { name: 'reject task', method: 'post', token: 'consul', idSlot: true, build: () => ({ path: `/v1/tasks/${task().id}/reject`, body: { reason: 'no record of this person' } }) },
    // Always `rejected` as the well-formed decision: an approval would close the case for good.
    { name: 'decide approval', method: 'post', token: 'supervisor', idSlot: true, build: () => ({ path: `/v1/approvals/${approvalId}/decision`, body: { decision: 'rejected', comment: 'keep trying' } }) },
    {
      name: 'create agency',
      method: 'post',
      token: 'admin',
      build: () => ({ path: '/v1/agencies', body: { id: `fuzz-${(counter++).toString(36)}-${randomUUID().slice(0, 6)}`, kind: 'consulate', name: 'Consulate', country: 'TH', city: 'Bangkok' } }),
    },
    {
      name: 'register operation',
      method: 'post',
      token: 'caseworker',
      build: () => ({
        path: '/v1/operations',
        body: {
          name: 'Raid',
          country: 'MM',
          site: 'KK Park',
          date: '2026-10-20',
          consulateId,
          office: h.office,
          persons: [{ person: personBody({ documents: [{ type: 'passport', number: uniqueDocNumber('OP'), issuingCountry: 'PH' }] }), riskFlags: [], location: { country: 'MM' } }],
        },
      }),
    },
    { name: 'list cases', method: 'get', token: 'caseworker', build: () => ({ path: '/v1/cases' }), query: { q: 'HW-2026-000001', assignee: 'cw-ana', stage: 'locating', sort: '-priority', limit: '5', country: 'MM', onHold: 'false', createdAfter: at(-300) } },
    { name: 'read case', method: 'get', token: 'caseworker', idSlot: true, build: () => ({ path: `/v1/cases/${caseId()}` }) },
    { name: 'allowed actions', method: 'get', token: 'caseworker', idSlot: true, build: () => ({ path: `/v1/cases/${caseId()}/actions` }) },
    { name: 'timeline', method: 'get', token: 'caseworker', idSlot: true, build: () => ({ path: `/v1/cases/${caseId()}/timeline` }), query: { limit: '5' } },
    { name: 'list tasks', method: 'get', token: 'consul', build: () => ({ path: '/v1/tasks' }), query: { status: 'open', type: 'verify_nationality', limit: '5', overdue: 'false' } },
    { name: 'read task', method: 'get', token: 'consul', idSlot: true, build: () => ({ path: `/v1/tasks/${task().id}` }) },
    { name: 'list approvals', method: 'get', token: 'supervisor', build: () => ({ path: '/v1/approvals' }), query: { status: 'pending', limit: '5' } },
    { name: 'stats', method: 'get', token: 'supervisor', build: () => ({ path: '/v1/stats' }), query: { office: h.office } },
    { name: 'agencies', method: 'get', token: 'caseworker', build: () => ({ path: '/v1/agencies' }) },
    { name: 'operation', method: 'get', token: 'caseworker', idSlot: true, build: () => ({ path: `/v1/operations/${randomUUID()}` }) },
  ];
  return list;
}

// ---- Sending one request: an endpoint, spoiled one way (test/api/fuzz/spoiled-requests.ts) ----

interface Sent {
  status: number;
  body: unknown;
  what: string;
}

async function send(all: Endpoint[], req: FuzzRequest): Promise<Sent> {
  const ep = all[req.endpoint]!;
  const { spoil } = req;
  const built = ep.build();
  let path = built.path;
  if (spoil.kind === 'id' && ep.idSlot) path = path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, spoil.value);
  const query = Object.entries(ep.query ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  if (spoil.kind === 'query' && query.length > 0) {
    const i = spoil.at % query.length;
    query[i] = `${query[i]!.split('=')[0]}=${spoil.value}`;
  }
  if (spoil.kind === 'unknownQuery') query.push(`${spoil.key}=${spoil.value}`);
  if (spoil.kind === 'cursor') query.push(`cursor=${spoil.value}`);
  const url = query.length > 0 ? `${path}?${query.join('&')}` : path;
  const token = spoil.kind === 'token' ? tokens[spoil.name]! : tokens[ep.token]!;
  let r = ep.method === 'get' ? agent.get(url) : agent.post(url);
  r = r.set('Authorization', `Bearer ${token}`);
  if (req.idempotencyKey && ep.method === 'post') r = r.set('Idempotency-Key', req.idempotencyKey);
  if (spoil.kind === 'header') r = r.set(spoil.name, spoil.value);
  let sentBody = '';
  if (built.body || spoil.kind === 'rawBody') {
    const { text, contentType } = spoiledBody(built.body ?? {}, spoil);
    sentBody = text;
    if (!(spoil.kind === 'header' && spoil.name === 'Content-Type')) r = r.set('Content-Type', contentType);
    r = r.send(text);
  }
  const res = await r.ok(() => true);
  const body = res.body as { id?: string; status?: string } | undefined;
  if (res.status === 201 && ep.name === 'open case' && body?.id) createdCases.add(body.id);
  if (res.status === 202 && ep.name === 'register operation' && body?.id) createdOperations.add(body.id);
  const how = spoil.kind === 'token' ? `, token ${spoil.name}` : spoil.kind === 'header' ? `, header ${spoil.name}: ${JSON.stringify(spoil.value.slice(0, 100))}` : '';
  const keyed = req.idempotencyKey ? `, Idempotency-Key ${req.idempotencyKey}` : '';
  return { status: res.status, body: res.body, what: `${ep.method.toUpperCase()} ${url.slice(0, 300)} body ${JSON.stringify(sentBody.slice(0, 300))} (${ep.name}${how}${keyed})` };
}

describe('fuzzing every endpoint with hostile input', () => {
  it(`when ${REQUESTS} hostile requests hit the API, then none is answered 500 or above, and every case they touched still acts with no failed workflow task`, async () => {
    const all = endpoints();
    const statuses = new Map<number, number>();
    let sent = 0;
    const started = Date.now();
    const failures: string[] = [];
    console.log(`[fuzz] ${REQUESTS} requests, seed ${SEED} (FUZZ_SEED=${SEED} reproduces the run)`);
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb(all.length, { tokenNames: TOKEN_SPOILS, issuedCursors, seed: SEED }), { minLength: CONCURRENCY, maxLength: CONCURRENCY }), async (batch) => {
        const answers = await Promise.all(batch.map((req) => send(all, req)));
        sent += answers.length;
        for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        const broken = answers.find((a) => a.status >= 500);
        if (broken) {
          const line = `${broken.status} for ${broken.what}: ${JSON.stringify(broken.body)}`;
          failures.push(line);
          throw new Error(line);
        }
      }),
      { numRuns: Math.ceil(REQUESTS / CONCURRENCY), seed: SEED, endOnFailure: process.env.FUZZ_SHRINK !== '1' },
    ).catch((err: unknown) => {
      console.log(`[fuzz] counterexample:\n${failures.join('\n')}`);
      throw err;
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(`[fuzz] ${sent} requests in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)}/s); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);

    // Afterwards: each case the run touched (seeded, opened by it, opened by its operations) still acts.
    for (const op of createdOperations) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = await agent.get(`/v1/operations/${op}`).set(bearer(tokens.caseworker!));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        if (res.body.status !== 'running') break;
        if (Date.now() > deadline) throw new Error(`operation ${op} still running`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const cases = await agent.get('/v1/cases').query({ operationId: op, limit: 200 }).set(bearer(tokens.caseworker!));
      for (const c of cases.body.items as Array<{ id: string }>) createdCases.add(c.id);
    }
    const touched = [...caseIds, ...createdCases];
    const notActing: string[] = [];
    const taskFailures: string[] = [];
    for (let i = 0; i < touched.length; i += CONCURRENCY) {
      await Promise.all(
        touched.slice(i, i + CONCURRENCY).map(async (id) => {
          const res = await agent.post(`/v1/cases/${id}/actions`).set(bearer(tokens.caseworker!)).send({ type: 'add_note', text: `after the fuzz ${randomUUID()}` });
          if (res.status !== 200) notActing.push(`${id}: ${res.status} ${JSON.stringify(res.body)}`);
          for (const run of await allRuns(h.temporal, caseWorkflowId(id))) taskFailures.push(...workflowTaskFailures(run.history).map((f) => `${id}: ${f}`));
        }),
      );
    }
    for (const op of createdOperations) {
      for (const run of await allRuns(h.temporal, operationWorkflowId(op))) taskFailures.push(...workflowTaskFailures(run.history).map((f) => `operation ${op}: ${f}`));
    }
    console.log(`[fuzz] afterwards: ${touched.length} cases (${createdCases.size} opened by the run, ${createdOperations.size} operations) checked`);
    expect(notActing).toEqual([]);
    expect(taskFailures).toEqual([]);
  }, 900_000);
});
