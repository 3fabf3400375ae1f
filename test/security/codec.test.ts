// The Temporal UI codec endpoint (docs/api.md "Temporal UI codec", issue #8) on the real app: supervisors
// and admins decode the encrypted history of a real workflow and encode payloads, with the API's
// bearer tokens; nobody else can; browsers only from the configured Temporal UI origin; and the real
// Temporal CLI reads a history through it.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../scripts/temporal-server.js';
import { type Harness, startHarness } from '../support/harness.js';
import { bearer, expectError } from '../api/support.js';

const UI_ORIGIN = 'https://temporal-ui.example.org';

let h: Harness;
let workflowId: string;
let fullName: string;
let encryptedInput: { metadata: Record<string, string>; data: string };

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const text = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

beforeAll(async () => {
  h = await startHarness({ worker: false, config: { HOMEWARD_CODEC_CORS_ORIGIN: UI_ORIGIN } });
  // A workflow whose input holds a person: the client's codec encrypts it into the history. No worker
  // needs to run it; the history's first event is what the Temporal UI would show.
  fullName = `Amihan Dela Cruz ${randomUUID().slice(0, 8)}`;
  workflowId = `codec-probe-${randomUUID()}`;
  await h.temporal.workflow.start('codecProbe', { workflowId, taskQueue: `codec-probe-${randomUUID()}`, args: [{ fullName, passport: 'P7654321B' }] });
  const history = await h.temporal.workflowService.getWorkflowExecutionHistory({ namespace: h.config.temporal.namespace, execution: { workflowId } });
  const input = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  encryptedInput = { metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(input.data) };
});
afterAll(async () => {
  await h?.temporal.workflow.getHandle(workflowId).terminate('test done').catch(() => {});
  await h?.stop();
});

