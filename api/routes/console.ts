// The web console (web/, issue #11), served by the API: its settings for the browser
// (GET /console/config.json), the development sign-in (POST /dev/token, never in production), and
// the built files of web/dist at `/`, with the SPA's index.html for any other page the browser asks
// for. None of it shadows the API: /v1, the platform endpoints, /docs and /codec are never answered here.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import compression from 'compression';
import express, { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { storable } from '../../domain/schemas.js';
import { mintToken } from '../dev-tokens.js';
import { ApiError } from '../errors.js';
import { parse } from '../validate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Paths the console never answers: the API and the platform's own pages. */
const RESERVED = /^\/(v1|healthz|readyz|metrics|openapi\.json|docs|codec|dev|console)(\/|$)/;
const DEV_TOKEN_HOURS = 8;

const name = () => storable(z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.*@-]*$/, 'letters, digits, and . _ - @'));
const devTokenBody = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('caseworker'), office: name().refine((o) => o !== '*', 'a caseworker works for one office'), sub: name() }),
  z.strictObject({ role: z.literal('supervisor'), office: name(), sub: name() }),
  z.strictObject({ role: z.literal('agency_officer'), agency: name(), sub: name() }),
  z.strictObject({ role: z.literal('admin'), sub: name() }),
]);

export function distDirOf(config: Config): string {
  return path.resolve(ROOT, config.console.distDir ?? 'web/dist');
}

export function consoleRouter(config: Config): Router {
  const router = Router();

  router.get('/console/config.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      signIn: config.console.oidc ? 'oidc' : config.console.devSignIn ? 'development' : 'none',
      oidc: config.console.oidc ?? null,
    });
  });

  if (config.console.devSignIn) {
    // Development only (config.console.devSignIn is false in production): a token for whoever asks.
    router.post('/dev/token', express.json({ limit: '4kb' }), async (req, res) => {
      const claims = parse(devTokenBody, req.body ?? {});
      const token = await mintToken(config.auth.jwtSecret!, claims, DEV_TOKEN_HOURS * 3600, { issuer: config.auth.issuer, audience: config.auth.audience });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ token, expiresInSeconds: DEV_TOKEN_HOURS * 3600 });
    });
  }
  return router;
}

/**
 * The built console, compressed (gzip or brotli, as the browser accepts; the API's own answers are
 * not touched here). Hashed assets are cached for a year; index.html never (a deploy takes effect
 * at the next load). A GET for a page of the console (any other non-API path, asked for as HTML)
 * gets index.html, so deep links such as /cases/… survive a reload.
 */
export function consoleStatic(config: Config): RequestHandler[] {
  const dist = distDirOf(config);
  const index = path.join(dist, 'index.html');
  const assets = express.static(dist, {
    index: false,
    fallthrough: true,
    setHeaders: (res, file) => {
      res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const compress = compression();
  const guarded: RequestHandler = (req, res, next) => (RESERVED.test(req.path) ? next() : compress(req, res, () => assets(req, res, next)));
  const fallback: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || RESERVED.test(req.path) || !req.accepts('html') || req.accepts(['json', 'html']) === 'json') return next();
    if (!existsSync(index)) throw new ApiError('not_found', 'the console is not built; run `npm run build:web`');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  return [guarded, fallback];
}
