// Personal data never reaches the Temporal server in clear: the history of a case, read raw (without
// the codec), holds no name and no document number, every payload is AES-GCM encrypted under a named
// key, and the workflow id and search attributes carry process facts only. Plus the codec itself.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { type Payload, ValueError, defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../temporal/codec.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { actOk, bearer, openBody, openCase } from '../api/support.js';
import { allText } from '../support/security.js';

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');


/** Every Payload in the tree, with the path it was found at. */
function payloadsIn(value: unknown, path = '', out: Array<{ path: string; payload: Payload }> = []): Array<{ path: string; payload: Payload }> {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const v = value as Record<string, unknown>;
  if (v.metadata && typeof v.metadata === 'object' && v.data instanceof Uint8Array) {
    out.push({ path, payload: v as unknown as Payload });
    return out;
  }
  for (const [k, child] of Object.entries(v)) payloadsIn(child, `${path}.${k}`, out);
  return out;
}

/**
 * How a needle looks inside a longer base64 text, for each of the three byte offsets (mod 3) it may
 * start at: only the characters of base64 groups made of needle bytes alone.
 */
function base64Forms(needle: string): string[] {
  const len = Buffer.byteLength(needle);
  return [0, 1, 2].map((shift) => {
    const b64 = Buffer.from('x'.repeat(shift) + needle).toString('base64');
    return b64.slice(4 * Math.ceil(shift / 3), 4 * Math.floor((shift + len) / 3));
  });
}

