// Platform endpoints without a token: liveness, readiness (PostgreSQL, Temporal and a worker polling
// the case task queue), the OpenAPI document.
import { Router } from 'express';
import { sql } from 'drizzle-orm';
import type { ApiDeps } from '../deps.js';
import { registry } from '../http.js';
import { buildOpenApi } from '../openapi.js';
import { type QueuePollers, describePollers, judgeWorkers } from '../../temporal/pollers.js';

const PROBE_TIMEOUT_MS = 2_000;
// Load balancers and orchestrators probe every few seconds, from every instance; the answer is kept
// this long so that readiness costs PostgreSQL and Temporal at most one round of calls per period.
const READY_CACHE_MS = 2_000;

type Check = 'ok' | 'down';

interface Readiness {
  ready: boolean;
  checks: { postgres: Check; temporal: Check; worker: Check | 'unknown' };
  /** What is not ready, for the operator reading the 503. */
  reasons: string[];
}

async function withTimeout<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function assess(deps: ApiDeps): Promise<Readiness> {
  const { taskQueue } = deps.config.temporal;
  const [postgres, pollers] = await Promise.all([
    withTimeout(() => deps.db.execute(sql`select 1`), PROBE_TIMEOUT_MS).then(
      () => 'ok' as const,
      () => 'down' as const,
    ),
    withTimeout(() => describePollers(deps.temporal.connection, deps.temporal.options.namespace, taskQueue, PROBE_TIMEOUT_MS), PROBE_TIMEOUT_MS + 500).then(
      (p): QueuePollers | undefined => p,
      () => undefined,
    ),
  ]);
  const reasons: string[] = [];
  if (postgres === 'down') reasons.push('postgres: PostgreSQL does not answer');
  let temporal: Check = 'ok';
  let worker: Check | 'unknown' = 'unknown';
  if (!pollers) {
    temporal = 'down';
    reasons.push('temporal: the Temporal server does not answer, so whether a worker polls is unknown');
  } else {
    const verdict = judgeWorkers(pollers, taskQueue, deps.config.workerPollMaxAgeMs);
    worker = verdict.ok ? 'ok' : 'down';
    if (verdict.reason) reasons.push(`worker: ${verdict.reason}`);
  }
  return { ready: reasons.length === 0, checks: { postgres, temporal, worker }, reasons };
}

export function platformRouter(deps: ApiDeps): Router {
  const router = Router();
  let openapi: unknown;
  // One assessment at a time, shared by concurrent probes, and reused until it is READY_CACHE_MS old.
  let current: { answer: Promise<Readiness>; expiresAt: number } | undefined;
  const readiness = (): Promise<Readiness> => {
    if (current && Date.now() < current.expiresAt) return current.answer;
    const entry = { answer: assess(deps), expiresAt: Number.POSITIVE_INFINITY };
    const settled = () => {
      entry.expiresAt = Date.now() + READY_CACHE_MS;
    };
    void entry.answer.then(settled, settled);
    current = entry;
    return entry.answer;
  };

  // Liveness: the process serves HTTP. Never depends on anything else, so a Temporal or worker outage
  // does not get a healthy API restarted.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: an action sent now would be carried out now.
  router.get('/readyz', async (_req, res) => {
    const { ready, checks, reasons } = await readiness();
    if (!ready) res.setHeader('Retry-After', '5');
    res.status(ready ? 200 : 503).json(ready ? { status: 'ready', checks } : { status: 'unavailable', checks, reasons });
  });
  router.get('/openapi.json', (_req, res) => {
    openapi ??= buildOpenApi(registry.filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i));
    res.json(openapi);
  });
  return router;
}
