// Builds a case worker from its dependencies: used by the worker process, `npm start` and tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import type { IdentityHasher } from '../db/identity.js';
import { createActivities } from '../activities/index.js';
import type { Client } from '@temporalio/client';
import { policyFor } from '../domain/policy.js';
import { FAILURE_CONVERTER_PATH, dataConverter } from '../temporal/client.js';
import { fieldCipher } from '../db/at-rest.js';
import { daysMs } from '../domain/policy.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const WORKFLOWS_PATH = path.join(HERE, '..', 'workflows', 'index.ts');
/**
 * Where `npm run build` writes the workflow bundle, relative to this module once compiled
 * (dist/worker/worker.js → dist/workflow-bundle.js). Compiled code has no TypeScript workflows to
 * bundle, so it runs the bundle built with it: the same code the replay tests bundle from source.
 */
export const PREBUILT_BUNDLE_PATH = path.join(HERE, '..', 'workflow-bundle.js');
const RUNS_COMPILED = import.meta.url.endsWith('.js');

/** The bundle file to load, if any: HOMEWARD_WORKFLOW_BUNDLE first, then the build's own when compiled. */
export function workflowBundlePath(configured: string | undefined): string | undefined {
  if (configured) return configured;
  if (!RUNS_COMPILED) return undefined;
  if (!fs.existsSync(PREBUILT_BUNDLE_PATH)) throw new Error(`no workflow bundle at ${PREBUILT_BUNDLE_PATH}: run npm run build, or set HOMEWARD_WORKFLOW_BUNDLE`);
  return PREBUILT_BUNDLE_PATH;
}

// In the bundle, zod is loaded when workflow code first builds a schema (domain/zod-on-demand.ts).
const ZOD_MODULE = path.join(HERE, '..', 'domain', 'zod.ts');
const ZOD_ON_DEMAND_MODULE = path.join(HERE, '..', 'domain', 'zod-on-demand.ts');

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle is built once per process: webpack is the slow part of a worker start. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    // The failure converter goes into the bundle too: workflow code turns its own errors into failures.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietBundlerLogger,
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as Record<string, string | false>), [ZOD_MODULE]: ZOD_ON_DEMAND_MODULE } },
      // Scope hoisting: the ES modules evaluated in one scope instead of a function each with its
      // exports defined one by one, which every new workflow pays again in its sandbox (about half
      // a millisecond of each case's first workflow task in a profile of the intake benchmark).
      optimization: { ...config.optimization, concatenateModules: true },
    }),
  });
  return bundle;
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};

export interface WorkerDeps {
  config: Pick<
    Config,
        | 'payloadKeys'
    | 'activePayloadKeyId'
    | 'dataKeys'
    | 'activeDataKeyId'
    | 'immigrationAgencyId'
    | 'timeScale'
    | 'maxMessagesPerRun'
    | 'retentionDays'
    | 'bulk'
    | 'temporalCallTimeoutMs'
    | 'webhooks'
  > &
    Partial<Pick<Config, 'worker'>> &
    Partial<Pick<Config, 'reflectionPeriodDays'>> & {
    temporal: { namespace: string; taskQueue: string };
    workflowBundlePath?: string;
  };
  connection: NativeConnection;
  db: Db;
  hasher: IdentityHasher;
  /** For activities that start or signal workflows (operations). */
  temporal: Client;
}

export async function createCaseWorker(deps: WorkerDeps): Promise<Worker> {
  const policy = policyFor(deps.config.timeScale, deps.config.maxMessagesPerRun, deps.config.reflectionPeriodDays);
  const bundlePath = workflowBundlePath(deps.config.workflowBundlePath);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    // Every worker of a fleet (or of a test) can share one bundle built beforehand.
    workflowBundle: bundlePath ? { codePath: bundlePath } : await workflowBundle(),
    activities: createActivities({
      db: deps.db,
      hasher: deps.hasher,
      cipher: fieldCipher(deps.config),
      temporal: deps.temporal,
      caseTaskQueue: deps.config.temporal.taskQueue,
      immigrationAgencyId: deps.config.immigrationAgencyId,
      policy,
      retentionMs: daysMs(policy, deps.config.retentionDays),
      bulk: deps.config.bulk,
      temporalCallTimeoutMs: deps.config.temporalCallTimeoutMs,
      webhooks: deps.config.webhooks,
    }),
    dataConverter: dataConverter(deps.config),
    ...deps.config.worker,
  });
}

export { NativeConnection };