describe('the history of a case, read without the codec', () => {
  let h: Harness;
  let consulateId: string;
  let raw: Client;
  let caseId: string;
  const fullName = `Quillon Zaragosa-Vex ${randomUUID().slice(0, 4)}`;
  const docNumber = `QZ${randomBytes(5).toString('hex').toUpperCase()}`;
  const phone = '+63 917 000 4242';

  beforeAll(async () => {
    h = await startHarness();
    consulateId = await createConsulate(h);
    raw = new Client({ connection: h.temporal.connection, namespace: h.config.temporal.namespace });
    const caseworker = await h.token('caseworker', { office: h.office });
    const opened = await openCase(
      h,
      caseworker,
      openBody(consulateId, { riskFlags: ['abused'] }, { fullName, phone, documents: [{ type: 'passport', number: docNumber, issuingCountry: 'PH' }] }),
    );
    caseId = opened.id;
    // Personal data in free text, too: it travels as an update argument and in the persisted view.
    await actOk(h, caseworker, caseId, { type: 'add_note', text: `Spoke with ${fullName}, passport ${docNumber}` });
    await actOk(h, caseworker, caseId, { type: 'confirm_location', location: { country: 'MM', site: 'KK Park' } });
    await actOk(h, caseworker, caseId, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Tak' });
    const check = await h.http.get(`/v1/cases/${caseId}`).set(bearer(caseworker));
    expect(check.body.person.fullName).toBe(fullName);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const needles = () => [fullName, fullName.split(' ')[1]!, docNumber, phone];

  it('when the raw history is searched as text, then neither the name, the document number nor the phone appears', async () => {
    const history = await raw.workflow.getHandle(`case-${caseId}`).fetchHistory();
    expect(history.events!.length).toBeGreaterThan(10);
    const text = allText(history).join('\n');
    // Control of the base64 search: a needle at any offset of base64-encoded bytes is found.
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const encoded = Buffer.from(`${prefix}${docNumber}--`).toString('base64');
      expect(base64Forms(docNumber).some((f) => encoded.includes(f)), prefix).toBe(true);
    }
    for (const needle of needles()) {
      expect(text.includes(needle), needle).toBe(false);
      expect(text.toLowerCase().includes(needle.toLowerCase()), needle).toBe(false);
      for (const form of base64Forms(needle)) expect(text.includes(form), `base64 of ${needle}`).toBe(false);
    }
  });

  it('when the same payloads are decoded with the configured codec, then the data is there (the search above can fail)', async () => {
    const history = await raw.workflow.getHandle(`case-${caseId}`).fetchHistory();
    const codec = new AesGcmCodec(h.config.payloadKeys, h.config.activePayloadKeyId);
    const encrypted = payloadsIn(history).filter(({ path }) => !/searchAttributes/i.test(path));
    const decoded = await codec.decode(encrypted.map((p) => p.payload));
    const text = allText(decoded).join('\n');
    expect(text).toContain(fullName);
    expect(text).toContain(docNumber);
  });

  it('when the raw payloads are inspected, then every one but search attributes and SDK marker metadata is binary/encrypted under the active key id', async () => {
    const history = await raw.workflow.getHandle(`case-${caseId}`).fetchHistory();
    const all = payloadsIn(history).filter(({ path }) => !/searchAttributes/i.test(path));
    // Written by the SDK core, not through the data converter: a patch marker's id, and a local
    // activity marker's bookkeeping (seq, attempt, type, times). Checked to hold nothing else.
    const CORE_METADATA = /markerRecordedEventAttributes\.details\.(patch-data|data)\./;
    const metadata = all.filter(({ path }) => CORE_METADATA.test(path));
    for (const { path, payload } of metadata) {
      const value = JSON.parse(utf8(payload.data!)) as Record<string, unknown>;
      const allowed = path.includes('patch-data')
        ? ['deprecated', 'id']
        : ['activity_id', 'activity_type', 'attempt', 'backoff', 'complete_time', 'original_schedule_time', 'seq'];
      for (const key of Object.keys(value)) expect(allowed, `${path}: ${key}`).toContain(key);
    }
    const encryptedOnes = all.filter(({ path }) => !CORE_METADATA.test(path));
    // Workflow input, update arguments and results, activity inputs and results.
    expect(encryptedOnes.length).toBeGreaterThanOrEqual(8);
    for (const { path, payload } of encryptedOnes) {
      expect(utf8(payload.metadata!.encoding!), path).toBe('binary/encrypted');
      expect(utf8(payload.metadata!['encryption-key-id']!), path).toBe(h.config.activePayloadKeyId);
      expect(Object.keys(payload.metadata!).sort(), path).toEqual(['encoding', 'encryption-key-id']);
    }
  });

  it('when the workflow id and search attributes are read, then they hold no personal data', async () => {
    const handle = raw.workflow.getHandle(`case-${caseId}`);
    const d = await handle.describe();
    expect(d.workflowId).toMatch(/^case-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const indexed = d.raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
    const custom = Object.keys(indexed).filter((k) => k.startsWith('Homeward'));
    expect(custom.sort()).toEqual(['HomewardOffice', 'HomewardOnHold', 'HomewardPriority', 'HomewardStage', 'HomewardStatus']);
    const values = Object.fromEntries(Object.entries(indexed).map(([k, p]) => [k, utf8(p.data ?? new Uint8Array())]));
    expect(values.HomewardStage).toBe('"consular_contact"');
    expect(values.HomewardOffice).toBe(JSON.stringify(h.office));
    const text = allText(d.raw).join('\n') + Object.values(values).join('\n');
    for (const needle of needles()) expect(text.includes(needle), needle).toBe(false);
    // Nor in the memo or the search attributes written by the history's upserts.
    expect(Object.keys(d.raw.workflowExecutionInfo?.memo?.fields ?? {})).toEqual([]);
  });
});

describe('a PostgreSQL failure while the workflow persists a step', () => {
  let h: Harness;
  let raw: Client;
  let caseId: string;
  const tag = `encfault${randomUUID().slice(0, 6)}`;
  const fullName = `Ottoline Marchbanks ${randomUUID().slice(0, 4)}`;
  const docNumber = `OM${randomBytes(5).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    h = await startHarness();
    raw = new Client({ connection: h.temporal.connection, namespace: h.config.temporal.namespace });
    // The API's insert of the case row succeeds; the workflow's upsert of it (an UPDATE on conflict)
    // fails, for this test's office only, so persistCase keeps failing and retrying. The sequence
    // (not rolled back with the failed transaction) counts the attempts.
    await h.db.$client.query(`create sequence ${tag}_attempts`);
    await h.db.$client.query(`
      create or replace function ${tag}_fail() returns trigger language plpgsql as $$
      begin
        if new.office = '${tag}' then
          perform nextval('${tag}_attempts');
          raise exception 'injected persist failure' using errcode = 'XX000';
        end if;
        return new;
      end $$`);
    await h.db.$client.query(`create trigger ${tag}_fail before update on cases for each row execute function ${tag}_fail()`);

    const consulateId = await createConsulate(h);
    const caseworker = await h.token('caseworker', { office: tag });
    const res = await h.http
      .post('/v1/cases')
      .set(bearer(caseworker))
      .send(openBody(consulateId, {}, { fullName, documents: [{ type: 'passport', number: docNumber, issuingCountry: 'PH' }] }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    caseId = res.body.id as string;
    // Precondition: the persist step has failed (and been retried) at least twice.
    for (const until = Date.now() + 30_000; ; ) {
      const { rows } = await h.db.$client.query<{ n: string }>(`select last_value as n, is_called from ${tag}_attempts`);
      if ((rows[0] as unknown as { is_called: boolean }).is_called && Number(rows[0]!.n) >= 2) break;
      if (Date.now() > until) throw new Error('persistCase never ran into the injected failure');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    await h?.db.$client.query(`drop trigger if exists ${tag}_fail on cases`);
    await h?.db.$client.query(`drop function if exists ${tag}_fail()`);
    await h?.db.$client.query(`drop sequence if exists ${tag}_attempts`);
    await h?.stop();
  });

  // Failure messages are not encrypted by the data converter (DefaultFailureConverter without
  // encodeCommonAttributes), and drizzle's error message holds the failed statement's parameters,
  // i.e. the case snapshot. Whatever the server keeps of a failed persist (a pending activity's last
  // failure, a marker, a workflow task failure) must therefore not carry it.
  it('when persistCase fails on PostgreSQL, then nothing Temporal stores about the workflow holds personal data', async () => {
    const handle = raw.workflow.getHandle(`case-${caseId}`);
    const d = await handle.describe();
    const history = await handle.fetchHistory();
    const text = allText(d.raw).join('\n') + allText(history).join('\n');
    expect(history.events!.length).toBeGreaterThan(0);
    expect(text.includes(fullName), 'full name stored by Temporal').toBe(false);
    expect(text.includes(docNumber), 'document number stored by Temporal').toBe(false);
    expect(text.includes('Failed query'), 'a database error message stored by Temporal').toBe(false);
  });
});

describe('AesGcmCodec', () => {
  const keyA = { id: 'a', key: randomBytes(32) };
  const keyB = { id: 'b', key: randomBytes(32) };
  const payload = (value: unknown) => defaultPayloadConverter.toPayload(value)!;
  const secret = { fullName: 'Ana Reyes', passport: 'P1234567' };

  it('when a payload is encoded and decoded, then it comes back byte for byte and is unreadable in between', async () => {
    const codec = new AesGcmCodec([keyA], 'a');
    const originals = [payload(secret), payload('plain text'), payload(undefined), payload(null), payload(new Uint8Array([0, 1, 2]))];
    const encoded = await codec.encode(originals);
    for (const e of encoded) {
      expect(utf8(e.metadata!.encoding!)).toBe('binary/encrypted');
      expect(utf8(e.metadata!['encryption-key-id']!)).toBe('a');
    }
    expect(utf8(encoded[0]!.data!)).not.toContain('Ana Reyes');
    expect(utf8(encoded[0]!.data!)).not.toContain('P1234567');
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([secret, 'plain text', undefined, null, new Uint8Array([0, 1, 2])]);
    for (let i = 0; i < originals.length; i++) {
      expect(Buffer.from(decoded[i]!.data ?? new Uint8Array())).toEqual(Buffer.from(originals[i]!.data ?? new Uint8Array()));
    }
  });

  it('when the same payload is encoded twice, then the ciphertexts differ (a fresh IV each time)', async () => {
    const codec = new AesGcmCodec([keyA], 'a');
    const [x] = await codec.encode([payload(secret)]);
    const [y] = await codec.encode([payload(secret)]);
    expect(Buffer.from(x!.data!).equals(Buffer.from(y!.data!))).toBe(false);
  });

  it('when the key rotates from A to B, then payloads under A still decode and new payloads carry B', async () => {
    const before = new AesGcmCodec([keyA], 'a');
    const [underA] = await before.encode([payload(secret)]);
    const rotated = new AesGcmCodec([keyA, keyB], 'b');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([underA!]))[0]!)).toEqual(secret);
    const [underB] = await rotated.encode([payload(secret)]);
    expect(utf8(underB!.metadata!['encryption-key-id']!)).toBe('b');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([underB!]))[0]!)).toEqual(secret);
    // A process that has only A cannot read B's payloads, and says which key it lacks.
    await expect(before.decode([underB!])).rejects.toThrow(/"b"/);
    await expect(before.decode([underB!])).rejects.toBeInstanceOf(ValueError);
  });

  it('when the ciphertext, IV or tag is tampered with, or the key id swapped, then decoding fails', async () => {
    const codec = new AesGcmCodec([keyA, keyB], 'a');
    const [good] = await codec.encode([payload(secret)]);
    const data = Buffer.from(good!.data!);
    for (const at of [0, 12, Math.floor(data.length / 2), data.length - 1]) {
      const bad = Buffer.from(data);
      bad[at] = bad[at]! ^ 0x01;
      await expect(codec.decode([{ metadata: good!.metadata, data: bad }]), `byte ${at}`).rejects.toThrow();
    }
    await expect(codec.decode([{ metadata: good!.metadata, data: data.subarray(0, data.length - 1) }])).rejects.toThrow();
    const swapped = { ...good!.metadata, 'encryption-key-id': new TextEncoder().encode('b') };
    await expect(codec.decode([{ metadata: swapped, data }])).rejects.toThrow();
    const { 'encryption-key-id': _k, ...noKeyId } = good!.metadata!;
    await expect(codec.decode([{ metadata: noKeyId, data }])).rejects.toThrow(/key id/);
    // The untouched payload still decodes: the failures above are the tampering.
    expect(defaultPayloadConverter.fromPayload((await codec.decode([good!]))[0]!)).toEqual(secret);
  });

  it('when the active key is not among the configured keys, then the codec refuses to start', () => {
    expect(() => new AesGcmCodec([keyA], 'b')).toThrow(/b/);
  });
});
