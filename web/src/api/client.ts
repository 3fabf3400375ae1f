// The typed API client: openapi-fetch over the types generated from /openapi.json (schema.d.ts,
// `npm run gen:web-api`). Every request carries the session's bearer token; an error answer becomes
// an ApiError with the contract's code, message and details (docs/api.md "Errors").
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { storedToken } from '../auth/session';

export type Schemas = components['schemas'];
export type Case = Schemas['Case'];
export type CaseSummary = Schemas['CaseSummary'];
export type Task = Schemas['Task'];
export type Approval = Schemas['Approval'];
export type TimelineEntry = Schemas['TimelineEntry'];
export type Stats = Schemas['Stats'];
export type Operation = Schemas['Operation'];
export type BulkActionStatus = Schemas['BulkActionStatus'];

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  /** 400 validation_failed: each field's message by its dotted path. */
  get fields(): Record<string, string> {
    if (this.code !== 'validation_failed' || !Array.isArray(this.details)) return {};
    return Object.fromEntries((this.details as FieldIssue[]).map((d) => [d.path, d.message]));
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = storedToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: location.origin });
api.use(auth);

/** The data of an openapi-fetch answer, or its error thrown as an ApiError. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const e = (error as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (response.status === 401) window.dispatchEvent(new Event('homeward:unauthenticated'));
    throw new ApiError(response.status, e?.code ?? 'internal', e?.message ?? response.statusText, e?.details);
  }
  return data as T;
}

/** A fresh Idempotency-Key per user intent: a retried click never acts twice (docs/api.md "Retries"). */
export const idempotencyKey = () => crypto.randomUUID();
