// Calling: every endpoint, as every caller, on every target, each answer judged by the contract of
// test/security/matrix.test.ts. Problems are collected, not thrown, so a failing run lists every
// broken combination at once.
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { STATUS } from '../../../api/errors.js';
import type { ErrorCode } from '../../../domain/errors.js';
import { bearer, expectError } from '../../api/support.js';
import { type Caller, callers } from './callers.js';
import { type Endpoint, keyOf, targetsOf } from './endpoints.js';
import { type Probe, type Target, itemIds, ok200 } from './probes.js';
import { leaked, secretsFor, seesHook, seesOffice, seesTask } from './scope.js';
import { h } from './world.js';

function fill(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:([A-Za-z_]+)/g, (_m, p: string) => {
    const v = params[p];
    if (v === undefined) throw new Error(`no value for :${p} in ${path}`);
    return encodeURIComponent(v);
  });
}

export async function call(e: Endpoint, req: { token?: string; params?: Record<string, string>; query?: Record<string, string>; body?: unknown; headers?: Record<string, string> }) {
  const url = fill(e.path, req.params);
  let r = e.method === 'get' ? h.http.get(url) : e.method === 'delete' ? h.http.delete(url) : h.http.post(url);
  if (req.token) r = r.set(bearer(req.token));
  if (req.headers) r = r.set(req.headers);
  if (req.query) r = r.query(req.query);
  return req.body === undefined ? await r : await r.send(req.body as object);
}

/** Runs an assertion of the API tests and returns its message instead of throwing. */
export function soft(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

export function inScope(c: Caller, t: Target): boolean {
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

export async function runMatrix(endpoints: Array<{ e: Endpoint; probe?: Probe }>): Promise<Tally> {
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
