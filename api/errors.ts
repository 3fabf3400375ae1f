// The one HTTP error contract (docs/api.md "Errors"). Services throw (ApiError, DomainError, zod,
// Temporal or pg errors); this module alone decides the status and the body. A 500 never carries
// internals.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import { TemporalFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { DomainError, type ErrorCode, fieldIssues } from '../domain/errors.js';
import { caseRefusal } from '../temporal/case-update.js';
import type { Logger } from './logger.js';

export const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_transition: 409,
  duplicate_person: 409,
  conflict: 409,
  version_mismatch: 412,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class ApiError extends DomainError {
  constructor(
    code: ErrorCode,
    message: string,
    details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message, details);
    this.name = 'ApiError';
  }
}

export const notFound = (what = 'resource') => new ApiError('not_found', `no such ${what}`);
export const forbidden = (message = 'your role does not allow this') => new ApiError('forbidden', message);
/**
 * A dependency did not answer. Said without claiming that nothing changed, which only the caller of
 * a specific step can know (services/case-update.ts says so where it is certain).
 */
export const unavailable = (what: string, keyed = false, state = 'is unavailable') =>
  new ApiError(
    'unavailable',
    keyed ? `${what} ${state}; retry later with the same Idempotency-Key` : `${what} ${state}; retry later`,
    keyed ? { retry: 'same_idempotency_key' } : undefined,
    5,
  );

// gRPC codes meaning "the server could not be reached, did not answer in time, or cannot act now"
// (FAILED_PRECONDITION: a workflow task in failed state, which a retry later gets past).
const GRPC_UNAVAILABLE = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */, 8 /* RESOURCE_EXHAUSTED */, 9 /* FAILED_PRECONDITION */]);
// Node socket errors and PostgreSQL's "cannot connect now"/"shutting down"/"too many connections".
const PG_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300', '08006', '08001', '08004']);

type Cause = { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };

/** Whether `err` or any error in its `cause` chain passes `test` (drivers wrap what they catch). */
function inCauseChain(err: unknown, test: (e: Cause) => boolean): boolean {
  for (let e = err as Cause | null | undefined; e && typeof e === 'object'; e = e.cause as Cause | undefined) {
    if (test(e)) return true;
  }
  return false;
}

const isPgDown = (err: unknown) =>
  inCauseChain(err, (e) => (typeof e.code === 'string' && PG_DOWN_CODES.has(e.code)) || (typeof e.message === 'string' && /Connection terminated|connection timeout|not queryable/i.test(e.message)));

/**
 * pg-pool's own refusal: every connection of this process stayed in use for the whole wait (it says
 * so only when the pool is full; a server that does not answer fails the connect itself). PostgreSQL
 * is up, and an operator paged for it should hear "busy", not "down".
 */
const isPoolBusy = (err: unknown) => inCauseChain(err, (e) => e.message === 'timeout exceeded when trying to connect');

const isTemporalDown = (err: unknown) => inCauseChain(err, (e) => (isGrpcServiceError(e) ? GRPC_UNAVAILABLE.has(e.code) : e.name === 'TransportError'));

