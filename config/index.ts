// All configuration, from the environment, parsed once by one zod schema. A bad value stops the
// process at start with a one-line message naming the variable, instead of failing later mid-request.
import { z } from 'zod';

// Development values, published in this repository so that `npm start` and the tests need no setup
// (and a local `npm start` keeps reading its own history across restarts). Anyone can read them, so
// NODE_ENV=production refuses to start with any of them (see productionIssues).
export const DEV_PAYLOAD_KEY = 'dev:aG9tZXdhcmQtZGV2LWtleS1ub3QtZm9yLXByb2QtMzI=';
export const DEV_JWT_SECRET = 'homeward-development-secret-change-me';
export const DEV_HASH_KEY = 'homeward-development-identity-hash-key';
/** Shorter secrets are refused in production: 32 random characters carry at least 190 bits. */
export const MIN_PRODUCTION_SECRET_CHARS = 32;

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
    // Longer than the server's long-poll interval (matching.longPollExpirationInterval, 1 minute by
    // default): an idle worker's last poll can be that old. See temporal/pollers.ts.
    HOMEWARD_WORKER_POLL_MAX_AGE_MS: z.coerce.number().int().min(1_000).max(300_000).default(90_000),
    HOMEWARD_DATA_DIR: z.string().optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    // Hardening (issue #8): what an unauthenticated client may cost us.
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    HOMEWARD_TRUST_PROXY: z.string().min(1).default('loopback'),
    HOMEWARD_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(20_000),
    HOMEWARD_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
    HOMEWARD_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(5_000),
    HOMEWARD_MAX_RUNNING_OPERATIONS_PER_OFFICE: z.coerce.number().int().min(1).max(1_000).default(3),
    // The Temporal UI's remote codec (POST /codec/decode, /codec/encode).
    HOMEWARD_CODEC_CORS_ORIGIN: z
      .url()
      .refine((u) => originOf(u) === u.replace(/\/$/, ''), 'expected an origin such as https://temporal-ui.example.org (scheme, host and port, no path)')
      .optional(),
    HOMEWARD_CODEC_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'expected a size such as 4mb').default('4mb'),
  })
  .superRefine((env, ctx) => {
    if (env.HOMEWARD_HEADERS_TIMEOUT_MS > env.HOMEWARD_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HOMEWARD_HEADERS_TIMEOUT_MS'], message: 'must not exceed HOMEWARD_REQUEST_TIMEOUT_MS' });
    }
    if (env.NODE_ENV !== 'production') return;
    for (const [path, message] of productionIssues(env)) ctx.addIssue({ code: 'custom', path: [path], message });
  });

/**
 * What production refuses (issue #8): a value published in this repository, a secret short enough
 * to guess, tokens accepted from any issuer for any audience, or keys fetched over plain HTTP.
 */
