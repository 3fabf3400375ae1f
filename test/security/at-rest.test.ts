// Personal data at rest: after a realistic run (a case opened with an Idempotency-Key, notes, medical
// needs, consular tasks claimed, completed and rejected, a closure with comments, a raid of several
// persons), the raw tables hold no name, document number, phone, note or free text in clear, and
// every personal column is sealed under the active data key; the API still reads it all and still
// finds a person by document number. Then `keys:rotate`, on a database of its own, moves everything
// to a new data key and a new identity-hash key while the API keeps working, after which the old
// keys can be dropped.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher, aad, keyIdOf } from '../../db/at-rest.js';
import { createIdentityHasher } from '../../db/identity.js';
import { rotateKeys } from '../../db/rotate.js';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { found, ownDatabase } from '../support/security.js';
import { bearer, expectValidation, tasksOf } from '../api/support.js';

const SEALED_COLUMNS: Record<string, string[]> = {
  cases: ['snapshot', 'legal_hold_reason'],
  case_events: ['data'],
  tasks: ['input', 'result', 'reason'],
  approvals: ['comment', 'decision_comment'],
  operation_persons: ['person', 'risk_flags', 'location'],
  idempotency_keys: ['response'],
  webhooks: ['secret'],
  webhook_deliveries: ['payload'],
};

/** Every row of every table of the read model, as JSON text. */
async function dumpTables(h: Pick<Harness, 'db'>): Promise<string> {
  const tables = ['cases', 'case_events', 'tasks', 'approvals', 'operation_persons', 'operations', 'idempotency_keys', 'identity_documents', 'person_match_keys'];
  const parts: string[] = [];
  for (const t of tables) {
    const { rows } = await h.db.$client.query<{ j: string }>(`select row_to_json(t)::text as j from ${t} t`);
    parts.push(...rows.map((r) => r.j));
  }
  return parts.join('\n');
}

/** The key ids of every non-null personal value in rows matching `where` (per table). */
async function keyIdsOf(h: Pick<Harness, 'db'>, where: Record<string, { sql: string; params: unknown[] }>): Promise<Array<string | null>> {
  const ids: Array<string | null> = [];
  for (const [table, columns] of Object.entries(SEALED_COLUMNS)) {
    const w = where[table];
    if (!w) continue;
    const { rows } = await h.db.$client.query<Record<string, unknown>>(`select ${columns.join(', ')} from ${table} where ${w.sql}`, w.params);
    for (const r of rows) for (const c of columns) if (r[c] !== null) ids.push(keyIdOf(r[c]));
  }
  return ids;
}

const uniqueName = (first: string, last: string) => `${first} ${last}-${randomBytes(3).toString('hex')}`;
const docNumber = (prefix: string) => `${prefix}${randomBytes(5).toString('hex').toUpperCase()}`;

