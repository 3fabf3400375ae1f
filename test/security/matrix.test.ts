// The role × endpoint × scope matrix (issue #8): every endpoint the app serves, called by every role
// with a token of the resource's own office or agency, of another one, and of every office ("*").
// The endpoints come from the route registry (api/http.ts), so a new endpoint is in the matrix as
// soon as it is declared; an endpoint whose path parameters no fixture can fill, or a write without
// a harmless probe, fails the coverage test instead of escaping the matrix. A walk over the app's
// Express router fails on any route served outside the registry but the platform and codec endpoints
// listed here (the codec is in the matrix too, with its roles).
//
// The contract (docs/api.md "Errors", "Scope never leaks"):
// - a role the endpoint does not allow → 403 forbidden;
// - an allowed role, a resource outside the caller's scope → 404 not_found, the very answer an absent
//   resource gets; lists simply leave it out; opening a case or a raid in, or asking statistics of,
//   an office the token does not cover → 403 (no resource exists whose existence could leak);
// - an allowed role in scope → 2xx, or a 4xx other than 401/403/404 (each probe names the exact one);
// - no answer, whatever its status, carries an id or a person's data from outside the caller's scope.
// Writes never damage the fixtures: in scope they send a body that fails validation or a step the
// case refuses (and say which), or they create something new; a claim is given back at once.
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyRoute, registry } from '../../api/http.js';
import { STATUS } from '../../api/errors.js';
import type { ErrorCode } from '../../domain/errors.js';
import { ROLES, type Role } from '../../api/middleware/auth.js';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { CONFIRM, EXTRACTED, actOk, bearer, expectError, openCase, tasksOf, uniqueDocNumber } from '../api/support.js';

const DAY_S = 86_400;
// Checked by the API when set (always in production): the matrix runs with both, as production does.
const AUTH = { AUTH_ISSUER: 'https://idp.homeward.test/', AUTH_AUDIENCE: 'homeward-api' };
const NO_SUCH_CONSULATE = 'mx-no-such-consulate';
const PROBE = 'matrix probe';

let h: Harness;
/** Same task queue, deadlines 180 days in 12 s: only for the case whose follow-up a caseworker works. */
let fast: Harness;

// ---------------------------------------------------------------------------------------------
// Who calls
// ---------------------------------------------------------------------------------------------

interface Caller {
  name: string;
  role: Role;
  office?: string;
  agency?: string;
  sub: string;
  token: string;
}

const officeA = `mx-a-${randomUUID().slice(0, 8)}`;
const officeB = `mx-b-${randomUUID().slice(0, 8)}`;
let consulateA: string;
let consulateB: string;
let immigration: string;

/**
 * Every role (a Record over ROLES, so a new role does not compile until it has callers here), with a
 * token of the fixtures' own office or agency, of another one, and of every office where a role may.
 */
function callerSpecs(): Record<Role, Array<Omit<Caller, 'role' | 'token' | 'sub'>>> {
  return {
    caseworker: [
      { name: 'caseworker@A', office: officeA },
      { name: 'caseworker@B', office: officeB },
    ],
    supervisor: [
      { name: 'supervisor@A', office: officeA },
      { name: 'supervisor@B', office: officeB },
      { name: 'supervisor@*', office: '*' },
    ],
    agency_officer: [
      { name: 'officer@consulateA', agency: consulateA },
      { name: 'officer@consulateB', agency: consulateB },
      { name: 'officer@immigration', agency: immigration },
    ],
    admin: [{ name: 'admin' }],
  };
}

let callers: Caller[] = [];
const callerNamed = (name: string) => callers.find((c) => c.name === name)!;

// ---------------------------------------------------------------------------------------------
// What they call it on: the fixtures, and who may see what of them
// ---------------------------------------------------------------------------------------------

interface CaseFx {
  label: string;
  id: string;
  reference: string;
  office: string;
  names: string[];
  docs: string[];
}
interface TaskFx {
  id: string;
  caseId: string;
  office: string;
  agencyId: string | null;
  audience: 'agency' | 'supervisor' | 'caseworker';
  type: string;
  status: string;
  claimedBy: string | null;
}
interface ApprovalFx {
  id: string;
  caseId: string;
  office: string;
  status: string;
}
interface OperationFx {
  label: string;
  id: string;
  office: string;
  caseIds: string[];
  /** A bulk action on the raid's cases (POST /v1/operations/:id/actions). */
  bulkId: string;
}

interface World {
  cases: CaseFx[];
  tasks: TaskFx[];
  approvals: ApprovalFx[];
  operations: OperationFx[];
  /** The tasks, approvals and cases the matrix calls endpoints on (every one of its kind is still used by the leak check). */
  pick: {
    cases: CaseFx[];
    tasks: Array<{ label: string; task: TaskFx }>;
    approvals: Array<{ label: string; approval: ApprovalFx }>;
  };
}
let world: World;
/** Subscriptions of consulate A and of office A: kept (lists, delivery logs) and deletable (DELETE). */
let hooks: { kept: HookFx[]; deletable: HookFx[] };

const officeRoles = (c: Caller) => c.role === 'caseworker' || c.role === 'supervisor';
const seesOffice = (c: Caller, office: string) => officeRoles(c) && (c.office === '*' || c.office === office);
/** The inbox rule: an agency officer sees their agency's tasks; caseworkers and supervisors their office's. */
const seesTask = (c: Caller, t: TaskFx) => (c.role === 'agency_officer' ? c.agency === t.agencyId : seesOffice(c, t.office));
/** Webhooks: an admin's are every one; an officer's their agency's; a supervisor's their office's. */
const seesHook = (c: Caller, k: Omit<HookFx, 'id'>) =>
  c.role === 'admin' || (c.role === 'agency_officer' ? c.agency === k.agencyId : c.role === 'supervisor' && k.office !== null && (c.office === '*' || c.office === k.office));

/**
 * Whose person data a caller may ever be shown: their office's cases; an agency officer the cases
 * they hold a task of; an admin every case (retention and the access log are theirs, for all offices).
 */
const seesCase = (c: Caller, k: CaseFx) =>
  c.role === 'admin' || seesOffice(c, k.office) || (c.role === 'agency_officer' && world.tasks.some((t) => t.caseId === k.id && t.agencyId === c.agency));

/** Everything of the fixtures this caller must never be shown, in any answer, whatever its status. */
function secretsFor(c: Caller): string[] {
  const out: string[] = [];
  for (const k of world.cases) if (!seesCase(c, k)) out.push(k.id, k.reference, ...k.names, ...k.docs);
  for (const t of world.tasks) if (!seesTask(c, t)) out.push(t.id);
  for (const a of world.approvals) if (!seesOffice(c, a.office)) out.push(a.id);
  for (const o of world.operations) if (!seesOffice(c, o.office)) out.push(o.id, o.bulkId);
  return out;
}

/** A secret appears as a whole value or word, not as a part of a longer one. */
function leaked(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => new RegExp(`(^|[^A-Za-z0-9-])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9-])`).test(text));
}

// ---------------------------------------------------------------------------------------------
// The probes: how each endpoint is called, and what it must answer in scope
// ---------------------------------------------------------------------------------------------

