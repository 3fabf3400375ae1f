// Bearer JWT authentication (HS256 shared secret in development, a JWKS URL in production) and the
// caller's identity: sub, role, office (caseworkers, supervisors; "*" = all) and agency (officers).
import type { RequestHandler } from 'express';
import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';
import { storable } from '../../domain/schemas.js';
import { ApiError } from '../errors.js';
import { type VerifiedTokens, verifiedTokens } from './verified-tokens.js';

export const ROLES = ['caseworker', 'agency_officer', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// Claims end up in the read model (actor, claimedBy, office), so they must be storable text too.
const claim = () => storable(z.string().min(1));
const claimsSchema = z.discriminatedUnion('role', [
  z.object({ sub: claim(), role: z.literal('caseworker'), office: claim().refine((o) => o !== '*', 'a caseworker works for one office') }),
  z.object({ sub: claim(), role: z.literal('supervisor'), office: claim() }),
  z.object({ sub: claim(), role: z.literal('agency_officer'), agency: claim() }),
  z.object({ sub: claim(), role: z.literal('admin'), office: storable(z.string()).optional() }),
]);
export type Auth = z.infer<typeof claimsSchema>;

export interface AuthConfig {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

/**
 * Verifies a bearer token: the caller's claims, or an ApiError('unauthenticated'). A token verified
 * before is answered from `verified` until its exp (api/middleware/verified-tokens.ts); `now` is the
 * clock both the cache and the exp check read.
 */
export function bearerVerifier(
  config: AuthConfig,
  opts: { now?: () => number; verified?: VerifiedTokens<Auth> } = {},
): (header: string | undefined) => Promise<Auth> {
  const key: Uint8Array | JWTVerifyGetKey = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl))
    : new TextEncoder().encode(config.jwtSecret ?? '');
  const algorithms = config.jwksUrl ? ['RS256', 'ES256', 'EdDSA', 'PS256'] : ['HS256'];
  const now = opts.now ?? Date.now;
  const verified = opts.verified ?? verifiedTokens<Auth>();
  return async (header) => {
    const match = header?.match(/^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/);
    if (!match) throw new ApiError('unauthenticated', 'a bearer token is required');
    const token = match[1]!;
    const at = now();
    const known = verified.get(token, at);
    if (known) return known;
    let payload: JWTPayload;
    try {
      const result = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        // A token without an expiry would be valid forever.
        requiredClaims: ['exp'],
        currentDate: new Date(at),
        ...(config.issuer ? { issuer: config.issuer } : {}),
        ...(config.audience ? { audience: config.audience } : {}),
      });
      payload = result.payload;
    } catch {
      throw new ApiError('unauthenticated', 'the token is invalid or expired');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new ApiError('unauthenticated', 'the token lacks the claims sub, role and office or agency');
    // Shared by every request with this token from now on: nobody may change it.
    const auth = Object.freeze(claims.data);
    verified.remember(token, auth, payload.exp! * 1000, at);
    return auth;
  };
}

/**
 * Finds out who is calling, before any body is read and before anything answers: a verified token
 * sets the caller's claims; a missing or bad one is remembered, not refused yet, so the per-IP limit
 * can count the caller as anonymous (api/middleware/hardening.ts) and requireAuth refuses it.
 */
export function identify(config: AuthConfig): RequestHandler {
  const verify = bearerVerifier(config);
  return async (req, res, next) => {
    try {
      res.locals.auth = await verify(req.headers.authorization);
    } catch (err) {
      res.locals.authError = err;
    }
    next();
  };
}

/** Refuses (401) a request that identify() could not attach a verified caller to. */
export const requireAuth: RequestHandler = (_req, res, next) => {
  if (!res.locals.auth) throw (res.locals.authError as ApiError | undefined) ?? new ApiError('unauthenticated', 'a bearer token is required');
  next();
};

export function authOf(res: { locals: Record<string, unknown> }): Auth {
  return res.locals.auth as Auth;
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    if (!roles.includes(authOf(res).role)) throw new ApiError('forbidden', `this needs the role ${roles.join(' or ')}`);
    next();
  };
}

/** Offices whose cases the caller may see: one office, or every office (null). */
export function officeScope(auth: Auth): string | null {
  if (auth.role === 'supervisor' && auth.office === '*') return null;
  if (auth.role === 'caseworker' || auth.role === 'supervisor') return auth.office;
  throw new ApiError('forbidden', 'cases are for caseworkers and supervisors');
}

export function inOfficeScope(auth: Auth, office: string): boolean {
  const scope = officeScope(auth);
  return scope === null || scope === office;
}
