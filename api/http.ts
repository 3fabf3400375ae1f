// Route declarations that serve twice: as Express handlers (validating params, query and body with
// their zod schemas before the handler runs) and as the source of the generated OpenAPI document.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { type Auth, type Role, authOf } from './middleware/auth.js';
import { ApiError } from './errors.js';
import { jsonIssues, refuse } from './middleware/storable-input.js';
import { type AccessLog, accessLogUnavailable } from './access-log.js';
import type { AccessWhat } from '../db/schema/index.js';
import type { ErrorCode } from '../domain/errors.js';
import { type IdempotencyMode, type IdempotencyStore, idempotencyKeyOf, requestFingerprint, updateIdFor } from './idempotency.js';
import { idempotencyKeyHeader } from './schemas.js';
import { parse } from './validate.js';

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed; undefined = no token needed (platform endpoints). */
  roles?: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  /**
   * How a repeated Idempotency-Key is honoured (api/idempotency.ts): `join` passes the handler an
   * update id, `replay` stores the answer, `custom` hands the key to a handler that keeps its own record.
   */
  idempotency?: IdempotencyMode | 'custom';
  /**
   * The answer, with the schema it has: the OpenAPI document shows it, and the contract test parses
   * real answers with it (test/api/openapi-contract.test.ts). Schemas live in api/responses/.
   */
  success: {
    status: number;
    description: string;
    schema: z.ZodType;
    /** The media type of `schema` when it is not JSON (a streamed CSV export). */
    contentType?: string;
    /** Further media types the same answer comes in (chosen by a query parameter), each with its schema. */
    alternatives?: Record<string, z.ZodType>;
  };
  /**
   * Error codes this route can answer besides those every route of its kind can (api/openapi/errors.ts
   * derives those from roles, params, body and idempotency).
   */
  errors?: readonly ErrorCode[];
  /**
   * The body as the document shows it, when the schema that parses it is looser on purpose (a task's
   * result is checked against its type's schema by the service, once the task is known).
   */
  bodyDoc?: z.ZodType;
  /**
   * For responses that carry a person's data: what they show and of which cases. Each success is
   * written to the access log before it is sent, and not sent if that fails (api/access-log.ts).
   */
  access?: { what: AccessWhat; caseIds: (body: never, params: never) => string[] };
  /**
   * A stored answer (replay mode) shown as the caller may see it now, not as it was then: e.g. a
   * task's inputs once consent was withdrawn.
   */
  asSeenNow?: (auth: Auth, body: never) => Promise<unknown>;
  handler: (ctx: {
    auth: Auth;
    params: z.infer<P>;
    query: z.infer<Q>;
    body: z.infer<B>;
    req: Request;
    res: Response;
    /** The checked Idempotency-Key (custom mode). */
    idempotencyKey?: string;
    /** The case update id derived from the Idempotency-Key (join mode). */
    updateId?: string;
  }) => Promise<unknown>;
}

const KEY_HEADER = { schema: idempotencyKeyHeader, description: 'a repeat with the same key and request gets the first answer and applies nothing twice' };

// Loosely typed on purpose: the registry only needs the schemas, not their inferred types.
export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;
export const registry: AnyRoute[] = [];

export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(router: Router, spec: RouteSpec<P, Q, B>): void {
  if (spec.idempotency) spec.headers = { 'Idempotency-Key': KEY_HEADER, ...spec.headers };
  registry.push(spec as unknown as AnyRoute);
  router[spec.method](spec.path, async (req, res) => {
    // The rest of the request was checked before routing (api/middleware/storable-input.ts).
    const paramIssues = jsonIssues(req.params);
    if (paramIssues.length > 0) refuse(paramIssues);
    const auth = spec.roles ? authOf(res) : (undefined as unknown as Auth);
    if (spec.roles && !spec.roles.includes(auth.role)) {
      throw new ApiError('forbidden', `this needs the role ${spec.roles.join(' or ')}`);
    }
    const params = spec.params ? parse(spec.params, req.params) : {};
    const query = spec.query ? parse(spec.query, req.query ?? {}) : {};
    let body: unknown = undefined;
    if (spec.body) {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
        throw new ApiError('validation_failed', 'the request is invalid', [{ path: '(root)', message: 'expected a JSON object body (Content-Type: application/json)' }]);
      }
      body = parse(spec.body, req.body);
    }
    const key = spec.idempotency ? idempotencyKeyOf(req) : undefined;
    const store = req.app.locals.idempotency as IdempotencyStore;
    const logged = async (status: number, body: unknown) => {
      if (!spec.access || status < 200 || status >= 300) return;
      try {
        await (req.app.locals.accessLog as AccessLog).record({
          auth,
          requestId: String(res.locals.requestId),
          what: spec.access.what,
          caseIds: spec.access.caseIds(body as never, params as never),
        });
      } catch (err) {
        // Fail closed: data nobody can account for is not served.
        throw Object.assign(accessLogUnavailable({ write: spec.method !== 'get', keyed: key !== undefined }), { cause: err });
      }
    };
    if (key && spec.idempotency === 'replay') {
      const first = await store.begin(auth.sub, key, requestFingerprint(req));
      if (first) {
        const body = spec.asSeenNow ? await spec.asSeenNow(auth, first.body as never) : first.body;
        await logged(first.status, body);
        res.status(first.status).json(body);
        return;
      }
    }
    if (key && spec.idempotency === 'join') {
      // Only the fingerprint is kept: a different request under the same key must not join this update.
      await store.begin(auth.sub, key, requestFingerprint(req));
    }
    const updateId = key && spec.idempotency === 'join' ? updateIdFor(auth.sub, key) : undefined;
    const result = await spec.handler({ auth, params, query, body, req, res, idempotencyKey: key, updateId } as never);
    if (res.headersSent) return;
    const reply = result instanceof Reply ? result : new Reply(spec.success.status, result);
    if (key && spec.idempotency === 'replay') await store.remember(auth.sub, key, reply.status, reply.body);
    await logged(reply.status, reply.body);
    res.status(reply.status).json(reply.body);
  });
}

/** For handlers that choose their status at run time (e.g. an idempotent replay). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}
