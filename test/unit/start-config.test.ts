// The settings of a local start, read by the one configuration schema like every other setting:
// the Temporal dev server's CLI and ports, the data folder, and whether `npm start` may run an
// embedded PostgreSQL (only when DATABASE_URL is unset).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATABASE_URL, loadConfig } from '../../config/index.js';

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
};

describe('the configuration of a local start', () => {
  it('when nothing is set, then the dev server listens on 7233 with its UI on 8233, state goes to ./.data, and an embedded PostgreSQL is allowed', () => {
    const config = loadConfig({});
    expect(config.temporalDevServer).toEqual({ cli: undefined, port: 7233, uiPort: 8233, searchPath: '' });
    expect(config.dataDir).toBe(path.resolve('.data'));
    expect(config.databaseUrl).toBe(DEFAULT_DATABASE_URL);
    expect(config.databaseUrlFromEnv).toBe(false);
    expect(config.embeddedPostgres).toEqual({ mode: 'auto', port: 5433 });
  });

  it('when DATABASE_URL is set, then it is used and marked as chosen, so no embedded PostgreSQL replaces it', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/homeward' });
    expect(config.databaseUrl).toBe('postgres://app@db.internal:5432/homeward');
    expect(config.databaseUrlFromEnv).toBe(true);
  });

  it('when the UI is switched off or the ports are given, then the dev server settings say so', () => {
    for (const off of ['off', 'OFF', 'false', 'none']) expect(loadConfig({ TEMPORAL_UI_PORT: off }).temporalDevServer.uiPort).toBe(false);
    const config = loadConfig({ TEMPORAL_PORT: '0', TEMPORAL_UI_PORT: '9233', TEMPORAL_CLI: '/opt/temporal', PATH: '/usr/bin', HOMEWARD_DATA_DIR: '/var/lib/homeward' });
    expect(config.temporalDevServer).toEqual({ cli: '/opt/temporal', port: 0, uiPort: 9233, searchPath: '/usr/bin' });
    expect(config.dataDir).toBe('/var/lib/homeward');
  });

  it.each([
    ['TEMPORAL_PORT', '70000'],
    ['TEMPORAL_UI_PORT', 'sometimes'],
    ['HOMEWARD_EMBEDDED_POSTGRES', 'maybe'],
    ['HOMEWARD_EMBEDDED_POSTGRES_PORT', '-1'],
  ])('when %s is %s, then the start is refused in one line naming it', (setting, value) => {
    const err = refusal({ [setting]: value });
    expect(err.message).not.toContain('\n');
    expect(err.issues.map((i) => i.setting)).toEqual([setting]);
  });
});
