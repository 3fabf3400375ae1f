// The role × endpoint × scope matrix (issue #8): every endpoint the app serves, called by every role
// with a token of the resource's own office or agency, of another one, and of every office ("*").
// The endpoints come from the route registry (api/http.ts), so a new endpoint is in the matrix as
// soon as it is declared; an endpoint whose path parameters no fixture can fill, or a write without
// a harmless probe, fails the coverage test instead of escaping the matrix. A walk over the app's
// Express router fails on any route served outside the registry but the platform and codec endpoints
// the matrix lists itself (the codec is in the matrix too, with its roles).
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
//
// Who calls, the fixtures, the probes and the runner live in test/security/matrix/, shared with the
// token tests (test/security/tokens.test.ts). The stored-answers test stays in this file: it replays
// the probes on the fixtures as the matrix has left them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../api/middleware/auth.js';
import { expectError } from '../api/support.js';
import { callers } from './matrix/callers.js';
import { OUTSIDE_REGISTRY, coverageProblems, keyOf, registered, targetsOf } from './matrix/endpoints.js';
import { PROBES } from './matrix/probes.js';
import { call, inScope, runMatrix, soft } from './matrix/run.js';
import { leaked, secretsFor } from './matrix/scope.js';
import { h, setUpWorld, tearDownWorld, world } from './matrix/world.js';

beforeAll(setUpWorld, 240_000);
afterAll(tearDownWorld);

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
