// All configuration, from the environment, parsed once by one zod schema. A bad value stops the
// process at start with a message naming the variable, instead of failing later mid-request.
import { z } from 'zod';

// A fixed development key so a local `npm start` keeps reading its own history across restarts.
// Production must set HOMEWARD_PAYLOAD_KEYS; NODE_ENV=production refuses to start without it.
const DEV_PAYLOAD_KEY = 'dev:aG9tZXdhcmQtZGV2LWtleS1ub3QtZm9yLXByb2QtMzI=';
const DEV_JWT_SECRET = 'homeward-development-secret-change-me';
const DEV_HASH_KEY = 'homeward-development-identity-hash-key';

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/homeward'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    TEMPORAL_ADDRESS: z.string().min(1).optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('homeward-cases'),
    AUTH_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_ISSUER: z.string().optional(),
    AUTH_AUDIENCE: z.string().optional(),
    HOMEWARD_PAYLOAD_KEYS: z
      .string()
      .regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/, 'expected "id:base64key[,id:base64key…]"')
      .optional(),
    HOMEWARD_PAYLOAD_KEY_ID: z.string().optional(),
    HOMEWARD_IDENTITY_HASH_KEY: z.string().min(16).optional(),
    HOMEWARD_IMMIGRATION_AGENCY_ID: z.string().min(1).default('immigration'),
    HOMEWARD_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'expected a size such as 1mb').default('1mb'),
    HOMEWARD_TIME_SCALE: z.coerce.number().positive('must be a positive factor').finite().default(1),
    HOMEWARD_MAX_MESSAGES_PER_RUN: z.coerce.number().int().min(1).max(1_900).default(1_500),
    HOMEWARD_OPERATION_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'expected a size such as 32mb').default('32mb'),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
    HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    HOMEWARD_DATA_DIR: z.string().optional(),
    HOMEWARD_WORKFLOW_BUNDLE: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    if (!env.HOMEWARD_PAYLOAD_KEYS) ctx.addIssue({ code: 'custom', path: ['HOMEWARD_PAYLOAD_KEYS'], message: 'required in production' });
    if (!env.HOMEWARD_IDENTITY_HASH_KEY) ctx.addIssue({ code: 'custom', path: ['HOMEWARD_IDENTITY_HASH_KEY'], message: 'required in production' });
    if (!env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL) ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'AUTH_JWKS_URL or AUTH_JWT_SECRET is required in production' });
  });

export interface PayloadKey {
  id: string;
  key: Buffer;
}

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const keys: PayloadKey[] = (e.HOMEWARD_PAYLOAD_KEYS ?? DEV_PAYLOAD_KEY).split(',').map((pair) => {
    const [id, b64] = pair.split(':') as [string, string];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error(`Invalid configuration:\n  HOMEWARD_PAYLOAD_KEYS: key "${id}" must be 32 bytes (AES-256), got ${key.length}`);
    return { id, key };
  });
  const activeKeyId = e.HOMEWARD_PAYLOAD_KEY_ID ?? keys[keys.length - 1]!.id;
  if (!keys.some((k) => k.id === activeKeyId)) {
    throw new Error(`Invalid configuration:\n  HOMEWARD_PAYLOAD_KEY_ID: "${activeKeyId}" is not one of HOMEWARD_PAYLOAD_KEYS`);
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    auth: {
      jwtSecret: e.AUTH_JWKS_URL ? e.AUTH_JWT_SECRET : (e.AUTH_JWT_SECRET ?? DEV_JWT_SECRET),
      jwksUrl: e.AUTH_JWKS_URL,
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
    },
    payloadKeys: keys,
    activePayloadKeyId: activeKeyId,
    identityHashKey: e.HOMEWARD_IDENTITY_HASH_KEY ?? DEV_HASH_KEY,
    immigrationAgencyId: e.HOMEWARD_IMMIGRATION_AGENCY_ID,
    bodyLimit: e.HOMEWARD_BODY_LIMIT,
    operationBodyLimit: e.HOMEWARD_OPERATION_BODY_LIMIT,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    /** How long the API waits for Temporal to answer a call before a 503. */
    temporalCallTimeoutMs: e.HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS,
    timeScale: e.HOMEWARD_TIME_SCALE,
    maxMessagesPerRun: e.HOMEWARD_MAX_MESSAGES_PER_RUN,
    dataDir: e.HOMEWARD_DATA_DIR,
    /** A workflow bundle built beforehand (bundleWorkflowCode's code, in a file): the worker starts without webpack. */
    workflowBundlePath: e.HOMEWARD_WORKFLOW_BUNDLE,
    logLevel: e.LOG_LEVEL,
  };
}
