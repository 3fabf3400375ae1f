// All configuration, from the environment, parsed once by one zod schema. A bad value stops the
// process at start with a one-line message naming the variable, instead of failing later mid-request.
import path from 'node:path';
import { z } from 'zod';

// Development values, published in this repository so that `npm start` and the tests need no setup
// (and a local `npm start` keeps reading its own history across restarts). Anyone can read them, so
// NODE_ENV=production refuses to start with any of them (see productionIssues).
export const DEV_PAYLOAD_KEY = 'dev:aG9tZXdhcmQtZGV2LWtleS1ub3QtZm9yLXByb2QtMzI=';
export const DEV_JWT_SECRET = 'homeward-development-secret-change-me';
export const DEV_HASH_KEY = 'homeward-development-identity-hash-key';
/** Shorter secrets are refused in production: 32 random characters carry at least 190 bits. */
export const MIN_PRODUCTION_SECRET_CHARS = 32;
// Personal fields in PostgreSQL (db/at-rest.ts) are sealed with keys of their own, not the payload
// keys: database rows are re-encrypted by `npm run keys:rotate`, Temporal histories cannot be, so the
// two key sets retire on different schedules; and whoever may decode Temporal payloads (the UI codec
// endpoint, a Temporal operator) does not thereby read the database.
export const DEV_DATA_KEY = 'dev-data:aG9tZXdhcmQtZGV2LWRhdGEta2V5LW5vdC1mb3JwcmQ=';
/** The key id of HOMEWARD_IDENTITY_HASH_KEY, the single hash key of releases before key ids (and of existing rows). */
export const LEGACY_HASH_KEY_ID = 'default';
/** Five years after closure. */
export const DEFAULT_RETENTION_DAYS = 1826;

/** How long a webhook delivery is retried by default before it counts as failed: 25 hours (at least a day, as promised). */
export const WEBHOOK_RETRY_FOR_MS = 25 * 3_600_000;

/** Where `npm start` expects PostgreSQL when DATABASE_URL is unset (and runs an embedded one if none answers). */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/homeward';

