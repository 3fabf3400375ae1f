// GET /v1/cases/:id/access-log: who read a case's data, for the supervisors of its office and for
// admins. The log itself holds no person's data (ids, roles, offices), so reading it is not logged.
import { and, asc, eq, gt } from 'drizzle-orm';
import { accessLog, cases } from '../../db/schema/index.js';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { type Auth, inOfficeScope } from '../middleware/auth.js';
import { encodeCursor } from '../schemas.js';
import { parseCursor } from '../validate.js';

export function createAccessLogService(deps: Pick<ApiDeps, 'db'>) {
  const { db } = deps;

  async function list(auth: Auth, caseId: string, limit: number, cursor?: string) {
    const [row] = await db.select({ office: cases.office }).from(cases).where(eq(cases.id, caseId)).limit(1);
    // Admins see every case's log; a supervisor only their office's. Outside scope looks like absent.
    if (!row || (auth.role !== 'admin' && !inOfficeScope(auth, row.office))) throw notFound('case');
    const after = parseCursor(cursor, ['int8']);
    const rows = await db
      .select()
      .from(accessLog)
      .where(and(eq(accessLog.caseId, caseId), after ? gt(accessLog.id, Number(after[0])) : undefined))
      .orderBy(asc(accessLog.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map((e) => ({
        at: e.at.toISOString(),
        sub: e.sub,
        role: e.role,
        ...(e.office !== null ? { office: e.office } : {}),
        ...(e.agency !== null ? { agency: e.agency } : {}),
        what: e.what,
        requestId: e.requestId,
      })),
      nextCursor: rows.length > limit ? encodeCursor([page[page.length - 1]!.id]) : null,
    };
  }

  return { list };
}
export type AccessLogService = ReturnType<typeof createAccessLogService>;