type Kind = 'case' | 'task' | 'approval' | 'operation' | 'office' | 'webhook' | 'none';

/** A webhook subscription's scope: an agency's or an office's. */
interface HookFx {
  id: string;
  agencyId: string | null;
  office: string | null;
}

interface Target {
  label: string;
  kind: Kind;
  params?: Record<string, string>;
  query?: Record<string, string>;
  office?: string;
  task?: TaskFx;
  approval?: ApprovalFx;
  caseFx?: CaseFx;
  hook?: Omit<HookFx, 'id'>;
  /** Lists: the ids a caller in scope must find in the answer. */
  expectIds?: string[];
}

/** What an allowed role in scope must get. A 401/403/404 is only ever expected with the rule that makes it. */
interface Inside {
  status: number;
  because?: string;
}

interface Probe {
  /** The targets, when not those of the path parameters (creations, lists, statistics). */
  targets?: () => Target[];
  /** An allowed role outside the target's scope: 404 (default), 403 (it names an office it does not cover), or a list that leaves the target out. */
  outside?: 'not_found' | 'forbidden' | 'filtered';
  /**
   * The body. `inScope` is false for outsiders only: they get a valid body, or the body's validation
   * would answer before the scope check. Everyone else gets the harmless one (a role not allowed is
   * refused before the body is read, so a broken role check shows as a 400 or 409, not as damage).
   */
  body?: (c: Caller, t: Target, inScope: boolean) => unknown;
  inside?: (c: Caller, t: Target) => Inside;
  /** More to check of an answer in scope; returns a problem or undefined. */
  check?: (res: Response, c: Caller, t: Target) => string | undefined | Promise<string | undefined>;
  /** Puts a fixture back after a write in scope that succeeded. */
  after?: (res: Response, c: Caller, t: Target) => Promise<string | undefined>;
  /**
   * Stored answers (idempotency `replay` and `custom`): a caller in scope gets a 2xx with an
   * Idempotency-Key; then a token of the same subject with another scope repeats the request and key.
   * It must get what any outsider gets, not the stored answer (docs/api.md "Scope never leaks").
   */
  replay?: {
    /** Who may make the first request on this target (and get a 2xx). */
    eligible: (c: Caller, t: Target) => boolean;
    status: number;
    body?: (c: Caller, t: Target) => unknown;
    prepare?: (token: string, t: Target) => Promise<void>;
    undo?: (token: string, t: Target) => Promise<void>;
  };
}

const ok200: Inside = { status: 200 };
const live = (t: TaskFx) => t.status === 'open' || t.status === 'claimed';
/** Seeing a task is not working it: the task's audience decides who may claim, complete and reject it. */
const works = (c: Caller, t: TaskFx) =>
  t.audience === 'agency' ? c.role === 'agency_officer' && c.agency === t.agencyId : t.audience === 'supervisor' ? c.role === 'supervisor' : officeRoles(c);
const AUDIENCE = 'the task is for another audience (seeing is not working)';

const itemIds = (res: Response) => ((res.body as { items?: Array<{ id: string }> }).items ?? []).map((i) => i.id);

/** A list in scope holds the target (on a later page, when other test files fill the list too). */
const listHas = (path: string) => async (first: Response, c: Caller, t: Target) => {
  let res = first;
  const missing = new Set(t.expectIds ?? []);
  for (let page = 0; missing.size > 0; page++) {
    if (!Array.isArray(res.body?.items)) return `expected { items }, got ${JSON.stringify(res.body).slice(0, 200)}`;
    for (const id of itemIds(res)) missing.delete(id);
    const cursor = res.body.nextCursor as string | null;
    if (missing.size === 0 || !cursor || page > 20) break;
    res = await h.http.get(path).query({ ...t.query, cursor }).set(bearer(c.token));
  }
  return missing.size ? `the list lacks ${[...missing].join(', ')}` : undefined;
};

async function claim(token: string, taskId: string) {
  const res = await h.http.post(`/v1/tasks/${taskId}/claim`).set(bearer(token));
  if (res.status !== 200) throw new Error(`claim ${taskId}: ${res.status} ${JSON.stringify(res.body)}`);
}
async function unclaim(token: string, taskId: string) {
  const res = await h.http.post(`/v1/tasks/${taskId}/unclaim`).set(bearer(token));
  if (res.status !== 200) throw new Error(`unclaim ${taskId}: ${res.status} ${JSON.stringify(res.body)}`);
}

function operationBody(office: string) {
  return {
    name: `Matrix raid ${randomUUID().slice(0, 6)}`,
    country: 'MM',
    date: '2026-11-20',
    consulateId: NO_SUCH_CONSULATE,
    office,
    persons: [{ person: personBody({ documents: [{ type: 'passport', number: uniqueDocNumber('MXP'), issuingCountry: 'PH' }] }) }],
  };
}

function webhookBody(t: Target) {
  return {
    url: 'http://127.0.0.1:9/matrix-hooks',
    events: ['task.created'],
    secret: `matrix-secret-${randomUUID()}`,
    ...(t.hook!.agencyId ? { agencyId: t.hook!.agencyId } : { office: t.hook!.office! }),
  };
}

function caseBody(office: string) {
  return {
    person: personBody({ documents: [{ type: 'passport', number: uniqueDocNumber('MXP'), issuingCountry: 'PH' }] }),
    source: { type: 'hotline' },
    consulateId: NO_SUCH_CONSULATE,
    office,
  };
}

/** A 400 that names this field: the request got past the scope check to the check of its content. */
const namesField = (path: string) => (res: Response) => {
  const details = (res.body as { error?: { details?: Array<{ path: string }> } }).error?.details;
  return Array.isArray(details) && details.some((d) => d.path === path) ? undefined : `expected a 400 about ${path} (past the scope check), got ${JSON.stringify(res.body)}`;
};

const officeTargets = (): Target[] => [
  { label: 'office A', kind: 'office', office: officeA },
  { label: 'office B', kind: 'office', office: officeB },
];

/**
 * Path parameters, by the path segment before them. A route with a parameter not listed here fails
 * the coverage test: give it fixtures here first.
 */
const PARAM_FIXTURES: Record<string, () => Target[]> = {
  'cases/:id': () => world.pick.cases.map((k) => ({ label: `case ${k.label}`, kind: 'case', params: { id: k.id }, office: k.office, caseFx: k })),
  'tasks/:id': () => world.pick.tasks.map(({ label, task }) => ({ label, kind: 'task', params: { id: task.id }, office: task.office, task })),
  'approvals/:id': () => world.pick.approvals.map(({ label, approval }) => ({ label, kind: 'approval', params: { id: approval.id }, office: approval.office, approval })),
  'webhooks/:id': () => hooks.kept.map((k) => ({ label: `webhook of ${k.agencyId ?? k.office}`, kind: 'webhook', params: { id: k.id }, hook: k })),
  'operations/:id': () => world.operations.map((o) => ({ label: `operation ${o.label}`, kind: 'operation', params: { id: o.id }, office: o.office })),
};

