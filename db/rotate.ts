// Key rotation of data at rest (`npm run keys:rotate`): re-seals every sealed column under the
// active data key (HOMEWARD_DATA_KEY_ID), seals values written before encryption existed, and rehashes
// identity documents and possible-duplicate keys under the active identity-hash key, table by table,
// in keyset-ordered batches. Cases opened before possible duplicates existed get their keys here too.
//
// Without downtime: readers accept every configured key, so rows are readable before, during and
// after; each batch is one short transaction, and each row is updated only if it still holds the value
// read (a writer that got there first wrote under the active key already). Order of a rotation:
// 1. add the new key to HOMEWARD_DATA_KEYS (and/or HOMEWARD_IDENTITY_HASH_KEYS) and make it active in
//    every process (API and worker), 2. run this, 3. remove the old key once `--check` reports 0 left.
import type { Db } from './client.js';
import { type FieldCipher, aad } from './at-rest.js';
import type { IdentityHasher } from './identity.js';
import type { IdentityDocument, Person } from '../domain/schemas.js';
import { matchMaterials } from '../domain/person-match.js';

type Row = Record<string, unknown>;

interface SealedColumn {
  name: string;
  jsonb: boolean;
  aad: (row: Row) => string;
}

interface TableSpec {
  table: string;
  keys: string[];
  /** Further columns the sealing context (aad) is built from. */
  context?: string[];
  columns: SealedColumn[];
}

const TABLES: TableSpec[] = [
  {
    table: 'cases',
    keys: ['id'],
    columns: [
      { name: 'snapshot', jsonb: true, aad: (r) => aad.caseSnapshot(String(r.id)) },
      { name: 'legal_hold_reason', jsonb: false, aad: (r) => aad.legalHoldReason(String(r.id)) },
    ],
  },
  {
    table: 'case_events',
    keys: ['case_id', 'seq'],
    columns: [{ name: 'data', jsonb: true, aad: (r) => aad.eventData(String(r.case_id), Number(r.seq)) }],
  },
  {
    table: 'tasks',
    keys: ['id'],
    columns: (['input', 'result', 'reason'] as const).map((c) => ({ name: c, jsonb: c !== 'reason', aad: (r: Row) => aad.task(String(r.id), c) })),
  },
  {
    table: 'approvals',
    keys: ['id'],
    columns: (['comment', 'decision_comment'] as const).map((c) => ({ name: c, jsonb: false, aad: (r: Row) => aad.approval(String(r.id), c) })),
  },
  {
    table: 'operation_persons',
    keys: ['operation_id', 'idx'],
    columns: (['person', 'risk_flags', 'location'] as const).map((c) => ({
      name: c,
      jsonb: true,
      aad: (r: Row) => aad.operationPerson(String(r.operation_id), Number(r.idx), c),
    })),
  },
  {
    table: 'webhooks',
    keys: ['id'],
    columns: [{ name: 'secret', jsonb: false, aad: (r) => aad.webhookSecret(String(r.id)) }],
  },
  {
    // Pending deliveries only hold a payload (it is dropped once a delivery settles).
    table: 'webhook_deliveries',
    keys: ['id'],
    context: ['webhook_id', 'dedupe_key'],
    columns: [{ name: 'payload', jsonb: true, aad: (r) => aad.webhookPayload(String(r.webhook_id), String(r.dedupe_key)) }],
  },
  {
    table: 'idempotency_keys',
    keys: ['subject', 'key'],
    columns: [{ name: 'response', jsonb: true, aad: (r) => aad.idempotencyResponse(String(r.subject), String(r.key)) }],
  },
];

export interface RotationCount {
  /** Rows read. */
  scanned: number;
  /** Rows with at least one value under another key (or not sealed at all). */
  stale: number;
  /** Rows re-sealed (0 with `check`). */
  resealed: number;
  /** Stale rows a concurrent writer changed first (it wrote under the active key). */
  skipped: number;
}