const KEY_LIST = /^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/;
const HASH_KEY_LIST = /^[A-Za-z0-9_-]+:[^,]{16,}(,[A-Za-z0-9_-]+:[^,]{16,})*$/;

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // No default here: whether it was set decides whether `npm start` may run an embedded PostgreSQL.
    DATABASE_URL: z.url().optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    TEMPORAL_ADDRESS: z.string().min(1).optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('homeward-cases'),
    // The dev server that `npm start` and `npm run temporal` run when TEMPORAL_ADDRESS is unset.
    TEMPORAL_CLI: z.string().min(1).optional(),
    TEMPORAL_PORT: port().default(7233),
    TEMPORAL_UI_PORT: z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => OFF.has(v) || isPort(v), 'expected a port number (0 picks a free one) or "off"')
      .transform((v) => (OFF.has(v) ? (false as const) : Number(v)))
      .default(8233),
    // Read here so that the Temporal CLI lookup (scripts/temporal-cli.ts) has no environment of its own.
    PATH: z.string().optional(),
    // `npm start` without DATABASE_URL: `auto` runs PGlite (db/embedded.ts) when nothing answers on
    // DEFAULT_DATABASE_URL, `always` runs it regardless, `never` insists on a real server.
    HOMEWARD_EMBEDDED_POSTGRES: z.enum(['auto', 'always', 'never']).default('auto'),
    HOMEWARD_EMBEDDED_POSTGRES_PORT: port().default(5433),
    AUTH_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_ISSUER: z.string().optional(),
    AUTH_AUDIENCE: z.string().optional(),
    HOMEWARD_PAYLOAD_KEYS: z.string().regex(KEY_LIST, 'expected "id:base64key[,id:base64key…]"').optional(),
    HOMEWARD_PAYLOAD_KEY_ID: z.string().optional(),
    HOMEWARD_DATA_KEYS: z.string().regex(KEY_LIST, 'expected "id:base64key[,id:base64key…]"').optional(),
    HOMEWARD_DATA_KEY_ID: z.string().optional(),
    HOMEWARD_IDENTITY_HASH_KEY: z.string().min(16).optional(),
    HOMEWARD_IDENTITY_HASH_KEYS: z.string().regex(HASH_KEY_LIST, 'expected "id:secret[,id:secret…]", each secret at least 16 characters').optional(),
    HOMEWARD_IDENTITY_HASH_KEY_ID: z.string().optional(),
    HOMEWARD_RETENTION_DAYS: z.coerce.number().positive('must be a positive number of days').finite().default(DEFAULT_RETENTION_DAYS),
    HOMEWARD_IMMIGRATION_AGENCY_ID: z.string().min(1).default('immigration'),
    HOMEWARD_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'expected a size such as 1mb').default('1mb'),
    HOMEWARD_TIME_SCALE: z.coerce.number().positive('must be a positive factor').finite().default(1),
    HOMEWARD_MAX_MESSAGES_PER_RUN: z.coerce.number().int().min(1).max(1_900).default(1_500),
    // CoE Convention on Action against Trafficking in Human Beings, art. 13: at least 30 days.
    HOMEWARD_REFLECTION_PERIOD_DAYS: z.coerce.number().int().min(30, 'must be at least 30 days (CoE Convention art. 13)').max(3_650).default(30),
    HOMEWARD_OPERATION_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'expected a size such as 32mb').default('32mb'),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
    HOMEWARD_TEMPORAL_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    // Longer than the server's long-poll interval (matching.longPollExpirationInterval, 1 minute by
    // default): an idle worker's last poll can be that old. See temporal/pollers.ts.
    HOMEWARD_WORKER_POLL_MAX_AGE_MS: z.coerce.number().int().min(1_000).max(300_000).default(90_000),
    HOMEWARD_DATA_DIR: z.string().trim().min(1).default('.data'),
    HOMEWARD_WORKFLOW_BUNDLE: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    // Hardening (issue #8): what an unauthenticated client may cost us.
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    HOMEWARD_TRUST_PROXY: z.string().min(1).default('loopback'),
    HOMEWARD_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(20_000),
    HOMEWARD_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
    HOMEWARD_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(5_000),
    HOMEWARD_MAX_RUNNING_OPERATIONS_PER_OFFICE: z.coerce.number().int().min(1).max(1_000).default(3),
    // Bulk actions on a raid: cases asked at once, and cases per activity (a batch is one history event).
    HOMEWARD_BULK_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(50),
    HOMEWARD_BULK_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(200),
    // The anonymised export's k (docs/anonymised-export.md): the CTDC publishes with k = 11; a
    // request may ask for a larger k, never a smaller one.
    HOMEWARD_EXPORT_MIN_K: z.coerce.number().int().min(2, 'must be at least 2 (k = 1 suppresses nothing)').max(1_000).default(11),
    // The Temporal UI's remote codec (POST /codec/decode, /codec/encode).
    HOMEWARD_CODEC_CORS_ORIGIN: z
      .url()
      .refine((u) => originOf(u) === u.replace(/\/$/, ''), 'expected an origin such as https://temporal-ui.example.org (scheme, host and port, no path)')
      .optional(),
    HOMEWARD_CODEC_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'expected a size such as 4mb').default('4mb'),
    // Metrics (README "Metrics"): the worker's SDK exporter is off unless a port is set.
    HOMEWARD_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    // The case worker's limits (worker/worker.ts; measured in bench/RESULTS.md, "Workers"). Workflows kept
    // in the worker's cache hold their state in memory; beyond the limit the least recently used is
    // evicted and replayed from its history when it next has work.
    HOMEWARD_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(1_000),
    HOMEWARD_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1_000).default(40),
    HOMEWARD_WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1_000).default(100),
    HOMEWARD_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(1_000).default(100),
    HOMEWARD_WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
    HOMEWARD_METRICS_MERGE_URL: z.url().optional(),
    HOMEWARD_METRICS_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
    // The web console (issue #11): sign-in through OpenID Connect (authorization code + PKCE) in
    // production; where its built files are.
    HOMEWARD_OIDC_ISSUER: z.url().optional(),
    HOMEWARD_OIDC_CLIENT_ID: z.string().min(1).optional(),
    HOMEWARD_OIDC_SCOPE: z.string().min(1).default('openid profile'),
    HOMEWARD_WEB_DIST: z.string().min(1).optional(),
    // Webhooks (API.md "Notifications"): each delivery is retried with exponential backoff for
    // HOMEWARD_WEBHOOK_RETRY_FOR_MS (at least 24 h by default) before it is marked failed.
    HOMEWARD_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    HOMEWARD_WEBHOOK_RETRY_INITIAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
    HOMEWARD_WEBHOOK_RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(3_600_000),
    HOMEWARD_WEBHOOK_RETRY_FOR_MS: z.coerce.number().int().min(1_000).max(30 * 86_400_000).default(WEBHOOK_RETRY_FOR_MS),
    // How soon a dispatcher looks for new deliveries when it has none (a new task reaches its receiver within this).
    HOMEWARD_WEBHOOK_POLL_MS: z.coerce.number().int().min(100).max(300_000).default(2_000),
    // Deliveries to loopback, private and link-local addresses; allowed by default outside
    // production (a receiver on the developer's machine), refused in production unless set.
    HOMEWARD_WEBHOOK_ALLOW_PRIVATE_RECEIVERS: z.stringbool().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.HOMEWARD_HEADERS_TIMEOUT_MS > env.HOMEWARD_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HOMEWARD_HEADERS_TIMEOUT_MS'], message: 'must not exceed HOMEWARD_REQUEST_TIMEOUT_MS' });
    }
    if (Boolean(env.HOMEWARD_OIDC_ISSUER) !== Boolean(env.HOMEWARD_OIDC_CLIENT_ID)) {
      ctx.addIssue({ code: 'custom', path: [env.HOMEWARD_OIDC_ISSUER ? 'HOMEWARD_OIDC_CLIENT_ID' : 'HOMEWARD_OIDC_ISSUER'], message: 'the console needs both HOMEWARD_OIDC_ISSUER and HOMEWARD_OIDC_CLIENT_ID' });
    }
    if (env.NODE_ENV !== 'production') return;
    for (const [path, message] of productionIssues(env)) ctx.addIssue({ code: 'custom', path: [path], message });
  });

