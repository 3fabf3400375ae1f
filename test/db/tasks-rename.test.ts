// Migration 0012 renames `agency_tasks` to `tasks` (it holds supervisors' and caseworkers' tasks
// too). A database that ran the earlier migrations keeps its rows, and their sealed values still
// open: they were sealed under the old table name, which stays their label (db/at-rest.ts).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseView, initialState } from '../../domain/case.js';
import { personSchema } from '../../domain/schemas.js';
import { fieldCipher, openTaskRow } from '../../db/at-rest.js';
import { caseRow } from '../../db/case-rows.js';
import { type Db, createDb } from '../../db/client.js';
import { dropDatabase, ensureDatabase, migrateDatabase } from '../../db/migrate.js';
import { cases, tasks } from '../../db/schema/index.js';
import { testConfig } from '../support/harness.js';

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');
const RENAME_TAG = '0012_rename_agency_tasks_to_tasks';

let databaseUrl: string;
let db: Db;
let beforeRename: string;
const config = testConfig();
const cipher = fieldCipher(config);

/** The migrations folder as it was before the rename: its journal ends at the migration before. */
async function migrationsBeforeRename(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'homeward-migrations-'));
  await fs.cp(MIGRATIONS, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(await fs.readFile(journalPath, 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
  const renameAt = journal.entries.findIndex((e) => e.tag === RENAME_TAG);
  expect(renameAt).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, renameAt);
  await fs.writeFile(journalPath, JSON.stringify(journal));
  return dir;
}

beforeAll(async () => {
  const url = new URL(config.databaseUrl);
  url.pathname = `${url.pathname}_rename_${randomUUID().slice(0, 8)}`;
  databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  db = createDb(databaseUrl, 2);
  beforeRename = await migrationsBeforeRename();
  await migrate(db, { migrationsFolder: beforeRename });
});
afterAll(async () => {
  await db?.$client.end();
  if (databaseUrl) await dropDatabase(databaseUrl);
  if (beforeRename) await fs.rm(beforeRename, { recursive: true, force: true });
});

describe('renaming agency_tasks to tasks', () => {
  it('when a database with tasks sealed under the old table name is migrated, then every row is kept and its sealed values open', async () => {
    const caseId = randomUUID();
    const state = initialState({
      caseId,
      reference: `HW-R-${caseId.slice(0, 8)}`,
      office: 'rename-office',
      consulateId: 'consulate-rename',
      immigrationAgencyId: 'immigration',
      person: personSchema.parse({ fullName: 'Rename Tester', nationality: 'PH', documents: [] }),
      source: { type: 'hotline' },
      riskFlags: [],
      openedBy: { sub: 'cw-rename', role: 'caseworker' },
      openedAt: '2026-10-01T08:00:00.000Z',
    });
    await db.insert(cases).values(caseRow(caseView(state), cipher));
    const taskId = randomUUID();
    const input = { fullName: 'Rename Tester', note: 'needs an interpreter' };
    // Sealed exactly as the code before the rename sealed it: the table's name in the associated data.
    const oldLabel = (column: string) => JSON.stringify(['agency_tasks', column, taskId]);
    await db.$client.query(
      `insert into agency_tasks (id, case_id, case_reference, office, agency_id, audience, type, status, priority, due_at, input, result, reason, created_at, rev)
       values ($1, $2, 'HW-R', 'rename-office', null, 'supervisor', 'supervisor_review', 'rejected', 'normal', now(), $3, $4, $5, now(), 2)`,
      [taskId, caseId, JSON.stringify(cipher.seal(input, oldLabel('input'))), JSON.stringify(cipher.seal({ decision: 'wait' }, oldLabel('result'))), cipher.seal('no answer', oldLabel('reason'))],
    );

    await migrateDatabase(databaseUrl);

    const [row] = await db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(row).toBeDefined();
    const opened = openTaskRow(cipher, row!);
    expect(opened).toMatchObject({ caseId, status: 'rejected', rev: 2, input, result: { decision: 'wait' }, reason: 'no answer' });
    const { rows: old } = await db.$client.query<{ n: number }>(`select count(*)::int as n from pg_class where relname like 'agency_tasks%'`);
    expect(old[0]!.n).toBe(0);
  });

  it('when the table is renamed, then its indexes and constraints carry the new name', async () => {
    const { rows: indexes } = await db.$client.query<{ name: string }>(`select indexname as name from pg_indexes where tablename = 'tasks' order by 1`);
    // The renamed ones, and none left with the old prefix (later migrations add more of their own).
    expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['tasks_agency_idx', 'tasks_case_idx', 'tasks_office_idx', 'tasks_open_due_idx', 'tasks_pkey']));
    expect(indexes.map((i) => i.name).filter((n) => !n.startsWith('tasks_'))).toEqual([]);
    const { rows: constraints } = await db.$client.query<{ name: string }>(`select conname as name from pg_constraint where conrelid = 'tasks'::regclass order by 1`);
    expect(constraints.map((c) => c.name)).toEqual(['tasks_case_id_cases_id_fk', 'tasks_pkey']);
  });
});
