// OpenAPI 3.1, generated from the route declarations (api/http.ts) and their zod schemas: what each
// endpoint accepts (the schemas that validate requests) and what it answers (api/responses/, the
// schemas the contract test parses real answers with), so the document cannot drift from the code.
// Adding an endpoint is one route() block with its response schema; nothing here changes.
import { z } from 'zod';
import { type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, createDocument } from 'zod-openapi';
import type { AnyRoute } from './http.js';
import { errorCodesOf, errorResponses } from './openapi/errors.js';
import { platformPaths } from './openapi/platform.js';

function operationOf(r: AnyRoute): ZodOpenApiOperationObject {
  const headerShape = Object.fromEntries(Object.entries(r.headers ?? {}).map(([name, h]) => [name, h.schema.optional().describe(h.description)]));
  return {
    summary: r.summary,
    tags: [r.tag],
    ...(r.roles ? { security: [{ bearer: [] }], description: `Roles: ${r.roles.join(', ')}` } : {}),
    requestParams: {
      ...(r.params ? { path: r.params as z.ZodObject } : {}),
      ...(r.query ? { query: r.query as z.ZodObject } : {}),
      ...(r.headers ? { header: z.object(headerShape) } : {}),
    },
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.bodyDoc ?? r.body } } } } : {}),
    responses: {
      [String(r.success.status)]: {
        description: r.success.description,
        content: {
          [r.success.contentType ?? 'application/json']: { schema: r.success.schema },
          ...Object.fromEntries(Object.entries(r.success.alternatives ?? {}).map(([type, schema]) => [type, { schema }])),
        },
      },
      ...errorResponses(errorCodesOf(r)),
    },
  };
}


export function buildOpenApi(routes: AnyRoute[]) {
  const paths: ZodOpenApiPathsObject = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    (paths[path] ??= {})[r.method] = operationOf(r);
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Homeward API',
      version: '1.0.0',
      description:
        'Case workflows that bring people rescued from overseas fraud compounds home. Every /v1 request carries a bearer JWT; ' +
        'every error has the shape `{ error: { code, message, details?, requestId } }`. Examples use invented people only.',
    },
    tags: [
      { name: 'cases', description: 'open, list, read and act on cases; their timeline and access log' },
      { name: 'tasks', description: 'the inboxes of agencies, supervisors and caseworkers' },
      { name: 'approvals', description: "a supervisor's decisions" },
      { name: 'agencies', description: 'consulates, the immigration authority, employment services' },
      { name: 'supervision', description: 'statistics' },
      { name: 'operations', description: 'mass rescue operations' },
      { name: 'notifications', description: 'webhooks: signed deliveries of case events to agencies and offices' },
      { name: 'retention', description: 'retention, legal holds and erasure (admins)' },
      { name: 'platform', description: 'health, readiness, this document and the Temporal UI codec' },
    ],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths: { ...paths, ...platformPaths },
  });
}