const OFF = new Set(['off', 'false', 'none']);
const isPort = (v: string) => /^\d{1,5}$/.test(v) && Number(v) <= 65535;
function port() {
  return z.coerce.number().int().min(0, 'must be a port number (0 picks a free one)').max(65535, 'must be a port number (0 picks a free one)');
}

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
  HOMEWARD_DATA_KEYS?: string;
  HOMEWARD_IDENTITY_HASH_KEY?: string;
  HOMEWARD_IDENTITY_HASH_KEYS?: string;
  HOMEWARD_CODEC_CORS_ORIGIN?: string;
  HOMEWARD_OIDC_ISSUER?: string;
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

  const aesKeyList = (name: string, list: string | undefined, published: string) => {
    if (!list) return void issues.push([name, `required in production ${fresh}`]);
    const devKey = Buffer.from(published.split(':')[1]!, 'base64');
    for (const pair of list.split(',')) {
      const [id, b64 = ''] = pair.split(':');
      if (Buffer.from(b64, 'base64').equals(devKey)) issues.push([name, `key "${id}" is the development key published in the repository ${fresh}`]);
    }
  };
  aesKeyList('HOMEWARD_PAYLOAD_KEYS', env.HOMEWARD_PAYLOAD_KEYS, DEV_PAYLOAD_KEY);
  aesKeyList('HOMEWARD_DATA_KEYS', env.HOMEWARD_DATA_KEYS, DEV_DATA_KEY);
  if (!env.HOMEWARD_IDENTITY_HASH_KEY && !env.HOMEWARD_IDENTITY_HASH_KEYS) {
    issues.push(['HOMEWARD_IDENTITY_HASH_KEYS', `required in production (or HOMEWARD_IDENTITY_HASH_KEY) ${fresh}`]);
  }
  secret('HOMEWARD_IDENTITY_HASH_KEY', env.HOMEWARD_IDENTITY_HASH_KEY, DEV_HASH_KEY);
  for (const pair of (env.HOMEWARD_IDENTITY_HASH_KEYS ?? '').split(',').filter(Boolean)) {
    const key = pair.slice(pair.indexOf(':') + 1);
    secret(`HOMEWARD_IDENTITY_HASH_KEYS`, key, DEV_HASH_KEY);
  }

  if (env.HOMEWARD_OIDC_ISSUER && !env.HOMEWARD_OIDC_ISSUER.startsWith('https://')) {
    issues.push(['HOMEWARD_OIDC_ISSUER', 'must be an https:// URL in production']);
  }
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

export interface HashKey {
  id: string;
  key: string;
}

