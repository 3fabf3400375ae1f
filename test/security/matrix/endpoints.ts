// The endpoints the matrix calls: those of the route registry (api/http.ts), so a new endpoint is in
// the matrix as soon as it is declared, and the few the app serves outside it. The coverage rules
// make an endpoint the matrix cannot call properly fail a test instead of escaping the matrix.
import { type AnyRoute, registry } from '../../../api/http.js';
import type { Role } from '../../../api/middleware/auth.js';
import { callerSpecs } from './callers.js';
import { PARAM_FIXTURES, PROBES, type Probe, type Target, ok200 } from './probes.js';

/**
 * Endpoints the app serves that are not route() declarations, and so not in the registry. The route
 * walk of test/security/matrix.test.ts fails on any other; these are called by the matrix with the
 * roles declared here.
 */
export const OUTSIDE_REGISTRY: Array<{ method: 'get' | 'post'; path: string; roles?: readonly Role[]; probe?: Probe }> = [
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

export interface Endpoint {
  method: 'get' | 'post' | 'delete';
  path: string;
  roles?: readonly Role[];
}

export const keyOf = (e: { method: string; path: string }) => `${e.method.toUpperCase()} ${e.path}`;

/** The registry as the app built it (one entry per endpoint; each createApp call declares them again). */
export function registered(): AnyRoute[] {
  return registry.filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i);
}

function paramKeys(path: string): string[] {
  return [...path.matchAll(/([^/]+)\/:([A-Za-z_]+)/g)].map((m) => `${m[1]}/:${m[2]}`);
}

/** The targets of an endpoint, or why it has none (which fails the coverage test). */
export function targetsOf(e: Endpoint, probe: Probe | undefined): Target[] | string {
  const params = [...e.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
  if (probe?.targets) return probe.targets();
  if (params.length === 0) return [{ label: '-', kind: 'none' }];
  const keys = paramKeys(e.path);
  if (keys.length !== 1 || params.length !== 1) return `no fixture fills the parameters ${params.map((p) => `:${p}`).join(', ')} (add one to PARAM_FIXTURES or a probe with targets)`;
  const fill = PARAM_FIXTURES[keys[0]!];
  return fill ? fill() : `no fixture fills ${keys[0]} (add one to PARAM_FIXTURES)`;
}

export function coverageProblems(): string[] {
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
