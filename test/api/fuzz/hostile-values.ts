// What a hostile client sends, for test/api/fuzz.test.ts: text PostgreSQL or JSON cannot hold (NUL,
// lone surrogates), very long or exotic text, SQL/JSON/template metacharacters, numbers no
// JSON.stringify writes, wrong types, absurd nesting, bad percent-escapes and tampered cursors. Each is
// a value one part of an otherwise well-formed request gets (spoiled-requests.ts).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

export const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const LONE_SURROGATE = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
export const hostileUnit = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: LONE_SURROGATE },
  { weight: 2, arbitrary: fc.constant('\u0000') },
);
const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y',
  'end\ud83d',
  '😀👩‍👩‍👧',
  'Nguyễn Thị Hồng 阮氏紅 응우옌 ไทย العربية',
  '\u202eevil\u202c',
  '\ufeffbom',
  '\u2028\u2029',
  '\u0001\u001f\u007f',
  "'; DROP TABLE cases; --",
  "' OR '1'='1",
  '"},{"type":"close"}',
  '{"$gt":""}',
  '\\',
  '\\u0000',
  '%00',
  '%ED%A0%80',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '   ',
  '',
  'null',
  'a'.repeat(201),
  'a'.repeat(10_001),
  'é'.repeat(70_000),
];
export const hostileString = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 6, arbitrary: fc.string({ unit: hostileUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }) },
);
/** A JSON number no JSON.stringify writes: sent as raw body text. */
const RAW_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '-0', '0.0000000000000000000000001', '1E+2'];
export type Hostile = { json: unknown } | { raw: string };
const OVER_BODY_LIMIT = 'x'.repeat(1_100_000);
export const hostileValue: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 20, arbitrary: hostileString.map((json) => ({ json })) },
  { weight: 4, arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 99_999, 1e308, -1e308, Number.MIN_VALUE, 0, -1, 1.5).map((json) => ({ json })) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((raw) => ({ raw })) },
  { weight: 4, arbitrary: fc.constantFrom(true, false, null, [], {}).map((json) => ({ json })) },
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })) },
  { weight: 2, arbitrary: hostileString.map((s) => ({ json: [s] })) },
  { weight: 2, arbitrary: hostileString.map((s) => ({ json: { [s]: s } })) },
  { weight: 2, arbitrary: fc.integer({ min: 33, max: 5_000 }).map((n) => ({ raw: `${'['.repeat(n)}${']'.repeat(n)}` })) },
  // Over the body limit (413).
  { weight: 1, arbitrary: fc.constant({ json: OVER_BODY_LIMIT }) },
);

const BAD_ESCAPES = ['%', '%%', '%zz', '%0', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', '%00', '%F4%90%80%80', '%u0041'];
/** A string as it appears in a URL: percent-encoded where it can be, a bad escape where it cannot. */
function inUrl(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // A lone surrogate has no UTF-8: send the bytes a careless client would.
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x')) + '%ED%A0%80';
  }
}
export const urlValue = fc.oneof(
  { weight: 4, arbitrary: hostileString.map(inUrl) },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...BAD_ESCAPES), fc.string({ maxLength: 5 })).map(([a, b]) => `${a}${inUrl(b)}`) },
);

export const tamperedCursor = fc.oneof(
  fc.constantFrom(...[99_999, 32_768, 2_147_483_648, -2_147_483_649, 1e308, 1.5].flatMap((n) => [b64url([n]), b64url([n, randomUUID()])])),
  fc.constantFrom(
    ...['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z', 'soon'].map((d) => b64url([d, randomUUID()])),
  ),
  fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 })).map(([a, b]) => b64url([a, b])),
  fc.tuple(hostileString, hostileString).map(([a, b]) => b64url([a, b])),
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 60 }),
  urlValue,
);
