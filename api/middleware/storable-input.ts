// The first wall against hostile input: before any route runs, every string of the request (the
// query, the headers, the JSON body with its keys) must be one PostgreSQL and JSON can hold, and every
// percent-escape must decode. A request that fails is a 400 validation_failed whose paths are written
// as the schema errors of the same fields are (`reason`, `person.documents[0].number`, `q`, `id`,
// a header by its name, `X-Note`), so a client maps both the same way; `(path)` and `(query)` name a
// URL that does not decode. Route params are checked by api/http.ts, where their names are known. The
// domain schemas refuse the same strings again, with the same words (defence in depth).
import type { RequestHandler } from 'express';
import { type FieldIssue, formatPath } from '../../domain/errors.js';
import { escapeUnstorable, unstorable } from '../../domain/text.js';
import { ApiError } from '../errors.js';

// No body this API takes nests deeper than a handful of levels; a much deeper one is an attack on
// the recursive code behind (zod, the idempotency fingerprint), which would overflow the stack.
export const MAX_JSON_DEPTH = 32;
// One bad field is enough to refuse; a list of thousands would only make the answer large.
const MAX_ISSUES = 20;

const MALFORMED = 'malformed percent-encoding (every % must start a UTF-8 escape such as %20)';

/** A path segment for a key, with what cannot be echoed written as escapes. */
const keyOf = (key: string) => escapeUnstorable(key);

function decodeStrict(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** The URL path's escapes: the router would otherwise fail to decode a param and answer 500. */
export function pathIssues(rawPath: string): FieldIssue[] {
  return rawPath.includes('%') && decodeStrict(rawPath) === undefined ? [{ path: '(path)', message: MALFORMED }] : [];
}

/** The raw query string, decoded strictly (querystring.parse would turn a bad escape into U+FFFD). */
export function queryIssues(rawQuery: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decodeStrict(rawKey.replace(/\+/g, ' '));
    if (key === undefined) {
      issues.push({ path: '(query)', message: `a parameter name has ${MALFORMED}` });
      continue;
    }
    const path = formatPath([keyOf(key)]);
    const keyProblem = unstorable(key);
    if (keyProblem) {
      issues.push({ path, message: `the parameter name ${keyProblem}` });
      continue;
    }
    const value = decodeStrict(rawValue.replace(/\+/g, ' '));
    if (value === undefined) issues.push({ path, message: MALFORMED });
    else {
      const problem = unstorable(value);
      if (problem) issues.push({ path, message: problem });
    }
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}

/** Headers as sent (`rawHeaders`: name, value, name, value…), so a path keeps the caller's spelling. */
export function headerIssues(rawHeaders: string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (let i = 0; i + 1 < rawHeaders.length && issues.length < MAX_ISSUES; i += 2) {
    const name = rawHeaders[i]!;
    const nameProblem = unstorable(name);
    const problem = nameProblem ? `the header name ${nameProblem}` : unstorable(rawHeaders[i + 1]!);
    if (problem) issues.push({ path: keyOf(name), message: problem });
  }
  return issues;
}

/**
 * Every string in a parsed JSON value, keys included, and its depth. Iterative on purpose: a body
 * nested a hundred thousand levels deep must not overflow the stack of the code meant to refuse it.
 * A node keeps only its parent and key; a path is spelled out only for a value that is refused, so a
 * raid of 10,000 persons is walked without building a path per field.
 */
export function jsonIssues(root: unknown, prefix = ''): FieldIssue[] {
  interface Node {
    value: unknown;
    key: PropertyKey | undefined;
    parent: Node | undefined;
    depth: number;
  }
  const pathOf = (node: Node, last?: PropertyKey): string => {
    const parts: PropertyKey[] = last === undefined ? [] : [last];
    for (let n: Node | undefined = node; n && n.key !== undefined; n = n.parent) parts.push(n.key);
    return formatPath(parts.reverse(), prefix);
  };
  const issues: FieldIssue[] = [];
  const stack: Node[] = [{ value: root, key: undefined, parent: undefined, depth: 0 }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (typeof value === 'string') {
      const problem = unstorable(value);
      if (problem) issues.push({ path: pathOf(node), message: problem });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      issues.push({ path: pathOf(node), message: `nested more than ${MAX_JSON_DEPTH} levels deep` });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: i, parent: node, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const keyProblem = unstorable(key);
      if (keyProblem) issues.push({ path: pathOf(node, keyOf(key)), message: `the field name ${keyProblem}` });
      else stack.push({ value: (value as Record<string, unknown>)[key], key, parent: node, depth: depth + 1 });
    }
  }
  return issues.slice(0, MAX_ISSUES);
}

export function refuse(issues: FieldIssue[]): never {
  throw new ApiError('validation_failed', 'the request holds text that cannot be stored', issues);
}

/** Before the body is parsed: the URL (path escapes, query) and the headers. */
export function storableUrlAndHeaders(): RequestHandler {
  return (req, _res, next) => {
    const url = req.originalUrl ?? req.url;
    const q = url.indexOf('?');
    const issues = [
      ...pathIssues(q === -1 ? url : url.slice(0, q)),
      ...(q === -1 ? [] : queryIssues(url.slice(q + 1))),
      ...headerIssues(req.rawHeaders),
    ];
    if (issues.length > 0) refuse(issues.slice(0, MAX_ISSUES));
    next();
  };
}

/** After the JSON parsers: every string and key of the body. */
export function storableBody(): RequestHandler {
  return (req, _res, next) => {
    if (req.body !== undefined && req.body !== null && typeof req.body === 'object') {
      const issues = jsonIssues(req.body);
      if (issues.length > 0) refuse(issues);
    }
    next();
  };
}
