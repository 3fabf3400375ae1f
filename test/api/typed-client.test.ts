// A typed client generated from the live /openapi.json: openapi-typescript turns the document into
// types, a small openapi-fetch program written against them compiles under strict settings (and a
// wrong field does not), and the same program then talks to the real API.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { type OpenAPI3, astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';

let h: Harness;
let dir: string;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  h = await startHarness();
  server = h.app.listen(0, '127.0.0.1');
  await new Promise<void>((done) => server.once('listening', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A project of its own that resolves packages from this repository's node_modules.
  dir = mkdtempSync(join(tmpdir(), 'homeward-typed-client-'));
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const live = await fetch(`${baseUrl}/openapi.json`);
  expect(live.status).toBe(200);
  writeFileSync(join(dir, 'api.ts'), astToString(await openapiTS((await live.json()) as OpenAPI3, { silent: true })));
});
afterAll(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await h?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Written against the generated types only: each call's parameters, body and answer are typed.
const CLIENT = `import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

type Case = components['schemas']['Case'];

export async function run(baseUrl: string, token: string, caseId: string) {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${token}\` } });

  const got = await client.GET('/v1/cases/{id}', { params: { path: { id: caseId } } });
  if (got.error) throw new Error(\`\${got.error.error.code}: \${got.error.error.message}\`);
  const stage: Case['stage'] = got.data.stage;
  const version: number = got.data.version;
  const person: string = got.data.person.fullName;

  const acted = await client.POST('/v1/cases/{id}/actions', {
    params: { path: { id: caseId }, header: { 'If-Match': String(version) } },
    body: { type: 'add_note', text: 'called the family' },
  });
  if (acted.error) throw new Error(\`\${acted.error.error.code}: \${acted.error.error.message}\`);
  const allowed: Case['allowedActions'] = acted.data.allowedActions;

  const inbox = await client.GET('/v1/tasks', { params: { query: { caseId, status: 'open', limit: 50 } } });
  if (inbox.error) throw new Error(inbox.error.error.code);
  const tasks = inbox.data.items.map((t) => {
    const due: string = t.dueAt;
    // The result's type follows the task's type.
    const fit: boolean | undefined = t.type === 'arrange_medical_check' ? t.result?.fitToTravel : undefined;
    return { id: t.id, type: t.type, due, fit };
  });

  return { stage, person, versionBefore: version, versionAfter: acted.data.version, allowed, tasks };
}
`;

/** Type-checks these programs together (the generated types once); the diagnostics of each, by name. */
function compile(programs: Record<string, string>): Record<string, string[]> {
  const files = Object.entries(programs).map(([name, source]) => {
    writeFileSync(join(dir, `${name}.ts`), source);
    return join(dir, `${name}.ts`);
  });
  const program = ts.createProgram(files, {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
  });
  const out: Record<string, string[]> = Object.fromEntries(Object.keys(programs).map((name) => [name, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file?.fileName.split('/').pop()?.replace(/\.ts$/, '') ?? '(global)';
    (out[name] ??= []).push(show(d));
  }
  return out;
}

function show(d: ts.Diagnostic): string {
  const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : '?';
  return `${line} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
}

describe('a typed client generated from /openapi.json', () => {
  it('when a client program uses the generated types for cases, actions and the inbox, then it compiles under strict settings', () => {
    expect(compile({ client: CLIENT })).toEqual({ client: [] });
  });

  it('when the program reads a field the answer does not have, sends a field an action does not take or mistakes a type, then it does not compile', () => {
    const variants = {
      wrongField: CLIENT.replace('const person: string = got.data.person.fullName;', 'const person: string = got.data.person.nickname;'),
      wrongBody: CLIENT.replace("body: { type: 'add_note', text: 'called the family' }", "body: { type: 'add_note', note: 'called the family' }"),
      wrongType: CLIENT.replace('const version: number = got.data.version;', 'const version: string = got.data.version;'),
    };
    for (const source of Object.values(variants)) expect(source).not.toBe(CLIENT);
    const errors = compile(variants);
    expect(errors.wrongField).toHaveLength(1);
    expect(errors.wrongField![0]).toMatch(/^\d+ TS2339 Property 'nickname' does not exist/);
    expect(errors.wrongBody!.join('\n')).toMatch(/TS\d+ .*'note'/);
    expect(errors.wrongType!.join('\n')).toMatch(/TS2322 Type 'number' is not assignable to type 'string'/);
  });

  it('when the compiled program calls the real API, then it reads the case, acts on it and lists its tasks', async () => {
    // client.ts is the program as written, and it compiles.
    expect(compile({ client: CLIENT })).toEqual({ client: [] });
    const consulateId = await createConsulate(h);
    const p = await drive.people(h, consulateId);
    const opened = await drive.openCase(h.http, p.caseworker, consulateId, { location: { country: 'MM', site: 'Compound 3', confirmed: true }, riskFlags: ['injured'] });
    await drive.act(h.http, p.caseworker, opened.id, { type: 'record_extraction', extractedAt: '2026-10-20T03:00:00Z', handedOverTo: 'Border reception desk' });

    const client = (await import(pathToFileURL(join(dir, 'client.ts')).href)) as {
      run: (baseUrl: string, token: string, caseId: string) => Promise<{ stage: string; versionBefore: number; versionAfter: number; allowed: string[]; tasks: Array<{ type: string; fit?: boolean }> }>;
    };
    const out = await client.run(baseUrl, p.caseworker, opened.id);
    expect(out.stage).toBe('consular_contact');
    expect(out.versionAfter).toBe(out.versionBefore + 1);
    expect(out.allowed).toContain('add_note');
    expect(out.tasks.map((t) => t.type).sort()).toEqual(['arrange_medical_check', 'issue_travel_document', 'verify_nationality']);
  });
});
