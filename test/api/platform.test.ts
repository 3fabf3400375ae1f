// Platform endpoints: liveness, readiness against the real servers, and the OpenAPI document that is
// generated from the same zod schemas that validate requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { waitFor } from '../support/drive.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('platform endpoints', () => {
  it('when both dependencies answer and a worker polls the case task queue, then /healthz and /readyz are 200 without a token', async () => {
    expect((await h.http.get('/healthz')).status).toBe(200);
    // The worker's first polls reach the server a moment after it starts.
    const ready = await waitFor('/readyz to be 200', async () => {
      const res = await h.http.get('/readyz');
      return res.status === 200 ? res : undefined;
    }, 30_000, 250);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok', worker: 'ok' } });
  });

  it('when /openapi.json is fetched, then it is OpenAPI 3.1 with every endpoint and the request schemas of the API', async () => {
    const res = await h.http.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const paths = res.body.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>>;
    for (const [path, method] of [
      ['/v1/cases', 'post'],
      ['/v1/cases', 'get'],
      ['/v1/cases/{id}', 'get'],
      ['/v1/cases/{id}/actions', 'post'],
      ['/v1/cases/{id}/actions', 'get'],
      ['/v1/cases/{id}/timeline', 'get'],
      ['/v1/tasks', 'get'],
      ['/v1/tasks/{id}/claim', 'post'],
      ['/v1/tasks/{id}/complete', 'post'],
      ['/v1/approvals/{id}/decision', 'post'],
      ['/v1/agencies', 'post'],
      ['/v1/operations', 'post'],
    ] as const) {
      expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    // Generated, not hand-written: the body schema carries the zod constraints.
    const body = paths['/v1/cases']!.post!.requestBody!.content['application/json']!.schema as {
      required: string[];
      properties: { person: { properties: { nationality: { pattern: string } } } };
      additionalProperties: boolean;
    };
    expect(body.required).toEqual(expect.arrayContaining(['person', 'consulateId']));
    expect(body.properties.person.properties.nationality.pattern).toBe('^[A-Z]{2}$');
    expect(body.additionalProperties).toBe(false);
  });

  it('when an endpoint does not exist, then the error contract answers 404', async () => {
    const res = await h.http.get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', requestId: expect.any(String) });
  });
});
