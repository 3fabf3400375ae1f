// Failures carry no personal data: a case whose read-model writes fail (once for a while, once for
// good) and a raid whose batch keeps failing on PostgreSQL, then recover. Afterwards the raw Temporal
// histories and descriptions (read without the codec), the worker's and the API's logs (everything,
// from debug up), stdout/stderr and the Temporal server's log are searched for the test persons'
// names and document numbers and for database error texts: none is there. Every failure Homeward
// raised is stored encrypted (message and stack trace in an encrypted payload), and decodes with the
// configured keys to a message that names only an error code.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { pino } from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { REDACT_PATHS } from '../../api/logger.js';
import { caseWorkflowId, operationWorkflowId } from '../../domain/ids.js';
import { AesGcmCodec } from '../../temporal/codec.js';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';
import { allRuns } from '../support/histories.js';
import * as drive from '../support/drive.js';
import { allText, found } from '../support/security.js';
import { bearer } from '../api/support.js';

const logs: string[] = [];
const capture = (line: string) => logs.push(line);

// Everything the worker logs (lang side from debug up, and core's own logs forwarded), in memory.
Runtime.install({
  // inspect, not JSON: an error's message, stack and cause are not enumerable, and must be searched too.
  logger: new DefaultLogger('DEBUG', (entry) => capture(`${entry.level} ${entry.message} ${inspect(entry.meta ?? {}, { depth: 20, breakLength: Infinity })}`)),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'DEBUG', other: 'INFO' }), forward: {} } },
});

// And whatever reaches stdout and stderr.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    capture(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

type Proto = Record<string, unknown>;
const FAILURE_KEYS = ['applicationFailureInfo', 'encodedAttributes', 'stackTrace', 'activityFailureInfo', 'timeoutFailureInfo', 'serverFailureInfo'];

/** Every Failure message in a raw protobuf tree. */
function failuresIn(value: unknown, out: Proto[] = [], seen = new Set<unknown>()): Proto[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array || seen.has(value)) return out;
  seen.add(value);
  const v = value as Proto;
  if (FAILURE_KEYS.some((k) => Object.prototype.hasOwnProperty.call(v, k))) out.push(v);
  for (const child of Object.values(v)) failuresIn(child, out, seen);
  return out;
}

const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