describe('decode and encode', () => {
  it('when a supervisor or an admin decodes a payload from the history, then they read the person in it', async () => {
    // The history itself holds no name: only the codec can read it.
    expect(text(encryptedInput.data)).not.toContain(fullName);
    expect(text(encryptedInput.metadata.encoding!)).toBe('binary/encrypted');
    for (const token of [await h.token('supervisor', { office: h.office }), await h.token('admin')]) {
      const res = await h.http.post('/codec/decode').set(bearer(token)).set('X-Namespace', 'default').send({ payloads: [encryptedInput] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const [decoded] = res.body.payloads as Array<{ metadata: Record<string, string>; data: string }>;
      expect(text(decoded!.metadata.encoding!)).toBe('json/plain');
      expect(JSON.parse(text(decoded!.data))).toEqual({ fullName, passport: 'P7654321B' });
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('when a supervisor encodes a payload, then it comes back encrypted under the active key and decodes to the same', async () => {
    const supervisor = await h.token('supervisor', { office: h.office });
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify({ note: fullName })).toString('base64') };
    const encoded = await h.http.post('/codec/encode').set(bearer(supervisor)).send({ payloads: [plain, plain] });
    expect(encoded.status).toBe(200);
    const payloads = encoded.body.payloads as Array<{ metadata: Record<string, string>; data: string }>;
    expect(payloads).toHaveLength(2);
    for (const p of payloads) {
      expect(text(p.metadata.encoding!)).toBe('binary/encrypted');
      expect(text(p.metadata['encryption-key-id']!)).toBe(h.config.activePayloadKeyId);
      expect(text(p.data)).not.toContain(fullName);
    }
    expect(payloads[0]!.data).not.toBe(payloads[1]!.data);
    const decoded = await h.http.post('/codec/decode').set(bearer(supervisor)).send({ payloads });
    expect(decoded.body.payloads).toEqual([plain, plain]);
  });

  it('when a payload was not encrypted by our keys or was tampered with, then decode names it with 400 and decodes nothing', async () => {
    const supervisor = await h.token('supervisor', { office: h.office });
    const raw = Buffer.from(encryptedInput.data, 'base64');
    raw[raw.length - 20]! ^= 0xff;
    const tampered = { ...encryptedInput, data: raw.toString('base64') };
    const unknownKey = { ...encryptedInput, metadata: { ...encryptedInput.metadata, 'encryption-key-id': Buffer.from('nobody').toString('base64') } };
    const res = await h.http.post('/codec/decode').set(bearer(supervisor)).send({ payloads: [encryptedInput, tampered, unknownKey] });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toEqual([
      { path: 'payloads[1]', message: expect.any(String) },
      { path: 'payloads[2]', message: expect.any(String) },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(fullName);
    expectError(await h.http.post('/codec/decode').set(bearer(supervisor)).send({ payloads: [{ data: 'not base64!' }] }), 400, 'validation_failed');
  });
});

describe('who may use it', () => {
  it('when a caseworker or an agency officer asks, then 403; without a valid token, 401; and nothing is decoded', async () => {
    const body = { payloads: [encryptedInput] };
    for (const token of [await h.token('caseworker', { office: h.office }), await h.token('agency_officer', { agency: 'some-consulate' })]) {
      for (const op of ['decode', 'encode']) {
        const res = await h.http.post(`/codec/${op}`).set(bearer(token)).send(body);
        expectError(res, 403, 'forbidden');
        expect(JSON.stringify(res.body)).not.toContain(fullName);
      }
    }
    expectError(await h.http.post('/codec/decode').send(body), 401, 'unauthenticated');
    expectError(await h.http.post('/codec/decode').set(bearer('a.b.c')).send(body), 401, 'unauthenticated');
  });
});

describe('CORS', () => {
  it('when the configured Temporal UI origin asks, then the preflight allows POST with Authorization and X-Namespace, and answers are readable there', async () => {
    const preflight = await h.http
      .options('/codec/decode')
      .set('Origin', UI_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,x-namespace');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(preflight.headers['access-control-allow-methods']).toBe('POST');
    expect(preflight.headers['access-control-allow-headers']!.toLowerCase()).toContain('authorization');
    expect(preflight.headers['access-control-allow-headers']!.toLowerCase()).toContain('x-namespace');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

    const supervisor = await h.token('supervisor', { office: h.office });
    const res = await h.http.post('/codec/decode').set('Origin', UI_ORIGIN).set(bearer(supervisor)).send({ payloads: [encryptedInput] });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(res.headers.vary).toMatch(/Origin/);
    // Errors too, so the UI can show why.
    const refused = await h.http.post('/codec/decode').set('Origin', UI_ORIGIN).send({ payloads: [] });
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  });

  it('when any other origin asks, then the preflight is refused and no answer is readable there', async () => {
    for (const origin of ['https://evil.example.com', 'https://temporal-ui.example.org.evil.example.com', 'null']) {
      const preflight = await h.http.options('/codec/decode').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const supervisor = await h.token('supervisor', { office: h.office });
      const res = await h.http.post('/codec/decode').set('Origin', origin).set(bearer(supervisor)).send({ payloads: [] });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    // The API itself offers no CORS to anyone.
    const api = await h.http.get('/v1/agencies').set('Origin', UI_ORIGIN).set(bearer(await h.token('admin')));
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the Temporal CLI', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer(h.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('when `temporal workflow show` uses the endpoint with a supervisor token, then it shows the decrypted history; without it, only ciphertext', async () => {
    const cli = await ensureTemporalCli(() => {});
    const show = (...extra: string[]) =>
      promisify(execFile)(cli, ['workflow', 'show', '--address', h.config.temporal.address!, '--namespace', h.config.temporal.namespace, '-w', workflowId, '-o', 'json', ...extra], {
        maxBuffer: 10 * 1024 * 1024,
      });
    const inputOf = (stdout: string) => {
      const events = (JSON.parse(stdout) as { events: Array<{ workflowExecutionStartedEventAttributes?: { input: { payloads: Array<{ metadata: Record<string, string>; data: string }> } } }> }).events;
      const [payload] = events[0]!.workflowExecutionStartedEventAttributes!.input.payloads;
      return { encoding: text(payload!.metadata.encoding!), data: text(payload!.data) };
    };
    const supervisor = await h.token('supervisor', { office: h.office });
    const decoded = inputOf((await show('--codec-endpoint', `http://127.0.0.1:${port}/codec`, '--codec-auth', `Bearer ${supervisor}`)).stdout);
    expect(decoded.encoding).toBe('json/plain');
    expect(JSON.parse(decoded.data)).toEqual({ fullName, passport: 'P7654321B' });
    // A caseworker's token gets nothing decrypted.
    const caseworker = await h.token('caseworker', { office: h.office });
    const refused = await show('--codec-endpoint', `http://127.0.0.1:${port}/codec`, '--codec-auth', `Bearer ${caseworker}`, '--command-timeout', '3s').then(
      () => undefined,
      (err: Error & { stdout: string }) => err,
    );
    expect(refused).toBeInstanceOf(Error);
    expect(`${refused!.message}${refused!.stdout}`).not.toContain(fullName);
    const plain = inputOf((await show()).stdout);
    expect(plain.encoding).toBe('binary/encrypted');
    expect(plain.data).not.toContain(fullName);
  });
});