describe('the read model after a realistic run, read raw', () => {
  let h: Harness;
  let p: drive.People;
  let consulateId: string;
  let caseId: string;
  let operationId: string;
  const fullName = uniqueName('Quillon', 'Zaragosa');
  const passport = docNumber('QZ');
  const phone = '+63 917 555 0192';
  const note = `Spoke with her brother about ${fullName}: hiding near the east gate`;
  const medical = `untreated fracture of the left wrist ${randomUUID().slice(0, 6)}`;
  const travelDocument = docNumber('ETD');
  const rejection = `we have no record of ${fullName} under passport ${passport}`;
  const closureComment = `reunited with the family in Tacloban ${randomUUID().slice(0, 6)}`;
  const decisionComment = `confirmed by phone with ${fullName}`;
  const raid = [0, 1, 2].map((i) => ({ name: uniqueName(['Ottoline', 'Baptiste', 'Ximena'][i]!, 'Marchbanks'), doc: docNumber('RD') }));
  const idemKey = `open-${randomUUID()}`;
  let openBody: Record<string, unknown> = {};

  beforeAll(async () => {
    h = await startHarness();
    consulateId = await createConsulate(h);
    p = await drive.people(h, consulateId);
    // Opened with an Idempotency-Key: the answer (the whole case) is stored for retries.
    openBody = {
      person: personBody({ fullName, phone, documents: [{ type: 'passport', number: passport, issuingCountry: 'PH' }] }),
      location: { country: 'MM', region: 'Kayin', site: 'KK Park', confirmed: true },
      source: { type: 'family_report', reference: 'hotline-77' },
      riskFlags: ['abused'],
      consulateId,
    };
    const opened = await h.http.post('/v1/cases').set(bearer(p.caseworker)).set('Idempotency-Key', idemKey).send(openBody);
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    caseId = opened.body.id;
    await drive.act(h.http, p.caseworker, caseId, { type: 'add_note', text: note });
    await drive.act(h.http, p.caseworker, caseId, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak immigration', injured: true, medicalNeeds: medical });
    const tasks = await drive.openTasksOf(h.http, p.consul, caseId);
    for (const t of tasks) {
      // Claims with a key: their answers (the task, with its input) are stored too.
      const claimed = await h.http.post(`/v1/tasks/${t.id}/claim`).set(bearer(p.consul)).set('Idempotency-Key', `claim-${t.id}`);
      expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
      if (t.type === 'arrange_shelter') {
        const rejected = await h.http.post(`/v1/tasks/${t.id}/reject`).set(bearer(p.consul)).send({ reason: rejection });
        expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
        continue;
      }
      const result =
        t.type === 'issue_travel_document'
          ? { documentType: 'emergency_travel_document', number: travelDocument, validUntil: '2027-01-31' }
          : t.type === 'verify_nationality'
            ? { verified: true, notes: `${fullName} answered every question` }
            : drive.CONSULAR_RESULTS[t.type]!;
      const done = await h.http.post(`/v1/tasks/${t.id}/complete`).set(bearer(p.consul)).send({ result });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }
    await drive.act(h.http, p.caseworker, caseId, { type: 'request_closure', reason: 'transferred', comment: closureComment });
    const approvals = await h.http.get('/v1/approvals').query({ status: 'pending', limit: 200 }).set(bearer(p.supervisor));
    const approval = (approvals.body.items as Array<{ id: string; caseId: string }>).find((a) => a.caseId === caseId)!;
    const decided = await h.http.post(`/v1/approvals/${approval.id}/decision`).set(bearer(p.supervisor)).send({ decision: 'approved', comment: decisionComment });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);

    const op = await h.http
      .post('/v1/operations')
      .set(bearer(p.caseworker))
      .set('Idempotency-Key', `op-${randomUUID()}`)
      .send({
        name: 'Shwe Kokko handover',
        country: 'MM',
        date: '2026-11-20',
        consulateId,
        persons: raid.map((r) => ({
          person: personBody({ fullName: r.name, documents: [{ type: 'passport', number: r.doc, issuingCountry: 'PH' }] }),
          riskFlags: ['pregnant'],
          location: { country: 'MM', site: `Building ${r.doc}` },
        })),
      });
    expect(op.status, JSON.stringify(op.body)).toBe(202);
    operationId = op.body.id;
    await drive.waitFor('the operation', async () => (await h.http.get(`/v1/operations/${operationId}`).set(bearer(p.caseworker))).body.status === 'completed', 60_000, 200);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const needles = () => [
    fullName,
    fullName.split(' ')[1]!,
    passport,
    phone,
    note,
    'hiding near the east gate',
    medical,
    travelDocument,
    rejection,
    closureComment,
    decisionComment,
    ...raid.flatMap((r) => [r.name, r.doc, `Building ${r.doc}`]),
  ];

  it('when the API reads the case, its timeline, its tasks and the raid, then everything is there (the search below can fail)', async () => {
    const view = (await h.http.get(`/v1/cases/${caseId}`).set(bearer(p.caseworker))).body;
    // The consulate's travel document joined the person's documents.
    expect(view.person).toMatchObject({ fullName, phone, documents: [{ number: passport }, { number: travelDocument, type: 'emergency_travel_document' }] });
    const timeline = JSON.stringify((await h.http.get(`/v1/cases/${caseId}/timeline`).query({ limit: 500 }).set(bearer(p.caseworker))).body);
    for (const text of [note, medical, travelDocument, rejection, closureComment, decisionComment]) expect(timeline).toContain(text);
    const tasks = JSON.stringify(await tasksOf(h, p.consul, caseId));
    for (const text of [fullName, passport, travelDocument, rejection]) expect(tasks).toContain(text);
    const raidCases = (await h.http.get('/v1/cases').query({ operationId }).set(bearer(p.caseworker))).body.items as Array<{ person: { fullName: string } }>;
    expect(raidCases.map((c) => c.person.fullName).sort()).toEqual(raid.map((r) => r.name).sort());
    // The stored answer (sealed) replays whole.
    const replay = await h.http.post('/v1/cases').set(bearer(p.caseworker)).set('Idempotency-Key', idemKey).send(openBody);
    expect(replay.status, JSON.stringify(replay.body)).toBe(201);
    expect(replay.body).toMatchObject({ id: caseId, person: { fullName, phone } });
  });

  it('when every table of the read model is read raw, then no name, document number, phone, note or free text appears, in clear or base64', async () => {
    const text = await dumpTables(h);
    expect(text).toContain(caseId);
    expect(found(text, needles())).toEqual([]);
  });

  it('when the personal columns of this run are inspected, then every value is sealed under the active data key', async () => {
    const ids = await keyIdsOf(h, {
      cases: { sql: 'id = $1 or operation_id = $2', params: [caseId, operationId] },
      case_events: { sql: 'case_id in (select id from cases where id = $1 or operation_id = $2)', params: [caseId, operationId] },
      tasks: { sql: 'case_id = $1', params: [caseId] },
      approvals: { sql: 'case_id = $1', params: [caseId] },
      operation_persons: { sql: 'operation_id = $1', params: [operationId] },
      idempotency_keys: { sql: `subject in ('cw-ana', 'consul-chen') and status_code is not null`, params: [] },
    });
    expect(ids.length).toBeGreaterThan(30);
    expect(new Set(ids)).toEqual(new Set([h.config.activeDataKeyId]));
  });

  it('when a note holds a NUL or a lone surrogate, then 400 on that field (sealed, PostgreSQL would no longer refuse it itself)', async () => {
    for (const text of ['x\u0000y', 'x\ud800y', 'x\udc00y']) {
      expectValidation(await h.http.post(`/v1/cases/${caseId}/actions`).set(bearer(p.caseworker)).send({ type: 'add_note', text }), ['text']);
    }
    expectValidation(await h.http.post('/v1/cases').set(bearer(p.caseworker)).send({ ...openBody, person: { ...(openBody.person as object), fullName: 'A\u0000B' } }), ['person.fullName']);
  });

  it('when a caseworker searches by the passport or the travel document number, then the case is found by its keyed hash, which carries its key id', async () => {
    for (const number of [passport, travelDocument]) {
      const res = await h.http.get('/v1/cases').query({ q: number.toLowerCase() }).set(bearer(p.caseworker));
      expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([caseId]);
    }
    const { rows } = await h.db.$client.query('select hash_key_id from identity_documents where case_id = $1', [caseId]);
    expect(rows).toEqual([{ hash_key_id: h.config.activeIdentityHashKeyId }, { hash_key_id: h.config.activeIdentityHashKeyId }]);
  });
});

describe('a sealed value', () => {
  const key = (id: string) => ({ id, key: randomBytes(32) });
  const a = key('a');
  const b = key('b');

  it('when it is opened in another row or column than its own, or tampered with, then it does not open', () => {
    const c = new FieldCipher([a], 'a');
    const sealed = c.seal({ fullName: 'Ana Reyes' }, aad.caseSnapshot('case-1'))!;
    expect(sealed).toMatch(/^hwenc:v1:a:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('Ana');
    expect(c.open(sealed, aad.caseSnapshot('case-1'))).toEqual({ fullName: 'Ana Reyes' });
    expect(() => c.open(sealed, aad.caseSnapshot('case-2'))).toThrow();
    expect(() => c.open(sealed, aad.eventData('case-1', 1))).toThrow();
    const tampered = sealed.slice(0, -3) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-2);
    expect(() => c.open(tampered, aad.caseSnapshot('case-1'))).toThrow();
  });

  it('when the keys rotate, then values under any configured key open, new ones carry the active key, and a missing key is named', () => {
    const old = new FieldCipher([a], 'a');
    const rotated = new FieldCipher([a, b], 'b');
    const underA = old.seal('note', 'x')!;
    expect(rotated.open(underA, 'x')).toBe('note');
    expect(keyIdOf(rotated.seal('note', 'x'))).toBe('b');
    expect(() => old.open(rotated.seal('note', 'x'), 'x')).toThrow(/"b"/);
    // Written before encryption: read as it is.
    expect(rotated.open({ text: 'legacy' }, 'x')).toEqual({ text: 'legacy' });
    expect(rotated.isCurrent({ text: 'legacy' })).toBe(false);
    expect(rotated.seal(null, 'x')).toBeNull();
  });
});

describe('npm run keys:rotate, on a database of its own', () => {
  const k = () => randomBytes(32).toString('base64');
  const oldData = `old:${k()}`;
  const newData = `new:${k()}`;
  const oldHash = `h-old:${randomBytes(24).toString('hex')}`;
  const newHash = `h-new:${randomBytes(24).toString('hex')}`;
  let db: Awaited<ReturnType<typeof ownDatabase>>;
  let before: Harness | undefined;
  let after: Harness | undefined;
  let onlyNew: Harness | undefined;
  const fullName = uniqueName('Rotated', 'Person');
  const passport = docNumber('RT');
  const raidDoc = docNumber('RR');
  let caseId = '';
  let taskQueue = '';

  beforeAll(async () => {
    db = await ownDatabase();
    before = await startHarness({ config: { ...db.config, HOMEWARD_DATA_KEYS: oldData, HOMEWARD_IDENTITY_HASH_KEYS: oldHash } });
    taskQueue = before.config.temporal.taskQueue;
    const consulateId = await createConsulate(before);
    const p = await drive.people(before, consulateId);
    // A subscription whose receiver never answers: its secret, and the payloads waiting for it, are sealed too.
    const hook = await before.http
      .post('/v1/webhooks')
      .set(bearer(await before.token('admin')))
      .send({ url: 'http://127.0.0.1:9/homeward', events: ['task.created', 'approval.requested'], secret: 'a-secret-of-the-consulate-42', office: before.office });
    expect(hook.status).toBe(201);
    const opened = await before.http
      .post('/v1/cases')
      .set(bearer(p.caseworker))
      .set('Idempotency-Key', `rot-${randomUUID()}`)
      .send({ person: personBody({ fullName, documents: [{ type: 'passport', number: passport, issuingCountry: 'PH' }] }), source: { type: 'hotline' }, consulateId, location: { country: 'MM', confirmed: true } });
    expect(opened.status).toBe(201);
    caseId = opened.body.id;
    await drive.act(before.http, p.caseworker, caseId, { type: 'add_note', text: `first note about ${fullName}` });
    await drive.act(before.http, p.caseworker, caseId, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak' });
    const op = await before.http
      .post('/v1/operations')
      .set(bearer(p.caseworker))
      .send({ name: 'raid', country: 'MM', date: '2026-11-20', consulateId, persons: [{ person: personBody({ documents: [{ type: 'passport', number: raidDoc, issuingCountry: 'PH' }] }) }] });
    await drive.waitFor('the operation', async () => (await before!.http.get(`/v1/operations/${op.body.id}`).set(bearer(p.caseworker))).body.status === 'completed', 60_000, 200);
    // A row written before encryption existed: plain JSON.
    await before.db.$client.query(`update case_events set data = '{"text":"a plain legacy note"}'::jsonb where case_id = $1 and seq = 1`, [caseId]);
    // A case opened before possible duplicates existed: no match keys at all.
    await before.db.$client.query('delete from person_match_keys where case_id = $1', [caseId]);
    await before.stop();
    before = undefined;
    // The deploy: every process now has the new keys (active) beside the old ones, same task queue.
    after = await startHarness({
      config: { ...db.config, TEMPORAL_TASK_QUEUE: taskQueue, HOMEWARD_DATA_KEYS: `${oldData},${newData}`, HOMEWARD_IDENTITY_HASH_KEYS: `${oldHash},${newHash}` },
    });
  });
  afterAll(async () => {
    await before?.stop();
    await after?.stop();
    await onlyNew?.stop();
    await db?.drop();
  });

  const caseworkerOf = (h: Harness, office: string) => h.token('caseworker', { office, sub: 'cw-ana' });

  it('when the new keys are active beside the old ones, then rows under the old keys are still read and searched, and new writes use the new keys', async () => {
    const h = after!;
    const { rows } = await h.db.$client.query<{ office: string }>('select office from cases where id = $1', [caseId]);
    const cw = await caseworkerOf(h, rows[0]!.office);
    expect((await h.http.get(`/v1/cases/${caseId}`).set(bearer(cw))).body.person.fullName).toBe(fullName);
    expect((await h.http.get('/v1/cases').query({ q: passport }).set(bearer(cw))).body.items.map((c: { id: string }) => c.id)).toEqual([caseId]);
    await drive.act(h.http, cw, caseId, { type: 'add_note', text: 'written after the deploy' });
    const last = await h.db.$client.query<{ data: unknown }>('select data from case_events where case_id = $1 order by seq desc limit 1', [caseId]);
    expect(keyIdOf(last.rows[0]!.data)).toBe('new');
  });

  it('when keys:rotate runs while the API keeps writing and reading, then every value ends under the new data key and every hash under the new hash key', async () => {
    const h = after!;
    const { rows } = await h.db.$client.query<{ office: string }>('select office from cases where id = $1', [caseId]);
    const cw = await caseworkerOf(h, rows[0]!.office);
    const stale = await rotateKeys({ db: h.db, cipher: h.cipher, hasher: h.hasher, check: true });
    expect(Object.values(stale.tables).reduce((n, t) => n + t.stale, 0)).toBeGreaterThan(5);
    expect(stale.tables.webhooks!.stale).toBe(1);
    expect(stale.tables.webhook_deliveries!.stale).toBeGreaterThan(0);
    expect(stale.identityDocuments.cases).toBeGreaterThanOrEqual(2);
    expect(stale.personMatchKeys.cases).toBeGreaterThanOrEqual(2);

    // Small batches, to walk many pages; the API works on the same rows meanwhile.
    const traffic = (async () => {
      for (let i = 0; i < 5; i++) {
        await drive.act(h.http, cw, caseId, { type: 'add_note', text: `during rotation ${i}` });
        expect((await h.http.get(`/v1/cases/${caseId}/timeline`).query({ limit: 500 }).set(bearer(cw))).status).toBe(200);
      }
    })();
    const [report] = await Promise.all([rotateKeys({ db: h.db, cipher: h.cipher, hasher: h.hasher, batchSize: 3 }), traffic]);
    expect(report.identityDocuments.rehashed).toBeGreaterThanOrEqual(2);

    const left = await rotateKeys({ db: h.db, cipher: h.cipher, hasher: h.hasher, check: true });
    expect(Object.fromEntries(Object.entries(left.tables).map(([t, c]) => [t, c.stale]))).toEqual(Object.fromEntries(Object.keys(left.tables).map((t) => [t, 0])));
    expect(left.identityDocuments.cases).toBe(0);
    expect(left.personMatchKeys.cases).toBe(0);
    const all = await keyIdsOf(h, Object.fromEntries(Object.keys(SEALED_COLUMNS).map((t) => [t, { sql: 'true', params: [] }])));
    expect(new Set(all)).toEqual(new Set(['new']));
    const hashes = await h.db.$client.query('select distinct hash_key_id from identity_documents');
    expect(hashes.rows).toEqual([{ hash_key_id: 'h-new' }]);
    const matchKeys = await h.db.$client.query('select distinct hash_key_id from person_match_keys');
    expect(matchKeys.rows).toEqual([{ hash_key_id: 'h-new' }]);
    const backfilled = await h.db.$client.query('select 1 from person_match_keys where case_id = $1', [caseId]);
    expect(backfilled.rowCount).toBeGreaterThan(0);
  });

  it('when the old keys are then removed, then everything is still read, searched and matched as duplicate', async () => {
    onlyNew = await startHarness({ worker: false, config: { ...db.config, HOMEWARD_DATA_KEYS: newData, HOMEWARD_IDENTITY_HASH_KEYS: newHash } });
    const h = onlyNew;
    const { rows } = await h.db.$client.query<{ office: string; consulate_id: string }>('select office, consulate_id from cases where id = $1', [caseId]);
    const cw = await caseworkerOf(h, rows[0]!.office);
    expect((await h.http.get(`/v1/cases/${caseId}`).set(bearer(cw))).body.person.fullName).toBe(fullName);
    const timeline = (await h.http.get(`/v1/cases/${caseId}/timeline`).query({ limit: 500 }).set(bearer(cw))).body.items as Array<{ data: { text?: string } }>;
    expect(timeline.map((e) => e.data.text).filter(Boolean)).toEqual(
      expect.arrayContaining(['a plain legacy note', `first note about ${fullName}`, 'written after the deploy', 'during rotation 4']),
    );
    const officer = await h.token('agency_officer', { agency: rows[0]!.consulate_id });
    expect((await tasksOf(h, officer, caseId)).every((t) => (t.input as { fullName?: string }).fullName === fullName || t.type === 'supervisor_review')).toBe(true);
    expect((await h.http.get('/v1/cases').query({ q: passport }).set(bearer(cw))).body.items.map((c: { id: string }) => c.id)).toEqual([caseId]);
    const dup = await h.http
      .post('/v1/cases')
      .set(bearer(cw))
      .send({ person: personBody({ documents: [{ type: 'passport', number: raidDoc, issuingCountry: 'PH' }] }), source: { type: 'hotline' }, consulateId: rows[0]!.consulate_id });
    expect(dup.status, JSON.stringify(dup.body)).toBe(409);
    expect(dup.body.error.code).toBe('duplicate_person');
    // The old hash key alone no longer finds anyone: the hashes really were remade.
    const oldHasher = createIdentityHasher({ identityHashKeys: [{ id: 'h-old', key: oldHash.slice('h-old:'.length) }], activeIdentityHashKeyId: 'h-old' });
    const byOld = await h.db.$client.query('select 1 from identity_documents where number_hash = $1', [oldHasher.numberHash(passport)]);
    expect(byOld.rowCount).toBe(0);
    // The same person without papers is still found as a possible duplicate, under the new hash key alone.
    const again = await h.http.post('/v1/cases').set(bearer(cw)).send({ person: personBody({ fullName: fullName.toUpperCase(), documents: [] }), consulateId: rows[0]!.consulate_id });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.possibleDuplicates).toEqual([expect.objectContaining({ caseId, matchedOn: ['name', 'dateOfBirth', 'nationality'] })]);
  });
});
