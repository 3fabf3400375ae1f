// GET /metrics (no token, docs/api.md "Platform"): Prometheus text. What it exports is in
// api/metrics/; it carries counts and route patterns, never ids or personal data.
import { Router } from 'express';
import type { ApiMetrics } from '../metrics/index.js';

export function metricsRouter(metrics: ApiMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.scrape();
    // A scrape is a point in time: no proxy or client may answer the next one from a cache.
    res.setHeader('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  });
  return router;
}
