// `npm run secrets [-- --out FILE] [--force]`: writes an `.env` with fresh random secrets for a
// production-mode stack (docker compose reads it). Nothing here is ever printed: the values go into
// the file only, readable by its owner alone. An existing file is never overwritten silently: its
// payload and hash keys are the only way to read the history and match the documents already stored.
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const b64url = (bytes: number) => randomBytes(bytes).toString('base64url');

/** The settings `npm run secrets` writes, in the order of the file. */
export function freshSecrets(now = new Date()): Record<string, string> {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return {
    AUTH_JWT_SECRET: b64url(48),
    AUTH_ISSUER: 'homeward',
    AUTH_AUDIENCE: 'homeward-api',
    // A key id that says when the key was made; rotation adds a newer one (README "Configuration").
    HOMEWARD_PAYLOAD_KEYS: `k${day}:${randomBytes(32).toString('base64')}`,
    // Personal fields in PostgreSQL are sealed with keys of their own (SECURITY.md).
    HOMEWARD_DATA_KEYS: `d${day}:${randomBytes(32).toString('base64')}`,
    HOMEWARD_IDENTITY_HASH_KEY: b64url(48),
    // Hex only: it is also written into DATABASE_URL by docker-compose.yml.
    POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
  };
}

export function renderEnv(values: Record<string, string>, now = new Date()): string {
  return [
    `# Written by \`npm run secrets\` on ${now.toISOString()}. Keep this file secret and out of git.`,
    '# Losing HOMEWARD_PAYLOAD_KEYS makes the Temporal history unreadable, HOMEWARD_DATA_KEYS the personal data in PostgreSQL; losing',
    '# HOMEWARD_IDENTITY_HASH_KEY breaks duplicate matching. Back them up where the data is backed up.',
    ...Object.entries(values).map(([k, v]) => `${k}=${v}`),
    '',
  ].join('\n');
}

/** Writes the file; refuses to replace one unless `force`, and then keeps the old one beside it. */
export function writeSecrets(file: string, opts: { force?: boolean; now?: Date } = {}): { file: string; backup?: string } {
  const now = opts.now ?? new Date();
  let backup: string | undefined;
  if (existsSync(file)) {
    if (!opts.force) throw new Error(`${file} exists; it may hold the only copy of keys in use. Use --force to replace it (the old file is kept as a backup).`);
    backup = `${file}.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
    renameSync(file, backup);
  }
  writeFileSync(file, renderEnv(freshSecrets(now), now), { mode: 0o600, flag: 'wx' });
  return { file, backup };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: '.env' }, force: { type: 'boolean', default: false } } });
  try {
    const { file, backup } = writeSecrets(path.resolve(values.out), { force: values.force });
    if (backup) console.error(`kept the previous file as ${backup} (it holds the old keys: keep it as safe as the new one, or delete it)`);
    console.error(`wrote ${file} (mode 600) with fresh secrets; docker compose reads it from this folder`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