/**
 * Probes by `METHOD path`. A GET without one answers 200 in scope, 404 outside; every POST needs one
 * (a valid body reaches the scope check, and a write in scope must not damage a fixture).
 */
const PROBES: Record<string, Probe> = {
  'POST /v1/cases': {
    targets: officeTargets,
    outside: 'forbidden',
    // A valid case for an office, naming a consulate that does not exist: checked after the office.
    body: (_c, t) => caseBody(t.office!),
    inside: () => ({ status: 400 }),
    check: namesField('consulateId'),
    // A real case, its office left to the token (as most clients do): a fresh resource, not a fixture.
    replay: {
      eligible: (c, t) => c.office === t.office,
      status: 201,
      body: () => ({ ...caseBody(officeA), office: undefined, consulateId: consulateA }),
    },
  },
  'GET /v1/cases': {
    outside: 'filtered',
    targets: () => [
      { label: 'no filter', kind: 'none', query: { limit: '200' } },
      ...world.pick.cases.map((k): Target => ({ label: `q=reference of case ${k.label}`, kind: 'case', office: k.office, query: { q: k.reference }, expectIds: [k.id] })),
      ...world.pick.cases.map((k): Target => ({ label: `q=document of case ${k.label}`, kind: 'case', office: k.office, query: { q: k.docs[0]! }, expectIds: [k.id] })),
      ...officeTargets().map((t): Target => ({ ...t, label: `office=${t.label}`, query: { office: t.office!, limit: '200' }, expectIds: world.cases.filter((k) => k.office === t.office).map((k) => k.id) })),
      ...world.operations.map((o): Target => ({ label: `operationId of operation ${o.label}`, kind: 'operation', office: o.office, query: { operationId: o.id, limit: '200' }, expectIds: o.caseIds })),
    ],
    check: listHas('/v1/cases'),
  },
  'POST /v1/cases/:id/actions': {
    body: () => ({ type: 'add_note', text: PROBE }),
    inside: (_c, t) => (t.caseFx!.label.startsWith('closed') ? { status: 409 } : ok200),
  },
  'GET /v1/tasks': {
    outside: 'filtered',
    targets: () => [
      { label: 'no filter', kind: 'none', query: { limit: '200' } },
      ...world.pick.tasks.map(({ label, task }): Target => ({ label: `caseId of ${label}`, kind: 'task', task, office: task.office, query: { caseId: task.caseId, limit: '200' }, expectIds: [task.id] })),
    ],
    check: listHas('/v1/tasks'),
  },
  'POST /v1/tasks/:id/claim': {
    inside: (c, t) => (!works(c, t.task!) ? { status: 403, because: AUDIENCE } : !live(t.task!) ? { status: 409 } : ok200),
    // The claim is given back at once: the fixture stays open for the next caller.
    after: async (res, c, t) => {
      if (res.status !== 200) return undefined;
      const back = await h.http.post(`/v1/tasks/${t.task!.id}/unclaim`).set(bearer(c.token));
      return back.status === 200 ? undefined : `unclaim after the claim: ${back.status} ${JSON.stringify(back.body)}`;
    },
    replay: { eligible: (c, t) => works(c, t.task!) && live(t.task!), status: 200, undo: (token, t) => unclaim(token, t.task!.id) },
  },
  'POST /v1/tasks/:id/unclaim': {
    // Every fixture task is unclaimed, so there is nothing to give back (a claimed one is given back in the claim probe).
    inside: () => ({ status: 409 }),
    replay: { eligible: (c, t) => works(c, t.task!) && live(t.task!), status: 200, prepare: (token, t) => claim(token, t.task!.id) },
  },
  'POST /v1/tasks/:id/complete': {
    // A result that passes the body schema and fails the task type's: the task is found and workable, then refused.
    body: () => ({ result: {} }),
    inside: (c, t) =>
      !works(c, t.task!) ? { status: 403, because: AUDIENCE } : !live(t.task!) ? { status: 409 } : { status: 400 },
  },
  'POST /v1/tasks/:id/reject': {
    // Only an agency's own live task could really be rejected: it gets a body that fails validation.
    body: (c, t, inScope) => (inScope && works(c, t.task!) && t.task!.audience === 'agency' && live(t.task!) ? {} : { reason: PROBE }),
    inside: (c, t) =>
      !works(c, t.task!)
        ? { status: 403, because: AUDIENCE }
        : t.task!.audience === 'agency' && live(t.task!)
          ? { status: 400 }
          : { status: 409 },
  },
  'GET /v1/approvals': {
    outside: 'filtered',
    targets: () => [
      { label: 'no filter', kind: 'none', query: { limit: '200' } },
      ...world.pick.approvals.map(({ label, approval }): Target => ({ label: `status of ${label}`, kind: 'approval', approval, office: approval.office, query: { status: approval.status, limit: '200' }, expectIds: [approval.id] })),
    ],
    check: listHas('/v1/approvals'),
  },
  'POST /v1/approvals/:id/decision': {
    // A pending approval gets a decision that fails validation; a decided one a valid one, which it refuses.
    body: (_c, t, inScope) => (inScope && t.approval!.status === 'pending' ? { decision: 'maybe' } : { decision: 'rejected', comment: PROBE }),
    inside: (_c, t) => (t.approval!.status === 'pending' ? { status: 400 } : { status: 409 }),
  },
  'POST /v1/agencies': {
    // A fresh agency each time: nothing shared changes.
    body: () => ({ id: `mx-agency-${randomUUID().slice(0, 8)}`, kind: 'employment_service', name: 'Matrix employment service' }),
    inside: () => ({ status: 201 }),
  },
  'GET /v1/stats': {
    outside: 'forbidden',
    targets: () => [{ label: 'no office', kind: 'none' }, ...officeTargets().map((t) => ({ ...t, query: { office: t.office! } }))],
  },
  'POST /v1/operations': {
    targets: officeTargets,
    outside: 'forbidden',
    body: (_c, t) => operationBody(t.office!),
    inside: () => ({ status: 400 }),
    check: namesField('consulateId'),
    replay: {
      eligible: (c, t) => c.office === t.office,
      status: 202,
      body: (c) => ({ ...operationBody(officeA), office: undefined, consulateId: c.office === officeA ? consulateA : consulateB }),
    },
  },
  'GET /v1/operations': {
    outside: 'filtered',
    targets: () => world.operations.map((o) => ({ label: `operation ${o.label}`, kind: 'operation', office: o.office, query: { limit: '200' }, expectIds: [o.id] })),
    check: listHas('/v1/operations'),
  },
  'POST /v1/operations/:id/actions': {
    // In scope: a case id that is not the raid's, refused after the scope check; nothing starts.
    body: (_c, _t, inScope) => ({ type: 'add_note', text: PROBE, ...(inScope ? { caseIds: [randomUUID()] } : {}) }),
    inside: () => ({ status: 400 }),
    check: namesField('caseIds[0]'),
    replay: {
      eligible: (c, t) => c.office === t.office,
      status: 202,
      // A step every case of the raid refuses (they are in extraction): per-case failures, nothing changed.
      body: () => ({ type: 'record_arrival', arrivedAt: '2026-11-22T10:00:00Z', port: 'MNL', receivedBy: PROBE }),
    },
  },
  'GET /v1/operations/:id/actions/:bulkId': {
    targets: () => world.operations.map((o) => ({ label: `bulk action on ${o.label}`, kind: 'operation', params: { id: o.id, bulkId: o.bulkId }, office: o.office })),
  },
  'POST /v1/cases/:id/legal-hold': {
    // Clearing a hold that is not set: an open case refuses (409), a closed one answers with nothing changed.
    body: () => ({ hold: false, reason: PROBE }),
    inside: (_c, t) => (t.caseFx!.label.startsWith('closed') ? ok200 : { status: 409 }),
  },
  'POST /v1/cases/:id/reopen': {
    // In scope a body that fails validation (a real reopen would change the fixture); outsiders a valid one.
    body: (_c, _t, inScope) => (inScope ? {} : { reason: PROBE }),
    inside: () => ({ status: 400 }),
    check: namesField('reason'),
    // The one real reopen: the closed fixture, by a supervisor of its office; the new case is a fresh resource.
    replay: { eligible: (c, t) => t.caseFx!.label.startsWith('closed') && c.office === t.office, status: 201, body: () => ({ reason: PROBE }) },
  },
  'POST /v1/webhooks': {
    targets: () => [
      { label: 'consulate A', kind: 'webhook', hook: { agencyId: consulateA, office: null } },
      { label: 'office A', kind: 'webhook', hook: { agencyId: null, office: officeA } },
    ],
    outside: 'forbidden',
    // A fresh subscription each time (to a port nobody listens on): nothing shared changes.
    body: (_c, t) => webhookBody(t),
    inside: () => ({ status: 201 }),
    replay: { eligible: (c, t) => seesHook(c, t.hook!), status: 201 },
  },
  'GET /v1/webhooks': {
    outside: 'filtered',
    targets: () => hooks.kept.map((k) => ({ label: `webhook of ${k.agencyId ?? k.office}`, kind: 'webhook', hook: k, query: { limit: '200' }, expectIds: [k.id] })),
    check: listHas('/v1/webhooks'),
  },
  'DELETE /v1/webhooks/:id': {
    // Subscriptions of their own: the first caller in scope deletes one, the next get the same answer.
    targets: () => hooks.deletable.map((k) => ({ label: `deletable webhook of ${k.agencyId ?? k.office}`, kind: 'webhook', params: { id: k.id }, hook: k })),
    inside: () => ok200,
    replay: { eligible: (c, t) => seesHook(c, t.hook!), status: 200 },
  },
  'POST /v1/cases/:id/erase': {
    // An open case is refused (409); a closed one would really be erased, so it gets a body that fails validation.
    body: (_c, t, inScope) => (inScope && t.caseFx!.label.startsWith('closed') ? {} : { reason: PROBE }),
    inside: (_c, t) => (t.caseFx!.label.startsWith('closed') ? { status: 400 } : { status: 409 }),
  },
};

