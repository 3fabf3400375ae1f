// The worker's activities, built from their dependencies (database, identity hasher) so tests and
// the worker wire real ones the same way. Workflows import only the type.
import type { Db } from '../db/client.js';
import type { IdentityHasher } from '../db/identity.js';
import { createCaseActivities } from './cases.js';

export interface ActivityDeps {
  db: Db;
  hasher: IdentityHasher;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCaseActivities(deps),
  };
}

export type CaseActivities = ReturnType<typeof createActivities>;
