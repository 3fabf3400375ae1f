// The OpenAPI document of GET /openapi.json, built from the route registry without a server:
// createApp declares the routes; nothing is connected or called. For `npm run gen:web-api` and tests.
import { loadConfig } from '../config/index.js';
import { createApp } from '../api/app.js';
import type { ApiDeps } from '../api/deps.js';
import { registry } from '../api/http.js';
import { buildOpenApi } from '../api/openapi.js';

export function openApiDocument() {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const noop = () => {};
  createApp({ config, db: {}, temporal: { connection: {}, options: {} }, hasher: {}, logger: { info: noop, warn: noop, error: noop } } as unknown as ApiDeps);
  const seen = new Set<string>();
  return buildOpenApi(registry.filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`)));
}