/**
 * Endpoints the app serves that are not route() declarations, and so not in the registry. The route
 * walk below fails on any other; these are called by the matrix with the roles declared here.
 */
const OUTSIDE_REGISTRY: Array<{ method: 'get' | 'post'; path: string; roles?: readonly Role[]; probe?: Probe }> = [
  { method: 'get', path: '/healthz' },
  { method: 'get', path: '/readyz' },
  { method: 'get', path: '/openapi.json' },
  // api/routes/metrics.ts: Prometheus text, no token (docs/api.md "Platform").
  { method: 'get', path: '/metrics' },
  // api/routes/docs.ts: the API reference page (its assets are static files, not routes).
  { method: 'get', path: '/docs' },
  // api/routes/console.ts: the web console's settings, and its development sign-in (not in
  // production: test/web/server.test.ts). The console's files are static, not routes.
  { method: 'get', path: '/console/config.json' },
  { method: 'post', path: '/dev/token' },
  // api/routes/codec.ts: Temporal's remote codec protocol, supervisors and admins (docs/api.md "Temporal UI codec").
  ...(['decode', 'encode'] as const).map((op) => ({
    method: 'post' as const,
    path: `/codec/${op}`,
    roles: ['supervisor', 'admin'] as const,
    probe: { body: () => ({ payloads: [] }), inside: () => ok200 } satisfies Probe,
  })),
];

interface Endpoint {
  method: 'get' | 'post' | 'delete';
  path: string;
  roles?: readonly Role[];
}

const keyOf = (e: { method: string; path: string }) => `${e.method.toUpperCase()} ${e.path}`;

/** The registry as the app built it (one entry per endpoint; each createApp call declares them again). */
function registered(): AnyRoute[] {
  return registry.filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i);
}

function paramKeys(path: string): string[] {
  return [...path.matchAll(/([^/]+)\/:([A-Za-z_]+)/g)].map((m) => `${m[1]}/:${m[2]}`);
}

