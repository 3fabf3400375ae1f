// HTTP request durations by route pattern and status. The label is the Express route that matched
// (`/v1/cases/:id`), never the URL: ids and query strings must not become label values, both
// because every new id would be a new series and because a URL can carry a document number.
import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';

/** The one label of every request no route matched: 404s, and answers given before routing (401, 413, 429…). */
export const UNMATCHED_ROUTE = 'unmatched';

// From a cache hit to a case action that waits on its workflow (HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS).
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function httpRequestMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'homeward_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, from arrival until the response is sent',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // The router assigns req.route when a route matches, while req.baseUrl is still the mount path of
    // the router holding it (`/codec`); by the time the response is sent, an error that left that
    // router has restored baseUrl to the parent's. So the pattern is taken at assignment.
    let route: { path?: unknown } | undefined;
    let pattern: string | undefined;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (value: { path?: unknown } | undefined) => {
        route = value;
        if (typeof value?.path === 'string') pattern = `${req.baseUrl}${value.path}`;
      },
    });
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      duration.observe({ method: req.method, route: pattern ?? UNMATCHED_ROUTE, status: String(res.statusCode) }, seconds);
    });
    next();
  };
}
