// One fuzz request: an endpoint of test/api/fuzz.test.ts, well-formed but for one hostile part (a
// field of its body, an extra key, the whole body, the id in its path, a query value, its cursor,
// its token or a header). One part at a time: a failure names the one thing that was spoiled.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type Hostile, hostileString, hostileUnit, hostileValue, tamperedCursor, urlValue } from './hostile-values.js';

export type Spoil =
  | { kind: 'none' }
  | { kind: 'field'; at: number; value: Hostile }
  | { kind: 'extraKey'; key: string }
  | { kind: 'rawBody'; text: string; contentType: string }
  | { kind: 'id'; value: string }
  | { kind: 'query'; at: number; value: string }
  | { kind: 'unknownQuery'; key: string; value: string }
  | { kind: 'cursor'; value: string }
  | { kind: 'token'; name: string }
  | { kind: 'header'; name: string; value: string };

export interface FuzzRequest {
  endpoint: number;
  spoil: Spoil;
  idempotencyKey?: string;
}

/** Header values Node's client can send (HTTP allows no other bytes); the app must take whatever arrives. */
const headerSafe = (s: string) => (/^[\t\x20-\x7e\x80-\xff]*$/.test(s) ? s : encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?')));
const MALFORMED_JSON = ['{"type":"add_note","text":"x"', '{"type":', "{'type':'add_note'}", '{"a":1}}', '[', '"string"', 'nul', '\u0000', '{"text":"\\ud800', '{"text":"\\x00"}', '{"a":01}', '{"a":NaN}', ''];

/** What the fuzz test made for the spoils: they swap in its tokens and cursors, and key by its seed. */
export interface Spoilable {
  /** Tokens a request may carry instead of its own (bad ones, and good ones of another role or scope). */
  tokenNames: string[];
  /** Cursors the API itself issued, sent back to any endpoint. */
  issuedCursors: string[];
  seed: number;
}

export function requestArb(count: number, made: Spoilable): fc.Arbitrary<FuzzRequest> {
  const endpoint = fc.nat({ max: count - 1 });
  const spoil: fc.Arbitrary<Spoil> = fc.oneof(
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 14, arbitrary: fc.record({ kind: fc.constant('field' as const), at: fc.nat(), value: hostileValue }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('extraKey' as const), key: hostileString }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('rawBody' as const),
        text: fc.oneof(fc.constantFrom(...MALFORMED_JSON), fc.string({ unit: hostileUnit, maxLength: 30 })),
        contentType: fc.constantFrom('application/json', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded'),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('id' as const), value: fc.oneof(urlValue, fc.constantFrom(randomUUID(), 'HW-2026-000001', '..', '%2e%2e', '')) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('query' as const), at: fc.nat(), value: urlValue }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknownQuery' as const), key: urlValue, value: urlValue }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('cursor' as const), value: fc.oneof(tamperedCursor, fc.constantFrom(...(made.issuedCursors.length ? made.issuedCursors : ['x']))) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('token' as const), name: fc.constantFrom(...made.tokenNames) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('header' as const),
        name: fc.constantFrom('Idempotency-Key', 'If-Match', 'X-Request-Id', 'Content-Encoding', 'Accept', 'X-Forwarded-For', 'Authorization', 'Content-Type'),
        value: fc.oneof(hostileString, fc.constantFrom('gzip', 'br', 'deflate', 'bogus', 'W/"1"', '"99999999999"', '*', 'Bearer', 'Bearer a.b.c', '1, 2')).map(headerSafe),
      }),
    },
  );
  // Mostly fresh keys; some from a small pool, so they repeat with another request (422) or join an earlier step.
  const pool = fc.constantFrom(...Array.from({ length: 20 }, (_, i) => `fuzz-key-${made.seed}-${i}`));
  const key = fc.option(fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: pool }), { freq: 3 });
  return fc.record({ endpoint, spoil, idempotencyKey: key }).map((r) => (r.idempotencyKey === null ? { endpoint: r.endpoint, spoil: r.spoil } : { ...r, idempotencyKey: r.idempotencyKey }));
}

/** Every path into a JSON value (objects, arrays, leaves), so a spoil can land at any depth. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  return out;
}

const RAW = '__fuzz_raw_value__';
export function spoiledBody(body: Record<string, unknown>, spoil: Spoil): { text: string; contentType: string } {
  const copy = structuredClone(body);
  let raw: string | undefined;
  if (spoil.kind === 'field') {
    const paths = pathsOf(copy);
    const path = paths[spoil.at % paths.length]!;
    let parent = copy as Record<string | number, unknown>;
    for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
    if ('raw' in spoil.value) raw = spoil.value.raw;
    parent[path[path.length - 1]!] = 'raw' in spoil.value ? RAW : spoil.value.json;
  }
  if (spoil.kind === 'extraKey') copy[spoil.key] = 'x';
  if (spoil.kind === 'rawBody') return { text: spoil.text, contentType: spoil.contentType };
  const text = JSON.stringify(copy);
  return { text: raw === undefined ? text : text.replace(JSON.stringify(RAW), raw), contentType: 'application/json' };
}
