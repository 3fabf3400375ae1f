// Platform endpoints without a token: liveness, readiness (PostgreSQL and Temporal), the OpenAPI document.
import { Router } from 'express';
import { sql } from 'drizzle-orm';
import type { ApiDeps } from '../deps.js';
import { registry } from '../http.js';
import { buildOpenApi } from '../openapi.js';

async function probe(fn: () => Promise<unknown>, timeoutMs: number): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

export function platformRouter(deps: ApiDeps): Router {
  const router = Router();
  let openapi: unknown;
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([
      probe(() => deps.db.execute(sql`select 1`), 2_000),
      probe(() => deps.temporal.connection.withDeadline(Date.now() + 2_000, () => deps.temporal.workflowService.getSystemInfo({})), 2_500),
    ]);
    const ready = postgres === 'ok' && temporal === 'ok';
    if (!ready) res.setHeader('Retry-After', '5');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { postgres, temporal } });
  });
  router.get('/openapi.json', (_req, res) => {
    openapi ??= buildOpenApi(registry.filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i));
    res.json(openapi);
  });
  return router;
}