/** An AES-256 key list "id:base64[,id:base64…]" and its active id (the last key unless named). */
function aesKeys(variable: string, list: string, activeVariable: string, active: string | undefined): { keys: PayloadKey[]; activeId: string } {
  const keys = list.split(',').map((pair) => {
    const [id, b64] = pair.split(':') as [string, string];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new ConfigError([{ setting: variable, message: `key "${id}" must be 32 bytes (AES-256), got ${key.length}` }]);
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new ConfigError([{ setting: variable, message: 'a key id appears twice' }]);
  const activeId = active ?? keys[keys.length - 1]!.id;
  if (!keys.some((k) => k.id === activeId)) {
    throw new ConfigError([{ setting: activeVariable, message: `"${activeId}" is not one of ${variable}` }]);
  }
  return { keys, activeId };
}

/** Identity-hash keys: HOMEWARD_IDENTITY_HASH_KEYS, plus the single HOMEWARD_IDENTITY_HASH_KEY under its legacy id. */
function hashKeys(e: { HOMEWARD_IDENTITY_HASH_KEY?: string; HOMEWARD_IDENTITY_HASH_KEYS?: string; HOMEWARD_IDENTITY_HASH_KEY_ID?: string }) {
  const keys: HashKey[] = (e.HOMEWARD_IDENTITY_HASH_KEYS ?? '').split(',').filter(Boolean).map((pair) => {
    const at = pair.indexOf(':');
    return { id: pair.slice(0, at), key: pair.slice(at + 1) };
  });
  if (e.HOMEWARD_IDENTITY_HASH_KEY !== undefined || keys.length === 0) {
    if (keys.some((k) => k.id === LEGACY_HASH_KEY_ID)) {
      throw new ConfigError([{ setting: 'HOMEWARD_IDENTITY_HASH_KEYS', message: `the id "${LEGACY_HASH_KEY_ID}" is HOMEWARD_IDENTITY_HASH_KEY's; set one or the other` }]);
    }
    keys.unshift({ id: LEGACY_HASH_KEY_ID, key: e.HOMEWARD_IDENTITY_HASH_KEY ?? DEV_HASH_KEY });
  }
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new ConfigError([{ setting: 'HOMEWARD_IDENTITY_HASH_KEYS', message: 'a key id appears twice' }]);
  const activeId = e.HOMEWARD_IDENTITY_HASH_KEY_ID ?? keys[keys.length - 1]!.id;
  if (!keys.some((k) => k.id === activeId)) {
    throw new ConfigError([{ setting: 'HOMEWARD_IDENTITY_HASH_KEY_ID', message: `"${activeId}" is not a configured identity hash key` }]);
  }
  return { keys, activeId };
}

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => ({ setting: i.path.join('.'), message: i.message })));
  const e = parsed.data;
  const payload = aesKeys('HOMEWARD_PAYLOAD_KEYS', e.HOMEWARD_PAYLOAD_KEYS ?? DEV_PAYLOAD_KEY, 'HOMEWARD_PAYLOAD_KEY_ID', e.HOMEWARD_PAYLOAD_KEY_ID);
  const data = aesKeys('HOMEWARD_DATA_KEYS', e.HOMEWARD_DATA_KEYS ?? DEV_DATA_KEY, 'HOMEWARD_DATA_KEY_ID', e.HOMEWARD_DATA_KEY_ID);
  const hashes = hashKeys(e);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    /** False when DATABASE_URL is unset: `npm start` may then run an embedded PostgreSQL. */
    databaseUrlFromEnv: e.DATABASE_URL !== undefined,
    embeddedPostgres: { mode: e.HOMEWARD_EMBEDDED_POSTGRES, port: e.HOMEWARD_EMBEDDED_POSTGRES_PORT },
    databasePoolSize: e.DATABASE_POOL_SIZE,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    /** The dev server started when temporal.address is unset; uiPort false runs it without its web UI. */
    temporalDevServer: { cli: e.TEMPORAL_CLI, port: e.TEMPORAL_PORT, uiPort: e.TEMPORAL_UI_PORT, searchPath: e.PATH ?? '' },
    auth: {
      jwtSecret: e.AUTH_JWKS_URL ? e.AUTH_JWT_SECRET : (e.AUTH_JWT_SECRET ?? DEV_JWT_SECRET),
      jwksUrl: e.AUTH_JWKS_URL,
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
    },
    payloadKeys: payload.keys,
    activePayloadKeyId: payload.activeId,
    /** AES-256-GCM keys of personal fields in PostgreSQL (db/at-rest.ts); every one decrypts, the active one encrypts. */
    dataKeys: data.keys,
    activeDataKeyId: data.activeId,
    /** HMAC keys of identity documents; every one matches, the active one hashes new documents. */
    identityHashKeys: hashes.keys,
    activeIdentityHashKeyId: hashes.activeId,
    /** The active identity-hash key itself (scripts that hash in SQL). */
    identityHashKey: hashes.keys.find((k) => k.id === hashes.activeId)!.key,
    /** Days a closed case keeps its personal data before it is anonymised (unless on legal hold); scaled by timeScale. */
    retentionDays: e.HOMEWARD_RETENTION_DAYS,
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
    /** The recovery and reflection period after extraction, in days: no police referral without consent (domain/case/justice.ts). */
    reflectionPeriodDays: e.HOMEWARD_REFLECTION_PERIOD_DAYS,
    /** Local state of `npm start`: the Temporal dev server's file, the embedded PostgreSQL, a downloaded CLI. */
    dataDir: path.resolve(e.HOMEWARD_DATA_DIR),
    /** A workflow bundle built beforehand (bundleWorkflowCode's code, in a file): the worker starts without webpack. */
    workflowBundlePath: e.HOMEWARD_WORKFLOW_BUNDLE,
    logLevel: e.LOG_LEVEL,
    hardening: {
      anonymousRateLimitPerMinute: e.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      trustProxy: e.HOMEWARD_TRUST_PROXY,
      headersTimeoutMs: e.HOMEWARD_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HOMEWARD_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HOMEWARD_KEEP_ALIVE_TIMEOUT_MS,
      maxRunningOperationsPerOffice: e.HOMEWARD_MAX_RUNNING_OPERATIONS_PER_OFFICE,
    },
    /** Bulk actions (POST /v1/operations/:id/actions): updates in flight at once, and cases per batch activity. */
    bulk: { concurrency: e.HOMEWARD_BULK_CONCURRENCY, batchSize: e.HOMEWARD_BULK_BATCH_SIZE },
    /** The smallest k the anonymised export answers with (GET /v1/exports/anonymised?k=). */
    exports: { minK: e.HOMEWARD_EXPORT_MIN_K },
    /** The case worker's cache and task slots (Temporal WorkerOptions of the same names). */
    worker: {
      maxCachedWorkflows: e.HOMEWARD_WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: e.HOMEWARD_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivityTaskExecutions: e.HOMEWARD_WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentLocalActivityExecutions: e.HOMEWARD_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    },
    codec: { corsOrigin: e.HOMEWARD_CODEC_CORS_ORIGIN?.replace(/\/$/, ''), bodyLimit: e.HOMEWARD_CODEC_BODY_LIMIT },
    console: {
      /**
       * Development sign-in (POST /dev/token mints a token for any role): never in production, and
       * only where the API itself verifies tokens with the shared secret.
       */
      devSignIn: e.NODE_ENV !== 'production' && !e.AUTH_JWKS_URL,
      /** OpenID Connect for the console; the API verifies the tokens it gets through AUTH_JWKS_URL. */
      oidc: e.HOMEWARD_OIDC_ISSUER && e.HOMEWARD_OIDC_CLIENT_ID ? { issuer: e.HOMEWARD_OIDC_ISSUER, clientId: e.HOMEWARD_OIDC_CLIENT_ID, scope: e.HOMEWARD_OIDC_SCOPE } : undefined,
      /** The built console (`npm run build:web`); relative paths are taken from the repository root. */
      distDir: e.HOMEWARD_WEB_DIST,
    },
    /** Webhook deliveries (activities/webhooks.ts, workflows/webhook-dispatcher.ts). */
    webhooks: {
      timeoutMs: e.HOMEWARD_WEBHOOK_TIMEOUT_MS,
      pollMs: e.HOMEWARD_WEBHOOK_POLL_MS,
      allowPrivateReceivers: e.HOMEWARD_WEBHOOK_ALLOW_PRIVATE_RECEIVERS ?? e.NODE_ENV !== 'production',
      retry: { initialMs: e.HOMEWARD_WEBHOOK_RETRY_INITIAL_MS, maxIntervalMs: e.HOMEWARD_WEBHOOK_RETRY_MAX_INTERVAL_MS, forMs: e.HOMEWARD_WEBHOOK_RETRY_FOR_MS },
    },
    metrics: {
      /** Where the worker's Temporal SDK serves Prometheus metrics; unset: not exported. */
      worker: e.HOMEWARD_WORKER_METRICS_PORT === undefined ? undefined : { host: e.HOMEWARD_WORKER_METRICS_HOST, port: e.HOMEWARD_WORKER_METRICS_PORT },
      /** Another process's /metrics that the API appends to its own (one machine without service discovery). */
      mergeUrl: e.HOMEWARD_METRICS_MERGE_URL,
      /** How long the domain gauges (PostgreSQL counts) are reused between scrapes. */
      cacheMs: e.HOMEWARD_METRICS_CACHE_MS,
    },
  };
}
