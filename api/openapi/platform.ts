// The endpoints that are not /v1 route declarations (api/http.ts), described by hand next to the
// schemas of their answers: liveness, readiness, this document, its reference page and the codec.
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { payloadsSchema } from '../routes/codec.js';
import { codecAnswerSchema, healthSchema, notReadySchema, readySchema } from '../responses/platform.js';
import { errorCodesOf, errorResponses } from './errors.js';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

// What any caller without a token can meet: the edge's checks, the per-address limit, a fault of ours.
const ANONYMOUS = ['validation_failed', 'rate_limited', 'internal'] as const;

const codec = (op: 'decode' | 'encode') => ({
  post: {
    summary: op === 'decode' ? 'Decrypt payloads for the Temporal UI and CLI' : 'Encrypt payloads for the Temporal UI and CLI',
    description: "Temporal's remote codec protocol. Roles: supervisor, admin. CORS only for the configured Temporal UI origin.",
    tags: ['platform'],
    security: [{ bearer: [] }],
    requestParams: { header: z.object({ 'X-Namespace': z.string().optional().describe('the Temporal namespace, for the log') }) },
    requestBody: json(payloadsSchema),
    responses: {
      '200': { description: `the payloads, ${op}d`, ...json(codecAnswerSchema) },
      ...errorResponses(
        errorCodesOf({ roles: ['supervisor', 'admin'], body: payloadsSchema }).filter((c) => c !== 'not_found' && c !== 'idempotency_key_reused' && c !== 'unavailable'),
      ),
    },
  },
});

export const platformPaths: ZodOpenApiPathsObject = {
  '/healthz': {
    get: {
      summary: 'Liveness: the process serves HTTP',
      tags: ['platform'],
      // Never rate limited: a refused liveness probe gets a healthy process restarted.
      responses: { '200': { description: 'alive', ...json(healthSchema) }, ...errorResponses(['validation_failed', 'internal']) },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: PostgreSQL and Temporal answer and a worker polls the case task queue',
      tags: ['platform'],
      responses: {
        '200': { description: 'an action sent now would be carried out now', ...json(readySchema) },
        '503': {
          description: 'not ready; see reasons',
          headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } },
          ...json(notReadySchema),
        },
        ...errorResponses(ANONYMOUS),
      },
    },
  },
  '/openapi.json': {
    get: {
      summary: 'This document (OpenAPI 3.1, generated from the zod schemas)',
      tags: ['platform'],
      responses: { '200': { description: 'the document', ...json(z.looseObject({ openapi: z.string() })) }, ...errorResponses(ANONYMOUS) },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics: requests by route, process, case workload, and the worker when merged',
      tags: ['platform'],
      responses: {
        '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
        ...errorResponses(ANONYMOUS),
      },
    },
  },
  '/docs': {
    get: {
      summary: 'The API reference page (Swagger UI) for this document',
      tags: ['platform'],
      responses: { '200': { description: 'an HTML page', content: { 'text/html': { schema: z.string() } } }, ...errorResponses(ANONYMOUS) },
    },
  },
  '/codec/decode': codec('decode'),
  '/codec/encode': codec('encode'),
};