/** The targets of an endpoint, or why it has none (which fails the coverage test). */
function targetsOf(e: Endpoint, probe: Probe | undefined): Target[] | string {
  const params = [...e.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
  if (probe?.targets) return probe.targets();
  if (params.length === 0) return [{ label: '-', kind: 'none' }];
  const keys = paramKeys(e.path);
  if (keys.length !== 1 || params.length !== 1) return `no fixture fills the parameters ${params.map((p) => `:${p}`).join(', ')} (add one to PARAM_FIXTURES or a probe with targets)`;
  const fill = PARAM_FIXTURES[keys[0]!];
  return fill ? fill() : `no fixture fills ${keys[0]} (add one to PARAM_FIXTURES)`;
}

function coverageProblems(): string[] {
  const problems: string[] = [];
  for (const r of registered()) {
    const probe = PROBES[keyOf(r)];
    const params = [...r.path.matchAll(/:([A-Za-z_]+)/g)];
    if (params.length > 0 && !probe?.targets) {
      const keys = paramKeys(r.path);
      if (keys.length !== params.length || keys.some((k) => !PARAM_FIXTURES[k])) problems.push(`${keyOf(r)}: no fixture fills its path parameters`);
    }
    if (r.method !== 'get' && (!probe?.body && r.body !== undefined)) problems.push(`${keyOf(r)}: a write needs a probe with a valid body (outsiders) and a harmless one (in scope)`);
    if (r.method !== 'get' && !probe?.inside) problems.push(`${keyOf(r)}: a write needs a probe saying what it answers in scope without changing a fixture`);
    if (!r.roles) problems.push(`${keyOf(r)}: a route without roles needs no token; list it among the platform endpoints if that is meant`);
    const scoped = (r.roles ?? []).some((role) => callerSpecs()[role].length > 1);
    if ((r.idempotency === 'replay' || r.idempotency === 'custom') && scoped && !probe?.replay) {
      problems.push(`${keyOf(r)}: stores answers for Idempotency-Key replays; it needs a replay probe (a first request in scope that gets a 2xx)`);
    }
  }
  const known = new Set(registered().map(keyOf));
  for (const key of Object.keys(PROBES)) if (!known.has(key)) problems.push(`${key}: a probe for an endpoint the registry does not have`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Calling
// ---------------------------------------------------------------------------------------------

function fill(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:([A-Za-z_]+)/g, (_m, p: string) => {
    const v = params[p];
    if (v === undefined) throw new Error(`no value for :${p} in ${path}`);
    return encodeURIComponent(v);
  });
}

async function call(e: Endpoint, req: { token?: string; params?: Record<string, string>; query?: Record<string, string>; body?: unknown; headers?: Record<string, string> }) {
  const url = fill(e.path, req.params);
  let r = e.method === 'get' ? h.http.get(url) : e.method === 'delete' ? h.http.delete(url) : h.http.post(url);
  if (req.token) r = r.set(bearer(req.token));
  if (req.headers) r = r.set(req.headers);
  if (req.query) r = r.query(req.query);
  return req.body === undefined ? await r : await r.send(req.body as object);
}

/** Runs an assertion of the API tests and returns its message instead of throwing. */
function soft(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

function inScope(c: Caller, t: Target): boolean {
  switch (t.kind) {
    case 'none':
      return true;
    case 'task':
      return seesTask(c, t.task!);
    case 'webhook':
      return seesHook(c, t.hook!);
    default:
      // Cases, approvals, operations and offices: by office; an admin's endpoints cover every office.
      return c.role === 'admin' || seesOffice(c, t.office!);
  }
}

interface Tally {
  combos: number;
  byClass: Record<'forbidden_role' | 'outside' | 'inside', number>;
  problems: string[];
}

async function runMatrix(endpoints: Array<{ e: Endpoint; probe?: Probe }>): Promise<Tally> {
  const tally: Tally = { combos: 0, byClass: { forbidden_role: 0, outside: 0, inside: 0 }, problems: [] };
  const absent = new Map<string, Response>();
  for (const { e, probe } of endpoints) {
    const targets = targetsOf(e, probe);
    if (typeof targets === 'string') {
      tally.problems.push(`${keyOf(e)}: ${targets}`);
      continue;
    }
    for (const c of callers) {
      const secrets = secretsFor(c);
      for (const t of targets) {
        const allowed = e.roles === undefined || e.roles.includes(c.role);
        const scoped = inScope(c, t);
        const body = probe?.body?.(c, t, !allowed || scoped) ?? (e.method === 'post' ? {} : undefined);
        const res = await call(e, { token: c.token, params: t.params, query: t.query, body });
        const where = `${keyOf(e)} × ${c.name} × ${t.label}`;
        // Short lines: a failing run lists every broken combination, not pages of bodies.
        const problem = (p: string | undefined) => p && tally.problems.push(`${where}: ${p.length > 240 ? `${p.slice(0, 240)}…` : p}`);
        tally.combos++;
        if (process.env.MATRIX_VERBOSE) console.log(`${where} → ${res.status} ${res.body?.error?.code ?? ''}`);

        const shown = leaked(res.text ?? '', secrets);
        if (shown.length) problem(`shows what is outside the caller's scope: ${shown.join(', ')}`);
        if (res.status >= 500) problem(`${res.status} ${JSON.stringify(res.body)}`);

        if (!allowed) {
          tally.byClass.forbidden_role++;
          problem(soft(() => expectError(res, 403, 'forbidden')));
        } else if (!scoped) {
          tally.byClass.outside++;
          const outside = probe?.outside ?? 'not_found';
          if (outside === 'not_found') {
            problem(soft(() => expectError(res, 404, 'not_found')));
            // Indistinguishable from a resource that does not exist.
            const key = `${keyOf(e)} ${c.name}`;
            if (!absent.has(key)) {
              const none = Object.fromEntries(Object.keys(t.params ?? {}).map((p) => [p, randomUUID()]));
              absent.set(key, await call(e, { token: c.token, params: none, query: t.query, body }));
            }
            const other = absent.get(key)!;
            if (other.status !== res.status || other.body?.error?.message !== res.body?.error?.message) {
              problem(`answers otherwise than for an absent resource: ${res.status} ${JSON.stringify(res.body?.error?.message)} vs ${other.status} ${JSON.stringify(other.body?.error?.message)}`);
            }
          } else if (outside === 'forbidden') {
            problem(soft(() => expectError(res, 403, 'forbidden')));
          } else {
            // A list leaves out what the caller may not see (the leak check above looks for the rest).
            if (res.status !== 200) problem(`expected 200, got ${res.status} ${JSON.stringify(res.body)}`);
            else if (itemIds(res).some((id) => t.expectIds?.includes(id))) problem(`lists ${t.label} outside the caller's scope`);
          }
        } else {
          tally.byClass.inside++;
          const want = probe?.inside?.(c, t) ?? ok200;
          if ([401, 403, 404].includes(want.status) && !want.because) throw new Error(`${where}: the probe expects ${want.status} in scope without saying why`);
          if (res.status !== want.status) {
            problem(`expected ${want.status}${want.because ? ` (${want.because})` : ''}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
          } else if (res.status >= 400) {
            // The error contract, with a code that belongs to the status.
            const code = String(res.body?.error?.code);
            problem(soft(() => expectError(res, STATUS[code as ErrorCode] === res.status ? res.status : -1, code)));
          }
          if (res.status === want.status && probe?.check) problem(await probe.check(res, c, t));
          if (probe?.after) problem(await probe.after(res, c, t));
        }
      }
    }
  }
  return tally;
}

// ---------------------------------------------------------------------------------------------
// The fixtures: two offices, two consulates and the immigration authority
// ---------------------------------------------------------------------------------------------

function person(label: string) {
  const name = `Matrix ${label} ${randomUUID().slice(0, 8)}`;
  const doc = uniqueDocNumber('MX');
  return { body: personBody({ fullName: name, documents: [{ type: 'passport', number: doc, issuingCountry: 'PH' }] }), name, doc };
}

async function openFx(on: Harness, token: string, label: string, office: string, consulateId: string, extra: Record<string, unknown> = {}): Promise<CaseFx> {
  const p = person(label);
  const opened = await openCase(on, token, {
    person: p.body,
    location: { country: 'MM', region: 'Kayin', site: 'KK Park' },
    source: { type: 'family_report', reference: `mx-${label}` },
    riskFlags: [],
    consulateId,
    ...extra,
  });
  return { label, id: opened.id, reference: opened.reference, office, names: [p.name], docs: [p.doc] };
}

async function raid(token: string, label: string, office: string, consulateId: string, size: number): Promise<{ op: OperationFx; cases: CaseFx[] }> {
  const persons = Array.from({ length: size }, (_, i) => person(`${label}-${i}`));
  const res = await h.http
    .post('/v1/operations')
    .set(bearer(token))
    .send({ name: `Matrix ${label}`, country: 'MM', date: '2026-11-20', consulateId, persons: persons.map((p) => ({ person: p.body })) });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.id as string;
  await drive.waitFor(`operation ${label}`, async () => {
    const r = await h.http.get(`/v1/operations/${id}`).set(bearer(token));
    return r.body.status === 'completed';
  }, 60_000, 200);
  // A bulk action every case refuses (they are in extraction): a fixture for its status endpoint that changes no case.
  const bulk = await h.http.post(`/v1/operations/${id}/actions`).set(bearer(token)).send({ type: 'record_departure', departedAt: '2026-11-22T06:00:00Z' });
  expect(bulk.status, JSON.stringify(bulk.body)).toBe(202);
  const list = await h.http.get('/v1/cases').query({ operationId: id, limit: 200 }).set(bearer(token));
  const items = list.body.items as Array<{ id: string; reference: string; person: { fullName: string } }>;
  expect(items).toHaveLength(size);
  const cases = items.map((c) => {
    const p = persons.find((x) => x.name === c.person.fullName)!;
    return { label: `${label} person`, id: c.id, reference: c.reference, office, names: [p.name], docs: [p.doc] };
  });
  return { op: { label, id, office, caseIds: cases.map((c) => c.id), bulkId: bulk.body.id as string }, cases };
}

async function buildWorld(): Promise<World> {
  const cwA = callerNamed('caseworker@A').token;
  const cwB = callerNamed('caseworker@B').token;
  const supA = callerNamed('supervisor@A').token;
  const officerA = callerNamed('officer@consulateA').token;
  const officerImm = callerNamed('officer@immigration').token;
  const peopleA: drive.People = { caseworker: cwA, supervisor: supA, consul: officerA, immigration: officerImm };

  // A: consular_contact; the consulate rejects one task (a supervisor review opens); a closure requested
  // by the caseworker and rejected, then requested again and pending.
  const caseA = async () => {
    const k = await openFx(h, cwA, 'A (consular contact)', officeA, consulateA, { riskFlags: ['abused'] });
    await actOk(h, cwA, k.id, CONFIRM);
    await actOk(h, cwA, k.id, EXTRACTED);
    const shelter = (await tasksOf(h, officerA, k.id)).find((t) => t.type === 'arrange_shelter')!;
    const rejected = await h.http.post(`/v1/tasks/${shelter.id}/reject`).set(bearer(officerA)).send({ reason: 'no shelter place this week' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const first = await actOk(h, cwA, k.id, { type: 'request_closure', reason: 'duplicate' });
    const approvalId = (first.pendingApprovals as Array<{ id: string }>)[0]!.id;
    const decided = await h.http.post(`/v1/approvals/${approvalId}/decision`).set(bearer(supA)).send({ decision: 'rejected', comment: 'not a duplicate' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await actOk(h, cwA, k.id, { type: 'request_closure', reason: 'lost_contact' });
    return k;
  };
  // A: at the immigration authority's exit restriction review (the consular tasks completed).
  const caseImm = async () => {
    const k = await openFx(h, cwA, 'A (exit restriction check)', officeA, consulateA);
    await drive.toExitRestrictionCheck(h.http, peopleA, k.id);
    return k;
  };
  // A: in employment assistance with a follow-up in the caseworker's inbox. Its deadlines run 180 days
  // in 12 s (opened through the fast app), so the first follow-up comes in 2 s; then it is put on hold.
  const caseFollow = async () => {
    const k = await openFx(fast, cwA, 'A (follow-up)', officeA, consulateA);
    await drive.toEmployment(h.http, peopleA, k.id);
    await drive.act(h.http, cwA, k.id, { type: 'record_placement', employer: 'Matrix Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
    await drive.waitFor('a follow-up', async () => (await drive.openTasksOf(h.http, cwA, k.id, 'follow_up')).length > 0, 30_000, 100);
    await actOk(h, cwA, k.id, { type: 'hold', reason: 'no more deadlines in the matrix' });
    return k;
  };
  // A: closed (the caseworker asked, a supervisor approved).
  const caseClosed = async () => {
    const k = await openFx(h, cwA, 'closed A', officeA, consulateA);
    await actOk(h, cwA, k.id, { type: 'request_closure', reason: 'duplicate' });
    await drive.approveClosure(h.http, peopleA, k.id);
    return k;
  };
  // B: consular_contact with consulate B's tasks, and a pending closure.
  const caseB = async () => {
    const k = await openFx(h, cwB, 'B (consular contact)', officeB, consulateB);
    await actOk(h, cwB, k.id, CONFIRM);
    await actOk(h, cwB, k.id, EXTRACTED);
    await actOk(h, cwB, k.id, { type: 'request_closure', reason: 'transferred' });
    return k;
  };

  const [a, imm, follow, closed, b, raidA, raidB] = await Promise.all([
    caseA(),
    caseImm(),
    caseFollow(),
    caseClosed(),
    caseB(),
    raid(cwA, 'raid A', officeA, consulateA, 2),
    raid(cwB, 'raid B', officeB, consulateB, 1),
  ]);
  const cases = [a, imm, follow, closed, b, ...raidA.cases, ...raidB.cases];
  const ids = cases.map((k) => k.id);

  // Every task and approval of these cases, from the read model: the leak check knows all of them.
  const taskRows = await h.db.$client.query<{ id: string; case_id: string; office: string; agency_id: string | null; audience: TaskFx['audience']; type: string; status: string; claimed_by: string | null }>(
    'select id, case_id, office, agency_id, audience, type, status, claimed_by from tasks where case_id = any($1)',
    [ids],
  );
  const tasks: TaskFx[] = taskRows.rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    office: r.office,
    agencyId: r.agency_id,
    audience: r.audience,
    type: r.type,
    status: r.status,
    claimedBy: r.claimed_by,
  }));
  const approvalRows = await h.db.$client.query<{ id: string; case_id: string; office: string; status: string }>(
    'select id, case_id, office, status from approvals where case_id = any($1)',
    [ids],
  );
  const approvals: ApprovalFx[] = approvalRows.rows.map((r) => ({ id: r.id, caseId: r.case_id, office: r.office, status: r.status }));

  const one = <T,>(what: string, found: T | undefined): T => {
    if (!found) throw new Error(`fixture missing: ${what}`);
    return found;
  };
  const taskOf = (k: CaseFx, pred: (t: TaskFx) => boolean, what: string) => one(what, tasks.find((t) => t.caseId === k.id && pred(t)));
  const approvalOf = (k: CaseFx, status: string) => one(`${status} approval of ${k.label}`, approvals.find((x) => x.caseId === k.id && x.status === status));

  return {
    cases,
    tasks,
    approvals,
    operations: [raidA.op, raidB.op],
    pick: {
      cases: [a, imm, follow, closed, b],
      tasks: [
        { label: 'consular task A (open)', task: taskOf(a, (t) => t.type === 'verify_nationality' && t.status === 'open', 'open consular task A') },
        { label: 'supervisor review A (open)', task: taskOf(a, (t) => t.type === 'supervisor_review' && t.status === 'open', 'open supervisor review A') },
        { label: 'exit restriction review A (open)', task: taskOf(imm, (t) => t.type === 'exit_restriction_review' && t.status === 'open', 'open exit restriction review A') },
        { label: 'consular task A (completed)', task: taskOf(imm, (t) => t.type === 'verify_nationality' && t.status === 'completed', 'completed consular task A') },
        { label: 'follow-up A (open)', task: taskOf(follow, (t) => t.type === 'follow_up' && t.status === 'open', 'open follow-up A') },
        { label: 'consular task B (open)', task: taskOf(b, (t) => t.type === 'verify_nationality' && t.status === 'open', 'open consular task B') },
      ],
      approvals: [
        { label: 'pending closure A', approval: approvalOf(a, 'pending') },
        { label: 'rejected closure A', approval: approvalOf(a, 'rejected') },
        { label: 'pending closure B', approval: approvalOf(b, 'pending') },
      ],
    },
  };
}

beforeAll(async () => {
  h = await startHarness({ config: AUTH });
  fast = await startHarness({
    worker: false,
    config: { ...AUTH, TEMPORAL_TASK_QUEUE: h.config.temporal.taskQueue, HOMEWARD_TIME_SCALE: String(12 / (180 * DAY_S)) },
  });
  consulateA = await createConsulate(h);
  consulateB = await createConsulate(h);
  immigration = h.config.immigrationAgencyId;
  const specs = callerSpecs();
  callers = [];
  for (const role of ROLES) {
    for (const spec of specs[role]) {
      const sub = `mx-${spec.name.replace(/[^a-z0-9]+/gi, '-')}-${randomUUID().slice(0, 4)}`;
      callers.push({ ...spec, role, sub, token: await h.token(role, { office: spec.office, agency: spec.agency, sub }) });
    }
  }
  world = await buildWorld();
  const admin = callerNamed('admin').token;
  const hookOf = async (scope: { agencyId: string } | { office: string }): Promise<HookFx> => {
    const res = await h.http.post('/v1/webhooks').set(bearer(admin)).send(webhookBody({ label: '-', kind: 'webhook', hook: { agencyId: null, office: null, ...scope } }));
    if (res.status !== 201) throw new Error(`webhook fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, agencyId: res.body.agencyId, office: res.body.office };
  };
  hooks = {
    kept: [await hookOf({ agencyId: consulateA }), await hookOf({ office: officeA })],
    deletable: [await hookOf({ agencyId: consulateA }), await hookOf({ office: officeA })],
  };
}, 240_000);

afterAll(async () => {
  await fast?.stop();
  await h?.stop();
});

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

describe('the matrix covers every endpoint', () => {
  it('when the app is built, then every endpoint in the registry has fixtures for its path parameters and a harmless probe for its writes', () => {
    expect(registered().length).toBeGreaterThan(20);
    expect(coverageProblems()).toEqual([]);
  });

  it('when the app is built, then every route it serves is in the registry, or a platform or codec endpoint the matrix lists itself', () => {
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: unknown };
    const served: string[] = [];
    const walk = (stack: Layer[], prefix: string) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const m of Object.keys(layer.route.methods)) served.push(`${m.toUpperCase()} ${(prefix + layer.route.path).replace(/\/+/g, '/')}`);
        } else if (layer.handle?.stack) {
          const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '';
          walk(layer.handle.stack, prefix + (mount === '/' ? '' : mount));
        }
      }
    };
    walk((h.app as unknown as { router: { stack: Layer[] } }).router.stack, '');
    expect(served.length).toBeGreaterThan(20);
    const known = new Set([...registered().map(keyOf), ...OUTSIDE_REGISTRY.map(keyOf)]);
    expect(served.filter((s) => !known.has(s))).toEqual([]);
    // And nothing listed is missing from the app (a stale list would hide a gap).
    expect([...known].filter((k) => !served.includes(k))).toEqual([]);
  });

  it('when a role is added, then it has callers in the matrix', () => {
    expect([...new Set(callers.map((c) => c.role))].sort()).toEqual([...ROLES].sort());
  });
});

describe('role × endpoint × scope', () => {
  it('when every role calls every endpoint on resources of its own office or agency, of another, and of every office, then it gets 403 for a role not allowed, 404 outside its scope and an answer in scope, and never sees what is outside its scope', async () => {
    const started = Date.now();
    const endpoints = [
      ...registered().map((r) => ({ e: { method: r.method, path: r.path, roles: r.roles }, probe: PROBES[keyOf(r)] })),
      ...OUTSIDE_REGISTRY.filter((x) => x.roles).map((x) => ({ e: { method: x.method, path: x.path, roles: x.roles }, probe: x.probe })),
    ];
    const tally = await runMatrix(endpoints);
    console.log(
      `[matrix] ${tally.combos} (endpoint, caller, target) combinations over ${endpoints.length} endpoints and ${callers.length} callers: ` +
        `${tally.byClass.forbidden_role} role not allowed, ${tally.byClass.outside} outside scope, ${tally.byClass.inside} in scope; ${Date.now() - started} ms`,
    );
    expect(tally.problems).toEqual([]);
    // Each class was exercised: a matrix that only ever saw 403s would prove nothing.
    expect(tally.byClass.forbidden_role).toBeGreaterThan(50);
    expect(tally.byClass.outside).toBeGreaterThan(50);
    expect(tally.byClass.inside).toBeGreaterThan(50);
  }, 600_000);

  it('when the matrix is done, then the fixtures are as they were: no task claimed, completed or rejected, no approval decided, no case erased or held', async () => {
    for (const { label, task } of world.pick.tasks) {
      const r = await h.db.$client.query<{ status: string; claimed_by: string | null }>('select status, claimed_by from tasks where id = $1', [task.id]);
      expect({ label, ...r.rows[0] }).toEqual({ label, status: task.status, claimed_by: task.claimedBy });
    }
    for (const { label, approval } of world.pick.approvals) {
      const r = await h.db.$client.query<{ status: string }>('select status from approvals where id = $1', [approval.id]);
      expect({ label, status: r.rows[0]!.status }).toEqual({ label, status: approval.status });
    }
    const rows = await h.db.$client.query<{ id: string; anonymised_at: Date | null; legal_hold: boolean }>(
      'select id, anonymised_at, legal_hold from cases where id = any($1)',
      [world.cases.map((k) => k.id)],
    );
    expect(rows.rows.filter((r) => r.anonymised_at !== null || r.legal_hold)).toEqual([]);
  });
});

/** The ids and person fields of an answer: what a replay to another scope must not show. */
function identifiersOf(body: unknown, out: string[] = []): string[] {
  if (Array.isArray(body)) for (const v of body) identifiersOf(v, out);
  else if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'string' && ['id', 'caseId', 'reference', 'caseReference', 'fullName', 'number'].includes(k)) out.push(v);
      else identifiersOf(v, out);
    }
  }
  return out;
}

