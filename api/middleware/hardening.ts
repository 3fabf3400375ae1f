// The HTTP edge's hardening (issue #8): security headers, no caching of anything that may carry a
// person's data, and rate limits: per IP for callers without a valid token, per token subject for
// the rest. Wired in api/app.ts before any body is read.
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { ApiError, errorBody } from '../errors.js';
import { authOf } from './auth.js';

/**
 * helmet's defaults: CSP, HSTS, nosniff, frame and referrer policies, no X-Powered-By. The web
 * console's scripts are files of our own (script-src 'self'); it may also call `connectSrc` (the
 * OpenID Connect issuer's discovery and token endpoints).
 */
export function securityHeaders(opts: { connectSrc?: string[] } = {}): RequestHandler {
  if (!opts.connectSrc?.length) return helmet();
  return helmet({ contentSecurityPolicy: { directives: { connectSrc: ["'self'", ...opts.connectSrc] } } });
}

/** Neither browsers nor proxies may keep a copy: names, documents and whereabouts of people at risk. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

function tooMany(message: string) {
  return (req: Request, res: Response) => {
    const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retry = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
    res.setHeader('Retry-After', String(retry));
    res.status(429).json(errorBody(new ApiError('rate_limited', message), String(res.locals.requestId)));
  };
}

/**
 * Callers without a verified token (api/middleware/auth.ts identify) share a budget per IP address
 * (IPv6 per /56), whatever they call: token guessing, floods of unauthenticated bodies, probes.
 * A caller with a valid token is never counted here, so one noisy client behind an office's NAT
 * does not lock its colleagues out. /healthz is left out: it costs no more than a 429 would, and a
 * refused liveness probe gets a healthy process restarted.
 */
export function anonymousRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (req, res) => res.locals.auth !== undefined || req.path === '/healthz',
    handler: tooMany('too many requests without a valid token from your address; slow down'),
  });
}

/** Authenticated callers: a budget per token subject (RATE_LIMIT_PER_MINUTE). */
export function subjectRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => authOf(res).sub,
    handler: tooMany('too many requests; slow down'),
  });
}
