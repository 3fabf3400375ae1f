// What the endpoints without a /v1 token answer: liveness, readiness and the Temporal UI codec.
import { z } from 'zod';

export const healthSchema = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health', example: { status: 'ok' } });

const check = z.enum(['ok', 'down']);
const checks = z.strictObject({
  postgres: check,
  temporal: check,
  worker: z.enum(['ok', 'down', 'unknown']).describe('a worker polls the case task queue; unknown while Temporal does not answer'),
});

export const readySchema = z
  .strictObject({ status: z.literal('ready'), checks })
  .meta({ id: 'Ready', example: { status: 'ready', checks: { postgres: 'ok', temporal: 'ok', worker: 'ok' } } });

export const notReadySchema = z
  .strictObject({ status: z.literal('unavailable'), checks, reasons: z.array(z.string()).describe('what is not ready, for the operator') })
  .meta({
    id: 'NotReady',
    example: {
      status: 'unavailable',
      checks: { postgres: 'ok', temporal: 'ok', worker: 'down' },
      reasons: ['worker: no worker has polled the case task queue recently'],
    },
  });

/** Temporal's remote codec answer: payloads in protobuf JSON, metadata values and data in base64. */
export const codecAnswerSchema = z
  .strictObject({
    payloads: z.array(z.strictObject({ metadata: z.record(z.string(), z.string()), data: z.string() })),
  })
  .meta({
    id: 'CodecPayloads',
    example: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJzdGFnZSI6ImxvY2F0aW5nIn0=' }] },
  });