describe('stored answers follow the scope', () => {
  it('when a subject repeats a write with its Idempotency-Key under a token of another office or agency, then it gets what any outsider gets, never the stored answer', async () => {
    const problems: string[] = [];
    let pairs = 0;
    for (const r of registered().filter((x) => x.idempotency === 'replay' || x.idempotency === 'custom')) {
      const probe = PROBES[keyOf(r)];
      if (!probe?.replay) continue; // admin-only: no other scope to move to (the coverage test checks this)
      const targets = targetsOf(r, probe);
      if (typeof targets === 'string') throw new Error(targets);
      for (const role of r.roles ?? []) {
        for (const t of targets) {
          const first = callers.find((c) => c.role === role && inScope(c, t) && probe.replay!.eligible(c, t));
          if (!first) continue;
          for (const other of callers.filter((c) => c.role === role && !inScope(c, t))) {
            // One person, two tokens: the same subject, moved to another office or agency.
            const sub = `mx-mover-${randomUUID().slice(0, 8)}`;
            const before = { ...first, sub, token: await h.token(role, { office: first.office, agency: first.agency, sub }) };
            const after = { ...other, sub, token: await h.token(role, { office: other.office, agency: other.agency, sub }) };
            const key = `mx-replay-${randomUUID()}`;
            const body = probe.replay.body?.(before, t) ?? probe.body?.(before, t, true);
            const where = `${keyOf(r)} × ${t.label}: ${first.name} then ${other.name}`;
            await probe.replay.prepare?.(before.token, t);
            const stored = await call(r, { token: before.token, params: t.params, query: t.query, body, headers: { 'Idempotency-Key': key } });
            await probe.replay.undo?.(before.token, t);
            if (stored.status !== probe.replay.status) {
              problems.push(`${where}: the first request got ${stored.status} ${JSON.stringify(stored.body).slice(0, 200)}`);
              continue;
            }
            pairs++;
            const again = await call(r, { token: after.token, params: t.params, query: t.query, body, headers: { 'Idempotency-Key': key } });
            const shown = leaked(again.text ?? '', [...identifiersOf(stored.body), ...secretsFor(other)]);
            if (shown.length) problems.push(`${where}: the repeat shows ${shown.join(', ')} (${again.status})`);
            const outside = probe.outside ?? 'not_found';
            const p = soft(() => (outside === 'forbidden' ? expectError(again, 403, 'forbidden') : expectError(again, 404, 'not_found')));
            if (p) problems.push(`${where}: ${p.slice(0, 240)}`);
          }
        }
      }
    }
    console.log(`[matrix] ${pairs} stored answers repeated under another scope`);
    expect(problems).toEqual([]);
    expect(pairs).toBeGreaterThan(5);
  });
});

