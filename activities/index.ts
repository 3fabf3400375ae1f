// The worker's activities, built from their dependencies (database, identity hasher, Temporal
// client, policy) so tests and the worker wire real ones the same way. Workflows import only the type.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import type { IdentityHasher } from '../db/identity.js';
import type { DeadlinePolicy } from '../domain/policy.js';
import { createCaseActivities } from './cases.js';
import { createOperationActivities } from './operations.js';

export interface ActivityDeps {
  db: Db;
  hasher: IdentityHasher;
  temporal: Client;
  caseTaskQueue: string;
  immigrationAgencyId: string;
  policy: DeadlinePolicy;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCaseActivities(deps),
    ...createOperationActivities(deps),
  };
}

export type CaseActivities = ReturnType<typeof createActivities>;
