// Strings that cannot be stored. PostgreSQL's text and jsonb refuse U+0000, and a UTF-16 surrogate
// without its pair is not Unicode at all (UTF-8 cannot encode it; it is silently replaced on the way
// to the database). Accepting either lets a request through that a later write refuses, after the
// case has taken the step: the case would be stuck. So the HTTP edge and the domain schemas (which
// the workflow's update validators run too) refuse them up front, with the same words.
// Pure and deterministic: this module runs inside the workflow bundle.

// Without the `u` flag a regex sees UTF-16 code units, so lone halves of a pair are visible.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

export const NUL_MESSAGE = 'contains a NUL character (U+0000), which cannot be stored';
export const SURROGATE_MESSAGE = 'contains a lone UTF-16 surrogate, which is not valid Unicode and cannot be stored';

/** Why a string cannot be stored, or undefined when it can. */
export function unstorable(s: string): string | undefined {
  if (s.includes('\u0000')) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(s)) return SURROGATE_MESSAGE;
  return undefined;
}

/** The string with what cannot be stored written as `\uXXXX` escapes: for echoing a bad key in an error path. */
export function escapeUnstorable(s: string): string {
  const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return s.split('\u0000').join('\\u0000').replace(LONE_SURROGATES, hex);
}
