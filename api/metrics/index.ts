// The API's Prometheus metrics: the Node process, HTTP requests by route, the domain gauges counted
// in PostgreSQL, and (when HOMEWARD_METRICS_MERGE_URL is set) the worker's Temporal SDK metrics.
// Each app has a registry of its own (tests build several apps in one process); the process
// metrics are the process's, collected once.
import type { RequestHandler } from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiDeps } from '../deps.js';
import { domainMetrics } from './domain.js';
import { httpRequestMetrics } from './http.js';
import { mergedSource } from './merge.js';

let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface ApiMetrics {
  /** Times every request; mounted before anything else can answer. */
  http: RequestHandler;
  /** One scrape: Prometheus text and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function createApiMetrics(deps: Pick<ApiDeps, 'config' | 'db' | 'logger'>): ApiMetrics {
  const registry = new Registry();
  const http = httpRequestMetrics(registry);
  const domain = domainMetrics(deps.db, registry, deps.config.metrics.cacheMs, deps.logger);
  const merged = deps.config.metrics.mergeUrl ? mergedSource(deps.config.metrics.mergeUrl, registry) : undefined;
  const ends = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);
  return {
    http,
    async scrape() {
      // A family declared twice would invalidate the whole scrape: the worker's text leaves out ours.
      const ours = new Set([...processMetrics().getMetricsAsArray(), ...registry.getMetricsAsArray()].map((m) => m.name).concat(domain.families));
      // The sources first: their outcome is reported by gauges of `registry`, read after them.
      const [domainText, mergedText] = await Promise.all([domain.text(), merged?.text(ours) ?? '']);
      const body = ends(await processMetrics().metrics()) + ends(await registry.metrics()) + ends(domainText) + mergedText;
      return { contentType: registry.contentType, body };
    },
  };
}
