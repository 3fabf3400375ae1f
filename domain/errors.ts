// Business rejections, raised by the pure lifecycle code and carried unchanged through the
// workflow (as ApplicationFailure types) and the API (as the error codes of docs/api.md).
export const ERROR_CODES = [
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'invalid_transition',
  'duplicate_person',
  'conflict',
  'version_mismatch',
  'payload_too_large',
  'idempotency_key_reused',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * Turns zod issues into docs/api.md's `{ path, message }` list, paths written as `persons[17].person.nationality`.
 * zod reports the unknown keys of a strict object once, at the object's path; the contract lists one
 * entry per field, so each unknown key gets its own path (`person.nickname`). The edge (api/validate.ts)
 * and the case's validators answer alike.
 */
export function fieldIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: readonly string[] }>,
  prefix = '',
): FieldIssue[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.keys
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key], prefix), message: 'unknown field' }))
      : [{ path: formatPath(issue.path, prefix), message: issue.message }],
  );
}

export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** The failure type of a read-model write PostgreSQL refuses for good (a retry cannot succeed). */
export const READ_MODEL_REFUSED = 'ReadModelRefused';

/** Its detail when the step adds a document another open case holds (the open-document unique index). */
export const DUPLICATE_DOCUMENT = 'duplicate_document';
