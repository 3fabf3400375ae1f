// What the API needs from the outside world, passed to createApp so tests wire real ones.
import type { Client } from '@temporalio/client';
import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import type { IdentityHasher } from '../db/identity.js';
import type { Logger } from './logger.js';

export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Client;
  hasher: IdentityHasher;
  logger: Logger;
}