export interface RotationReport {
  dataKeyId: string;
  hashKeyId: string;
  tables: Record<string, RotationCount>;
  identityDocuments: { cases: number; rehashed: number; withoutDocuments: number };
  /** Cases whose possible-duplicate keys are under another key, or missing (opened before they existed). */
  personMatchKeys: { cases: number; rekeyed: number; withoutKeys: number };
}

export interface RotateOptions {
  db: Db;
  cipher: FieldCipher;
  hasher: IdentityHasher;
  batchSize?: number;
  /** Count what is left to rotate, change nothing. */
  check?: boolean;
  log?: (message: string) => void;
}

export async function rotateKeys(opts: RotateOptions): Promise<RotationReport> {
  const { db, cipher, hasher } = opts;
  const batchSize = opts.batchSize ?? 500;
  const log = opts.log ?? (() => {});
  const report: RotationReport = {
    dataKeyId: cipher.activeKeyId,
    hashKeyId: hasher.activeKeyId,
    tables: {},
    identityDocuments: { cases: 0, rehashed: 0, withoutDocuments: 0 },
    personMatchKeys: { cases: 0, rekeyed: 0, withoutKeys: 0 },
  };
  for (const spec of TABLES) {
    report.tables[spec.table] = await rotateTable(db, cipher, spec, batchSize, opts.check ?? false);
    log(`${spec.table}: ${JSON.stringify(report.tables[spec.table])}`);
  }
  report.identityDocuments = await rehashDocuments(db, cipher, hasher, batchSize, opts.check ?? false);
  log(`identity_documents: ${JSON.stringify(report.identityDocuments)}`);
  report.personMatchKeys = await rekeyPersons(db, cipher, hasher, batchSize, opts.check ?? false);
  log(`person_match_keys: ${JSON.stringify(report.personMatchKeys)}`);
  return report;
}

