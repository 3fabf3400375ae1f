// Who read whose data (docs/api.md "Access log"): every response that carries a person's data writes one
// entry per case it shows, before it is sent. Routes declare what they serve (RouteSpec.access) and
// api/http.ts calls this; a list writes its whole page in one insert. Fail closed: if the entry
// cannot be written, the data is not served (503).
import type { Db } from '../db/client.js';
import type { AccessWhat } from '../db/schema/index.js';
import { ApiError } from './errors.js';
import type { Auth } from './middleware/auth.js';

export interface AccessLog {
  record(entry: { auth: Auth; requestId: string; what: AccessWhat; caseIds: string[] }): Promise<void>;
}

const RETRY_AFTER_SECONDS = 5;

/**
 * The 503 for data that was ready but could not be logged. A read changed nothing. A write did
 * happen: the caller is told so, and how to get its answer without applying it twice.
 */
export function accessLogUnavailable(opts: { write: boolean; keyed: boolean }): ApiError {
  if (!opts.write) {
    return new ApiError('unavailable', 'the access log is unavailable, so nothing was served; retry later', undefined, RETRY_AFTER_SECONDS);
  }
  return new ApiError(
    'unavailable',
    opts.keyed
      ? 'the step was taken, but its answer is withheld because the access log is unavailable; retry with the same Idempotency-Key to get it'
      : 'the step was taken, but its answer is withheld because the access log is unavailable; check the case before retrying',
    { applied: true, retry: opts.keyed ? 'same_idempotency_key' : 'check_case_first' },
    RETRY_AFTER_SECONDS,
  );
}

// One statement of seven parameters for a page of any length: built by drizzle, a page of 50 cases
// was 400 parameters whose query building cost more CPU than the list itself (bench/RESULTS.md
// "Queries"). Unnamed, so PgBouncer's transaction pooling still works (docs/operations.md). The
// order of the ids is kept, so the entries of a page are numbered as the page shows them.
const INSERT = {
  text:
    'insert into access_log (sub, role, office, agency, case_id, what, request_id) ' +
    'select $1, $2, $3, $4, c.id, $6, $7 from unnest($5::uuid[]) with ordinality as c(id, n) order by c.n',
};

export function createAccessLog(db: Db): AccessLog {
  return {
    async record({ auth, requestId, what, caseIds }) {
      const unique = [...new Set(caseIds)];
      if (unique.length === 0) return;
      const office = 'office' in auth ? (auth.office ?? null) : null;
      const agency = auth.role === 'agency_officer' ? auth.agency : null;
      await db.$client.query(INSERT, [auth.sub, auth.role, office, agency, unique, what satisfies AccessWhat, requestId]);
    },
  };
}
