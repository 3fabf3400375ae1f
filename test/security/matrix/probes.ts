// How the matrix calls each endpoint, and what an allowed role in scope must get from it. A write
// is called with every token, so its probe names a request that changes no fixture in scope (a body
// that fails validation, a step the case refuses, something new, a claim given back at once); the
// matrix checks afterwards that no fixture changed.
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { personBody } from '../../support/harness.js';
import { bearer, uniqueDocNumber } from '../../api/support.js';
import { type Caller, consulateA, consulateB, officeA, officeB } from './callers.js';
import { officeRoles, seesHook } from './scope.js';
import { type ApprovalFx, type CaseFx, type HookFx, type TaskFx, h, hooks, webhookBody, world } from './world.js';

const NO_SUCH_CONSULATE = 'mx-no-such-consulate';
const PROBE = 'matrix probe';

export type Kind = 'case' | 'task' | 'approval' | 'operation' | 'office' | 'webhook' | 'none';

export interface Target {
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
export interface Inside {
  status: number;
  because?: string;
}

export interface Probe {
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

export const ok200: Inside = { status: 200 };
const live = (t: TaskFx) => t.status === 'open' || t.status === 'claimed';
/** Seeing a task is not working it: the task's audience decides who may claim, complete and reject it. */
const works = (c: Caller, t: TaskFx) =>
  t.audience === 'agency' ? c.role === 'agency_officer' && c.agency === t.agencyId : t.audience === 'supervisor' ? c.role === 'supervisor' : officeRoles(c);
const AUDIENCE = 'the task is for another audience (seeing is not working)';

export const itemIds = (res: Response) => ((res.body as { items?: Array<{ id: string }> }).items ?? []).map((i) => i.id);

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
export const PARAM_FIXTURES: Record<string, () => Target[]> = {
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
export const PROBES: Record<string, Probe> = {
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
    body: (_c, t) => webhookBody(t.hook!),
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