async function rotateTable(db: Db, cipher: FieldCipher, spec: TableSpec, batchSize: number, check: boolean): Promise<RotationCount> {
  const count: RotationCount = { scanned: 0, stale: 0, resealed: 0, skipped: 0 };
  const keyList = spec.keys.map((k) => `"${k}"`).join(', ');
  const columns = [...(spec.context ?? []), ...spec.columns.map((c) => c.name)].map((c) => `"${c}"`).join(', ');
  let after: unknown[] | null = null;
  for (;;) {
    const where: string = after ? `where (${keyList}) > (${spec.keys.map((_, i) => `$${i + 1}`).join(', ')})` : '';
    const { rows }: { rows: Row[] } = await db.$client.query<Row>(
      `select ${keyList}, ${columns} from "${spec.table}" ${where} order by ${keyList} limit ${batchSize}`,
      after ?? [],
    );
    if (rows.length === 0) break;
    count.scanned += rows.length;
    const stale = rows.filter((r) => spec.columns.some((c) => !cipher.isCurrent(r[c.name])));
    count.stale += stale.length;
    if (!check && stale.length > 0) {
      const client = await db.$client.connect();
      try {
        await client.query('begin');
        for (const r of stale) {
          const params: unknown[] = [];
          const param = (v: unknown) => {
            params.push(v);
            return `$${params.length}`;
          };
          const sets: string[] = [];
          const guards: string[] = [];
          for (const c of spec.columns) {
            const old = r[c.name];
            if (cipher.isCurrent(old)) continue;
            const fresh = cipher.seal(cipher.open(old, c.aad(r)), c.aad(r));
            sets.push(`"${c.name}" = ${c.jsonb ? `${param(JSON.stringify(fresh))}::jsonb` : param(fresh)}`);
            guards.push(`"${c.name}" is not distinct from ${c.jsonb ? `${param(JSON.stringify(old))}::jsonb` : param(old)}`);
          }
          const keys = spec.keys.map((k) => `"${k}" = ${param(r[k])}`);
          const res = await client.query(`update "${spec.table}" set ${sets.join(', ')} where ${[...keys, ...guards].join(' and ')}`, params);
          if (res.rowCount === 1) count.resealed += 1;
          else count.skipped += 1;
        }
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    }
    const last: Row = rows[rows.length - 1]!;
    after = spec.keys.map((k): unknown => last[k]);
  }
  return count;
}

/**
 * Identity documents hashed under another key: rehashed from the case's own (sealed) snapshot, in
 * one transaction per case with the case row locked. A case whose snapshot lists no documents (an
 * anonymised one has no hashes either) keeps what it has and is counted.
 */
async function rehashDocuments(db: Db, cipher: FieldCipher, hasher: IdentityHasher, batchSize: number, check: boolean) {
  const out = { cases: 0, rehashed: 0, withoutDocuments: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await db.$client.query<{ case_id: string }>(
      `select distinct case_id from identity_documents where hash_key_id <> $1 and case_id > $2 order by case_id limit ${batchSize}`,
      [hasher.activeKeyId, after],
    );
    if (rows.length === 0) break;
    out.cases += rows.length;
    after = rows[rows.length - 1]!.case_id;
    if (check) continue;
    for (const { case_id: caseId } of rows) {
      const client = await db.$client.connect();
      try {
        await client.query('begin');
        const { rows: found } = await client.query<{ id: string; snapshot: unknown }>('select id, snapshot from cases where id = $1 for update', [caseId]);
        const view = found[0] ? cipher.open<{ person?: { documents?: IdentityDocument[] } }>(found[0].snapshot, aad.caseSnapshot(caseId)) : undefined;
        const documents = view?.person?.documents ?? [];
        if (documents.length === 0) {
          out.withoutDocuments += 1;
          await client.query('commit');
          continue;
        }
        const { rows: state } = await client.query<{ open: boolean }>('select bool_or(open) as open from identity_documents where case_id = $1', [caseId]);
        const open = state[0]?.open ?? false;
        await client.query('delete from identity_documents where case_id = $1 and hash_key_id <> $2', [caseId, hasher.activeKeyId]);
        for (const doc of documents) {
          await client.query(
            `insert into identity_documents (case_id, document_hash, number_hash, hash_key_id, open) values ($1, $2, $3, $4, $5) on conflict do nothing`,
            [caseId, hasher.documentHash(doc), hasher.numberHash(doc.number), hasher.activeKeyId, open],
          );
        }
        await client.query('commit');
        out.rehashed += 1;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    }
  }
  return out;
}

/**
 * Possible-duplicate keys under another key, and cases without any (opened before they existed, not
 * anonymised): remade from the case's own (sealed) snapshot, one transaction per case with its row
 * locked. A person whose name leaves nothing to match on has no keys, and is counted.
 */
async function rekeyPersons(db: Db, cipher: FieldCipher, hasher: IdentityHasher, batchSize: number, check: boolean) {
  const out = { cases: 0, rekeyed: 0, withoutKeys: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await db.$client.query<{ id: string }>(
      `select c.id from cases c
        where c.id > $2 and c.anonymised_at is null
          and (exists (select 1 from person_match_keys k where k.case_id = c.id and k.hash_key_id <> $1)
               or not exists (select 1 from person_match_keys k where k.case_id = c.id))
        order by c.id limit ${batchSize}`,
      [hasher.activeKeyId, after],
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    for (const { id: caseId } of rows) {
      const client = await db.$client.connect();
      try {
        await client.query('begin');
        const { rows: found } = await client.query<{ snapshot: unknown }>('select snapshot from cases where id = $1 and anonymised_at is null for update', [caseId]);
        const person = found[0] ? cipher.open<{ person?: Person }>(found[0].snapshot, aad.caseSnapshot(caseId)).person : undefined;
        const materials = person ? matchMaterials(person) : [];
        if (materials.length === 0) {
          out.withoutKeys += 1;
          await client.query('commit');
          continue;
        }
        out.cases += 1;
        if (check) {
          await client.query('commit');
          continue;
        }
        await client.query('delete from person_match_keys where case_id = $1', [caseId]);
        for (const m of materials) {
          await client.query(
            `insert into person_match_keys (case_id, key_hash, kind, name_form, dob_known, hash_key_id) values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
            [caseId, hasher.matchHash(m.material), m.kind, m.form, m.dobKnown, hasher.activeKeyId],
          );
        }
        await client.query('commit');
        out.rekeyed += 1;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    }
  }
  return out;
}