function productionIssues(env: {
  AUTH_JWT_SECRET?: string;
  AUTH_JWKS_URL?: string;
  AUTH_ISSUER?: string;
  AUTH_AUDIENCE?: string;
  HOMEWARD_PAYLOAD_KEYS?: string;
  HOMEWARD_IDENTITY_HASH_KEY?: string;
  HOMEWARD_CODEC_CORS_ORIGIN?: string;
}): Array<[string, string]> {
  const issues: Array<[string, string]> = [];
  const fresh = '(`npm run secrets` writes fresh values)';
  const secret = (name: string, value: string | undefined, published: string) => {
    if (value === undefined) return;
    if (value === published) issues.push([name, `the development value published in the repository ${fresh}`]);
    else if (value.length < MIN_PRODUCTION_SECRET_CHARS) issues.push([name, `too short (${value.length} characters; production needs at least ${MIN_PRODUCTION_SECRET_CHARS})`]);
  };

  if (!env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL) issues.push(['AUTH_JWKS_URL', `required in production (or AUTH_JWT_SECRET)`]);
  secret('AUTH_JWT_SECRET', env.AUTH_JWT_SECRET, DEV_JWT_SECRET);
  if (env.AUTH_JWKS_URL && !env.AUTH_JWKS_URL.startsWith('https://')) issues.push(['AUTH_JWKS_URL', 'must be an https:// URL in production (keys fetched over plain HTTP can be swapped)']);
  if (!env.AUTH_ISSUER) issues.push(['AUTH_ISSUER', 'required in production (tokens of any issuer would be accepted)']);
  if (!env.AUTH_AUDIENCE) issues.push(['AUTH_AUDIENCE', 'required in production (tokens meant for another service would be accepted)']);

  if (!env.HOMEWARD_PAYLOAD_KEYS) issues.push(['HOMEWARD_PAYLOAD_KEYS', `required in production ${fresh}`]);
  else {
    const devKey = DEV_PAYLOAD_KEY.split(':')[1]!;
    for (const pair of env.HOMEWARD_PAYLOAD_KEYS.split(',')) {
      const [id, b64] = pair.split(':') as [string, string];
      if (Buffer.from(b64, 'base64').equals(Buffer.from(devKey, 'base64'))) {
        issues.push(['HOMEWARD_PAYLOAD_KEYS', `key "${id}" is the development key published in the repository ${fresh}`]);
      }
    }
  }
  if (!env.HOMEWARD_IDENTITY_HASH_KEY) issues.push(['HOMEWARD_IDENTITY_HASH_KEY', `required in production ${fresh}`]);
  secret('HOMEWARD_IDENTITY_HASH_KEY', env.HOMEWARD_IDENTITY_HASH_KEY, DEV_HASH_KEY);

  if (env.HOMEWARD_CODEC_CORS_ORIGIN && !env.HOMEWARD_CODEC_CORS_ORIGIN.startsWith('https://')) {
    issues.push(['HOMEWARD_CODEC_CORS_ORIGIN', 'must be an https:// origin in production (the Temporal UI sends bearer tokens only over HTTPS)']);
  }
  return issues;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** A configuration the process must not start with; its message is one line naming each setting. */
export class ConfigError extends Error {
  constructor(readonly issues: Array<{ setting: string; message: string }>) {
    super(`Invalid configuration: ${issues.map((i) => `${i.setting}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * For process entries: a configuration error ends the process with its one line and exit code 78
 * (EX_CONFIG), without a stack trace; any other start failure with its stack and exit code 1.
 */
export function exitOnStartFailure(err: unknown): never {
  const config = err instanceof ConfigError;
  console.error(config ? err.message : err);
  process.exit(config ? 78 : 1);
}

export interface PayloadKey {
  id: string;
  key: Buffer;
}

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => ({ setting: i.path.join('.'), message: i.message })));
  const e = parsed.data;
  const keys: PayloadKey[] = (e.HOMEWARD_PAYLOAD_KEYS ?? DEV_PAYLOAD_KEY).split(',').map((pair) => {
    const [id, b64] = pair.split(':') as [string, string];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new ConfigError([{ setting: 'HOMEWARD_PAYLOAD_KEYS', message: `key "${id}" must be 32 bytes (AES-256), got ${key.length}` }]);
    return { id, key };
  });
  const activeKeyId = e.HOMEWARD_PAYLOAD_KEY_ID ?? keys[keys.length - 1]!.id;
  if (!keys.some((k) => k.id === activeKeyId)) {
    throw new ConfigError([{ setting: 'HOMEWARD_PAYLOAD_KEY_ID', message: `"${activeKeyId}" is not one of HOMEWARD_PAYLOAD_KEYS` }]);
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
    /** A worker counts as polling (for /readyz and the worker healthcheck) if it polled within this time. */
    workerPollMaxAgeMs: e.HOMEWARD_WORKER_POLL_MAX_AGE_MS,
    timeScale: e.HOMEWARD_TIME_SCALE,
    maxMessagesPerRun: e.HOMEWARD_MAX_MESSAGES_PER_RUN,
    dataDir: e.HOMEWARD_DATA_DIR,
    logLevel: e.LOG_LEVEL,
    hardening: {
      anonymousRateLimitPerMinute: e.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      trustProxy: e.HOMEWARD_TRUST_PROXY,
      headersTimeoutMs: e.HOMEWARD_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HOMEWARD_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HOMEWARD_KEEP_ALIVE_TIMEOUT_MS,
      maxRunningOperationsPerOffice: e.HOMEWARD_MAX_RUNNING_OPERATIONS_PER_OFFICE,
    },
    codec: { corsOrigin: e.HOMEWARD_CODEC_CORS_ORIGIN?.replace(/\/$/, ''), bodyLimit: e.HOMEWARD_CODEC_BODY_LIMIT },
  };
}