/** Translates anything thrown into the error contract's code, message and details. */
export function toApiError(err: unknown, opts: { keyed?: boolean } = {}): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DomainError) return new ApiError(err.code, err.message, err.details);
  if (err instanceof ZodError) return new ApiError('validation_failed', 'the request is invalid', fieldIssues(err.issues));
  if (err instanceof WorkflowUpdateFailedError) {
    const refusal = caseRefusal(err);
    if (refusal) return new ApiError(refusal.code, refusal.message, refusal.details);
    return new ApiError('internal', 'the case could not take this step');
  }
  if (err instanceof WorkflowNotFoundError) return new ApiError('not_found', 'no such case');
  if (err instanceof TemporalFailure && err.cause) return toApiError(err.cause, opts);
  if (isTemporalDown(err)) return unavailable('Temporal', opts.keyed);
  if (isPoolBusy(err)) return unavailable('PostgreSQL', opts.keyed, 'is busy: every connection of this server is in use');
  if (isPgDown(err)) return unavailable('PostgreSQL', opts.keyed);
  const body = err as { type?: string; status?: number } | null;
  if (body?.type === 'entity.too.large') return new ApiError('payload_too_large', 'the request body is too large');
  if (body?.type === 'entity.parse.failed') {
    return new ApiError('validation_failed', 'the request body is not valid JSON', [{ path: '(root)', message: 'malformed JSON' }]);
  }
  // The router's own param decoding (the edge refuses bad escapes first; this is the fallback).
  if (err instanceof URIError) {
    return new ApiError('validation_failed', 'the request URL is invalid', [{ path: '(path)', message: 'malformed percent-encoding' }]);
  }
  if (body?.type === 'charset.unsupported' || body?.type === 'encoding.unsupported') {
    return new ApiError('validation_failed', 'unsupported body encoding', [{ path: '(root)', message: 'use UTF-8 JSON' }]);
  }
  // Any other client error of the body reader (http-errors marks those `expose`): a body that does not
  // inflate under its Content-Encoding, a Content-Length that does not match. The caller's fault, not ours.
  const clientError = err as { status?: unknown; expose?: unknown } | null;
  if (typeof clientError?.status === 'number' && clientError.status >= 400 && clientError.status < 500 && clientError.expose === true) {
    return new ApiError('validation_failed', 'the request body could not be read', [{ path: '(root)', message: 'check Content-Encoding and Content-Length' }]);
  }
  return new ApiError('internal', 'an internal error occurred');
}

export function errorBody(err: ApiError, requestId: string) {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details !== undefined && err.details !== null ? { details: err.details } : {}),
      requestId,
    },
  };
}

/**
 * What of an error may be logged. drizzle's query errors carry the statement's parameters (a case
 * snapshot: names, document numbers) in `params`, in `message` and in `stack`; log the statement
 * and the driver's SQLSTATE only. Other errors pass unchanged.
 */
export function loggableError(err: unknown): unknown {
  const e = err as { query?: unknown; params?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object' || typeof e.query !== 'string' || !('params' in e)) return err;
  const cause = (e.cause ?? {}) as { code?: string; constraint?: string; table?: string; column?: string; routine?: string };
  return {
    type: 'DrizzleQueryError',
    message: `query failed${cause.code ? ` (SQLSTATE ${cause.code})` : ''}; parameters withheld`,
    query: e.query,
    code: cause.code,
    constraint: cause.constraint,
    table: cause.table,
    column: cause.column,
    routine: cause.routine,
  };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err, { keyed: req.get('Idempotency-Key') !== undefined });
    const requestId = String(res.locals.requestId ?? 'unknown');
    const safe = loggableError(err);
    if (apiError.code === 'internal') logger.error({ err: safe, requestId, path: req.path }, 'unhandled error');
    else if (apiError.code === 'unavailable') logger.warn({ requestId, path: req.path, reason: (safe as Error)?.message }, 'dependency unavailable');
    if (apiError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(apiError.retryAfterSeconds));
    res.status(STATUS[apiError.code]).json(errorBody(apiError, requestId));
  };
}

/**
 * Requests Node's HTTP parser refuses before Express sees them (a NUL or another control character
 * in a header, a malformed request line) get the error contract too, instead of Node's bare
 * `400 Bad Request` without a body. Oversized headers and timeouts keep Node's own statuses.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (err: Error & { code?: string; reason?: string }, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_HEADER_OVERFLOW' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end(`HTTP/1.1 ${err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '408 Request Timeout'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const where = /HEADER/.test(err.code ?? '') ? '(headers)' : '(request)';
    // llhttp's reason is a fixed phrase ("Invalid header value char"), nothing of the request itself.
    const reason = typeof err.reason === 'string' && /^[\x20-\x7e]{1,100}$/.test(err.reason) ? err.reason : 'malformed HTTP request';
    const requestId = randomUUID();
    const body = JSON.stringify(errorBody(new ApiError('validation_failed', 'the HTTP request is malformed', [{ path: where, message: reason }]), requestId));
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