describe('failures of a case and of a raid, searched in everything Temporal stores and everything logged', () => {
  let h: Harness;
  let http: ReturnType<typeof supertest>;
  let raw: Client;
  let caseId: string;
  let operationId: string;
  const tag = `nofail${randomUUID().slice(0, 6)}`;
  const fullName = `Wenceslas Thornbury-Okafor ${randomBytes(2).toString('hex')}`;
  const passport = `WT${randomBytes(5).toString('hex').toUpperCase()}`;
  const raid = [0, 1, 2, 3].map((i) => ({ name: `Isadora Quintanilla-${i} ${randomBytes(2).toString('hex')}`, doc: `IQ${randomBytes(5).toString('hex').toUpperCase()}` }));
  const histories: unknown[] = [];
  const descriptions: unknown[] = [];

  async function attempts(sequence: string) {
    const { rows } = await h.db.$client.query<{ n: string; is_called: boolean }>(`select last_value as n, is_called from ${sequence}`);
    return rows[0]!.is_called ? Number(rows[0]!.n) : 0;
  }

  beforeAll(async () => {
    h = await startHarness();
    const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, new Writable({ write: (chunk, _enc, done) => (capture(String(chunk)), done()) }));
    http = supertest(createApp({ config: h.config, db: h.db, temporal: h.temporal, hasher: h.hasher, logger }));
    raw = new Client({ connection: h.temporal.connection, namespace: h.config.temporal.namespace });
    const consulateId = await createConsulate(h);
    const caseworker = await h.token('caseworker', { office: h.office, sub: 'cw-ana' });

    // A case whose step cannot be written for a while (the write is retried), then one refused for good.
    const opened = await http
      .post('/v1/cases')
      .set(bearer(caseworker))
      .send({ person: personBody({ fullName, phone: '+63 917 000 1234', documents: [{ type: 'passport', number: passport, issuingCountry: 'PH' }] }), source: { type: 'hotline' }, consulateId });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    caseId = opened.body.id;
    await drive.waitFor('the case to be opened', async () => (await h.db.$client.query('select 1 from case_events where case_id = $1', [caseId])).rowCount);
    await h.db.$client.query(`
      create sequence ${tag}_case;
      create function ${tag}_case() returns trigger language plpgsql as $$
      begin
        if new.id = '${caseId}' then perform nextval('${tag}_case'); raise exception 'injected failure for %', new.reference using errcode = 'XX000'; end if;
        return new;
      end $$;
      create trigger ${tag}_case before update on cases for each row execute function ${tag}_case();`);
    const note = http.post(`/v1/cases/${caseId}/actions`).set(bearer(caseworker)).send({ type: 'add_note', text: `${fullName} (passport ${passport}) called from the shelter` });
    const noted = note.then((r) => r);
    await drive.waitFor('the persist step to fail twice', async () => (await attempts(`${tag}_case`)) >= 2, 30_000, 100);
    await h.db.$client.query(`drop trigger ${tag}_case on cases; drop function ${tag}_case();`);
    expect((await noted).status, JSON.stringify((await noted).body)).toBe(200);

    await h.db.$client.query(`
      create function ${tag}_event() returns trigger language plpgsql as $$
      begin
        if new.case_id = '${caseId}' and new.type = 'add_note' then raise exception 'refused by test' using errcode = '22023'; end if;
        return new;
      end $$;
      create trigger ${tag}_event before insert on case_events for each row execute function ${tag}_event();`);
    const refused = await http.post(`/v1/cases/${caseId}/actions`).set(bearer(caseworker)).send({ type: 'add_note', text: `${fullName} refused note` });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    await h.db.$client.query(`drop trigger ${tag}_event on case_events; drop function ${tag}_event();`);

    // A raid whose batch fails on PostgreSQL (for this office only) until the cause is removed.
    const raider = await h.token('caseworker', { office: tag, sub: 'cw-raid' });
    await h.db.$client.query(`
      create sequence ${tag}_batch;
      create function ${tag}_batch() returns trigger language plpgsql as $$
      begin
        if new.office = '${tag}' then perform nextval('${tag}_batch'); raise exception 'injected batch failure' using errcode = 'P0001'; end if;
        return new;
      end $$;
      create trigger ${tag}_batch before insert on cases for each row execute function ${tag}_batch();`);
    const op = await http
      .post('/v1/operations')
      .set(bearer(raider))
      .send({
        name: 'handover',
        country: 'MM',
        date: '2026-11-20',
        consulateId,
        persons: raid.map((r) => ({ person: personBody({ fullName: r.name, documents: [{ type: 'passport', number: r.doc, issuingCountry: 'PH' }] }) })),
      });
    expect(op.status, JSON.stringify(op.body)).toBe(202);
    operationId = op.body.id;
    await drive.waitFor('the batch to fail twice', async () => (await attempts(`${tag}_batch`)) >= 2, 30_000, 100);
    const failing = await raw.workflow.getHandle(operationWorkflowId(operationId)).describe();
    expect(failing.raw.pendingActivities?.[0]?.lastFailure).toBeTruthy();
    descriptions.push(failing.raw);
    await h.db.$client.query(`drop trigger ${tag}_batch on cases; drop function ${tag}_batch();`);
    await drive.waitFor('the operation', async () => (await http.get(`/v1/operations/${operationId}`).set(bearer(raider))).body.status === 'completed', 60_000, 200);

    for (const workflowId of [caseWorkflowId(caseId), operationWorkflowId(operationId)]) {
      for (const run of await allRuns(raw, workflowId)) histories.push(run.history);
      descriptions.push((await raw.workflow.getHandle(workflowId).describe()).raw);
    }
  }, 180_000);
  afterAll(async () => {
    await h?.db.$client.query(`drop sequence if exists ${tag}_case; drop sequence if exists ${tag}_batch`);
    await h?.stop();
  });

  const needles = () => [fullName, fullName.split(' ')[1]!, passport, ...raid.flatMap((r) => [r.name, r.doc])];
  const DB_ERROR_TEXT = ['Failed query', 'params:', 'injected failure for', 'injected batch failure', 'refused by test'];

  it('when the raw histories and descriptions are searched, then no name, document number or database error text is there', () => {
    const text = allText([...histories, ...descriptions]).join('\n');
    expect(text).toContain(caseId);
    expect(found(text, needles())).toEqual([]);
    expect(found(text, DB_ERROR_TEXT)).toEqual([]);
  });

  it('when the failures Temporal stores are read raw, then each one Homeward raised keeps its message and stack only encrypted', async () => {
    const failures = failuresIn([...histories, ...descriptions]);
    const ours = failures.filter((f) => Object.prototype.hasOwnProperty.call(f, 'applicationFailureInfo'));
    // The raid's retried batch (a pending activity's last failure, then the started event's), the
    // refused note (the local activity's marker and the update's outcome).
    expect(ours.length).toBeGreaterThanOrEqual(3);
    const codec = new AesGcmCodec(h.config.payloadKeys, h.config.activePayloadKeyId);
    const messages: string[] = [];
    for (const f of ours) {
      expect(f.message, JSON.stringify(f.message)).toBe('Encoded failure');
      expect(f.stackTrace ?? '').toBe('');
      const encoded = f.encodedAttributes as Payload;
      expect(utf8(encoded.metadata?.encoding)).toBe('binary/encrypted');
      const [decoded] = await codec.decode([encoded]);
      const attributes = defaultPayloadConverter.fromPayload(decoded!) as { message: string; stack_trace: string };
      messages.push(attributes.message);
    }
    // Readable with the keys, and even then only an error code.
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^operation batch failed \(P0001\)$/), expect.stringMatching(/cannot be stored/)]));
    for (const m of messages) expect(found(m, [...needles(), ...DB_ERROR_TEXT])).toEqual([]);
  });

  it('when every log line of the run is searched (worker from debug, API from debug, stdout, stderr, the Temporal server), then no name, document number or database error text is there', () => {
    const port = new URL(`http://${h.config.temporal.address}`).port;
    const serverLog = path.join(os.tmpdir(), `homeward-temporal-${port}.log`);
    const text = [...logs, existsSync(serverLog) ? readFileSync(serverLog, 'utf8') : ''].join('\n');
    // The control: the run was logged, failures included.
    expect(text).toMatch(/operation batch failed \(P0001\)|read-model write failed \(XX000\)/);
    expect(found(text, needles())).toEqual([]);
    expect(found(text, DB_ERROR_TEXT)).toEqual([]);
  });
});
