// One test file's world: a real PostgreSQL pool, a Temporal client, a case worker on a task queue of
// its own, and the Express app, wired exactly as in production. Tokens are minted per role.
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import supertest from 'supertest';
import { inject } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { createDb } from '../../db/client.js';
import { createIdentityHasher } from '../../db/identity.js';
import { fieldCipher } from '../../db/at-rest.js';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../api/logger.js';
import { createTemporalClient } from '../../temporal/client.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { NativeConnection, createCaseWorker } from '../../worker/worker.js';
import { mintToken } from '../../scripts/token.js';

let runtimeInstalled = false;
// Worker chatter (state changes, polling) would bury test output; warnings still show.
export function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Inside vitest the servers come from the global setup; scripts pass them in `overrides`. */
function servers(overrides: Record<string, string>) {
  if (overrides.DATABASE_URL && overrides.TEMPORAL_ADDRESS) return {};
  return { DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') };
}

export function testConfig(overrides: Record<string, string> = {}) {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    ...servers(overrides),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    // TEST_LOG_LEVEL=error shows the cause of an unexpected 500 when diagnosing a run.
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
    ...overrides,
  });
}

export async function startHarness(opts: { worker?: boolean; config?: Record<string, string> } = {}) {
  const config = testConfig(opts.config);
  const db = createDb(config.databaseUrl, 5);
  const connection = await Connection.connect({ address: config.temporal.address! });
  const temporal = createTemporalClient(connection, config);
  const hasher = createIdentityHasher(config);
  const app = createApp({ config, db, temporal, hasher, logger: createLogger(config.logLevel) });

  let nativeConnection: NativeConnection | undefined;
  let stopWorker = async () => {};
  if (opts.worker !== false) {
    quietRuntime();
    nativeConnection = await NativeConnection.connect({ address: config.temporal.address! });
    const worker = await createCaseWorker({ config, connection: nativeConnection, db, hasher, temporal });
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
  }

  // Each harness works in offices and agencies of its own, so tests never see each other's data.
  const office = `office-${randomUUID().slice(0, 8)}`;
  const secret = config.auth.jwtSecret!;
  const token = (role: string, claims: { office?: string; agency?: string; sub?: string } = {}) =>
    mintToken(secret, { sub: claims.sub ?? `${role}-${randomUUID().slice(0, 6)}`, role, office: claims.office, agency: claims.agency }, undefined, {
      issuer: config.auth.issuer,
      audience: config.auth.audience,
    });

  return {
    config,
    db,
    temporal,
    hasher,
    /** The cipher of personal fields at rest (db/at-rest.ts), for tests that read raw rows. */
    cipher: fieldCipher(config),
    app,
    http: supertest(app),
    office,
    token,
    async stop() {
      await stopWorker();
      await nativeConnection?.close();
      await connection.close();
      await db.$client.end();
    },
  };
}

/** A consulate of the harness's own, created through the admin API. */
export async function createConsulate(h: Harness, id = `consulate-${randomUUID().slice(0, 8)}`) {
  const admin = await h.token('admin');
  const res = await h.http.post('/v1/agencies').set('Authorization', `Bearer ${admin}`).send({ id, kind: 'consulate', name: `Consulate ${id}`, country: 'TH', city: 'Bangkok' });
  if (res.status !== 201) throw new Error(`could not create consulate: ${res.status} ${JSON.stringify(res.body)}`);
  return id;
}

export function personBody(overrides: Record<string, unknown> = {}) {
  return {
    fullName: `Maria Santos ${randomUUID().slice(0, 6)}`,
    dateOfBirth: '1996-04-12',
    sex: 'female',
    nationality: 'PH',
    documents: [{ type: 'passport', number: `P${Math.floor(Math.random() * 1e9)}`, issuingCountry: 'PH' }],
    languages: ['tl', 'en'],
    ...overrides,
  };
}