describe('tokens', () => {
  async function sign(claims: Record<string, unknown>, opts: { alg?: string; secret?: string; issuer?: string | null; audience?: string | string[] | null; notBefore?: number } = {}) {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
      .setSubject(`mx-token-${randomUUID().slice(0, 6)}`)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600);
    if (opts.issuer !== null) jwt.setIssuer(opts.issuer ?? AUTH.AUTH_ISSUER);
    if (opts.audience !== null) jwt.setAudience(opts.audience ?? AUTH.AUTH_AUDIENCE);
    if (opts.notBefore !== undefined) jwt.setNotBefore(opts.notBefore);
    return jwt.sign(new TextEncoder().encode(opts.secret ?? h.config.auth.jwtSecret!));
  }
  const supervisorAll = () => ({ role: 'supervisor', office: '*' });
  const readCase = (token: string) => h.http.get(`/v1/cases/${world.pick.cases[0]!.id}`).set(bearer(token));

  it('when a token is right in every claim (control), then it reads the case', async () => {
    expect((await readCase(await sign(supervisorAll()))).status).toBe(200);
    // An audience list that includes this API is a token for it too (RFC 7519 §4.1.3).
    expect((await readCase(await sign(supervisorAll(), { audience: ['another-api', AUTH.AUTH_AUDIENCE] }))).status).toBe(200);
  });

  it('when the token was issued by another issuer, for another audience, or names neither, then 401 and nothing of the case', async () => {
    const bad = [
      await sign(supervisorAll(), { issuer: 'https://evil.example/' }),
      await sign(supervisorAll(), { issuer: 'https://idp.homeward.test' }), // no trailing slash: another issuer
      await sign(supervisorAll(), { issuer: null }),
      await sign(supervisorAll(), { audience: 'another-api' }),
      await sign(supervisorAll(), { audience: ['another-api'] }),
      await sign(supervisorAll(), { audience: null }),
    ];
    for (const token of bad) {
      const res = await readCase(token);
      expectError(res, 401, 'unauthenticated');
      expect(leaked(JSON.stringify(res.body), [world.pick.cases[0]!.id, ...world.pick.cases[0]!.names])).toEqual([]);
    }
  });

  it('when the claims name a role that is not a token role, or a role without the office or agency it needs, then 401', async () => {
    const bad = [
      { role: 'system', office: '*' }, // the workflow's actor role, never a caller's
      { role: 'Supervisor', office: '*' },
      { role: ['supervisor'], office: '*' },
      { role: 'supervisor', office: '' },
      { role: 'supervisor', agency: consulateA },
      { role: 'caseworker', agency: consulateA },
      { role: 'agency_officer', office: officeA },
      { role: 'agency_officer', agency: ['x', consulateA] },
    ];
    for (const claims of bad) expectError(await h.http.get('/v1/agencies').set(bearer(await sign(claims))), 401, 'unauthenticated');
  });

  it('when the token is signed with another HMAC algorithm with the right secret, or is not valid yet, then 401', async () => {
    expectError(await readCase(await sign(supervisorAll(), { alg: 'HS512' })), 401, 'unauthenticated');
    expectError(await readCase(await sign(supervisorAll(), { alg: 'HS384' })), 401, 'unauthenticated');
    expectError(await readCase(await sign(supervisorAll(), { notBefore: Math.floor(Date.now() / 1000) + 600 })), 401, 'unauthenticated');
  });

  it('when a valid token travels anywhere but the Authorization header (query string, another header, a cookie), then every endpoint answers 401', async () => {
    const endpoints: Endpoint[] = [
      ...registered().map((r) => ({ method: r.method, path: r.path, roles: r.roles })),
      ...OUTSIDE_REGISTRY.filter((x) => x.roles).map((x) => ({ method: x.method, path: x.path, roles: x.roles })),
    ];
    let checked = 0;
    for (const e of endpoints) {
      const c = callers.find((x) => e.roles?.includes(x.role) && (x.office === '*' || x.role === 'admin' || x.role === 'agency_officer'))!;
      const targets = targetsOf(e, PROBES[keyOf(e)]);
      if (typeof targets === 'string') throw new Error(targets);
      const t = targets.find((x) => inScope(c, x)) ?? targets[0]!;
      const body = PROBES[keyOf(e)]?.body?.(c, t, true) ?? (e.method === 'post' ? {} : undefined);
      const ways: Array<{ query?: Record<string, string>; headers?: Record<string, string>; what: string }> = [
        { what: 'no token', headers: {} },
        { what: '?access_token=', query: { ...t.query, access_token: c.token } },
        { what: '?token=', query: { ...t.query, token: c.token } },
        { what: '?authorization=Bearer', query: { ...t.query, authorization: `Bearer ${c.token}` } },
        { what: 'X-Access-Token', headers: { 'X-Access-Token': c.token } },
        { what: 'Cookie', headers: { Cookie: `access_token=${c.token}; token=${c.token}` } },
      ];
      for (const way of ways) {
        const res = await call(e, { params: t.params, query: way.query ?? t.query, headers: way.headers, body });
        expect(`${keyOf(e)} ${way.what}: ${res.status}`).toBe(`${keyOf(e)} ${way.what}: 401`);
        expectError(res, 401, 'unauthenticated');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
