// The remote payload codec of the Temporal UI and CLI (docs/api.md "Temporal UI codec"): POST /codec/decode
// and /codec/encode take and return `{ "payloads": [...] }` in protobuf JSON (metadata values and data
// in base64), through the same AES-256-GCM codec as the API and the worker. Only supervisors and
// admins may use it, with the API's bearer tokens; browsers may call it only from the configured
// Temporal UI origin (HOMEWARD_CODEC_CORS_ORIGIN).
import express, { type RequestHandler, Router } from 'express';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { AesGcmCodec } from '../../temporal/codec.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { authOf, requireAuth, requireRole } from '../middleware/auth.js';
import { parse } from '../validate.js';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');
export const payloadsSchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })),
});
type JsonPayload = z.infer<typeof payloadsSchema>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * CORS for one origin only. Preflights carry no token, so they are answered here; every other
 * response to that origin (errors too) says it may be read there, and other origins get no CORS header.
 */
function corsFor(origin: string | undefined): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const allowed = origin !== undefined && req.get('Origin') === origin;
    if (allowed) res.setHeader('Access-Control-Allow-Origin', origin);
    if (req.method !== 'OPTIONS') return next();
    if (!allowed) throw new ApiError('forbidden', 'this origin may not call the codec; see HOMEWARD_CODEC_CORS_ORIGIN');
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}

export function codecRouter(deps: ApiDeps): Router {
  const { config, logger } = deps;
  const codec = new AesGcmCodec(config.payloadKeys, config.activePayloadKeyId);
  const router = Router();
  router.use(corsFor(config.codec.corsOrigin));
  // Who may read decrypted payloads is decided before the body is read.
  router.use(requireAuth, requireRole('supervisor', 'admin'));
  router.use(express.json({ limit: config.codec.bodyLimit, type: ['application/json', 'application/*+json'] }));

  for (const op of ['decode', 'encode'] as const) {
    router.post(`/${op}`, async (req, res) => {
      const body = parse(payloadsSchema, req.body ?? {});
      const failed: Array<{ path: string; message: string }> = [];
      // One payload at a time, so a payload that cannot be decrypted is named instead of failing all.
      const out = await Promise.all(
        body.payloads.map(async (p, i) => {
          try {
            const [converted] = await (op === 'decode' ? codec.decode([fromJson(p)]) : codec.encode([fromJson(p)]));
            return toJson(converted!);
          } catch {
            failed.push({ path: `payloads[${i}]`, message: op === 'decode' ? 'cannot be decrypted with the configured keys' : 'cannot be encrypted' });
            return undefined;
          }
        }),
      );
      if (failed.length > 0) throw new ApiError('validation_failed', `some payloads could not be ${op}d`, failed);
      const auth = authOf(res);
      // Who read decrypted history, never what it says.
      logger.info({ requestId: res.locals.requestId, sub: auth.sub, role: auth.role, op, payloads: out.length, namespace: req.get('X-Namespace') }, 'codec');
      res.json({ payloads: out });
    });
  }
  return router;
}
