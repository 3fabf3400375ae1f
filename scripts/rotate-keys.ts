// `npm run keys:rotate [-- --check] [--batch-size N]`: re-seals personal data at rest under the active
// data key and rehashes identity documents and possible-duplicate keys under the active identity-hash
// key (db/rotate.ts), while the API and the worker keep running. `--check` only counts what is left
// and exits 1 if anything is.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import { createDb } from '../db/client.js';
import { fieldCipher } from '../db/at-rest.js';
import { createIdentityHasher } from '../db/identity.js';
import { rotateKeys } from '../db/rotate.js';

async function main() {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, 'batch-size': { type: 'string', default: '500' } } });
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error('--batch-size must be an integer from 1 to 10000');
  const config = loadConfig();
  const db = createDb(config.databaseUrl, 2);
  try {
    const report = await rotateKeys({
      db,
      cipher: fieldCipher(config),
      hasher: createIdentityHasher(config),
      batchSize,
      check: values.check,
      log: (m) => console.log(m),
    });
    const left =
      Object.values(report.tables).reduce((n, t) => n + t.stale - t.resealed, 0) +
      (values.check ? report.identityDocuments.cases + report.personMatchKeys.cases : report.identityDocuments.withoutDocuments);
    console.log(
      values.check
        ? `${left} row(s) not yet under data key "${report.dataKeyId}" / hash key "${report.hashKeyId}"`
        : `done: everything readable is now under data key "${report.dataKeyId}" and hash key "${report.hashKeyId}"${left > 0 ? ` (${left} row(s) skipped or without documents: run again)` : ''}`,
    );
    if (values.check && left > 0) process.exitCode = 1;
  } finally {
    await db.$client.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
