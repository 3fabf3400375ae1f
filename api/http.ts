// Route declarations that serve twice: as Express handlers (validating params, query and body with
// their zod schemas before the handler runs) and as the source of the generated OpenAPI document.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { type Auth, type Role, authOf } from './middleware/auth.js';
import { ApiError } from './errors.js';
import { parse } from './validate.js';

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'get' | 'post';
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed; undefined = no token needed (platform endpoints). */
  roles?: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  success: { status: number; description: string };
  handler: (ctx: {
    auth: Auth;
    params: z.infer<P>;
    query: z.infer<Q>;
    body: z.infer<B>;
    req: Request;
    res: Response;
  }) => Promise<unknown>;
}

// Loosely typed on purpose: the registry only needs the schemas, not their inferred types.
export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;
export const registry: AnyRoute[] = [];

export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(router: Router, spec: RouteSpec<P, Q, B>): void {
  registry.push(spec as unknown as AnyRoute);
  router[spec.method](spec.path, async (req, res) => {
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
    const result = await spec.handler({ auth, params, query, body, req, res } as never);
    if (res.headersSent) return;
    if (result instanceof Reply) {
      res.status(result.status).json(result.body);
      return;
    }
    res.status(spec.success.status).json(result);
  });
}

/** For handlers that choose their status at run time (e.g. an idempotent replay). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}
