// Claims in a case's view. Who holds a task is inbox state, kept in PostgreSQL only (claims stay one
// conditional UPDATE: fast, idempotent, and no step of the case), so the workflow's view of a case
// knows every open task but not who holds it. Every case the API answers with has its open tasks'
// claims merged from the read model here, so `openTasks` says what GET /v1/tasks says.
import { and, eq, inArray } from 'drizzle-orm';
import type { CaseView, TaskView } from '../../domain/case.js';
import type { Db } from '../../db/client.js';
import { tasks } from '../../db/schema/index.js';

/** A task in a case's `openTasks`: open, or claimed by `claimedBy`. */
export type CaseTaskOut = TaskView & { claimedBy: string | null };
/** A case as the API answers with it (any view of one: live, stored, anonymised). */
export type CaseOut<V extends Pick<CaseView, 'openTasks'> = CaseView> = Omit<V, 'openTasks'> & { openTasks: CaseTaskOut[] };

/** The view with these claims (task id → who holds it); a task without one is shown as the workflow has it. */
export function claimed<V extends Pick<CaseView, 'openTasks'>>(view: V, claims: ReadonlyMap<string, string> = new Map()): CaseOut<V> {
  return {
    ...view,
    openTasks: view.openTasks.map((t) => {
      const by = t.status === 'open' || t.status === 'claimed' ? claims.get(t.id) : undefined;
      return by === undefined ? { ...t, claimedBy: null } : { ...t, status: 'claimed' as const, claimedBy: by };
    }),
  };
}

/** The view with its open tasks' claims as the inbox holds them now (one indexed query, none without open tasks). */
export async function withClaims<V extends Pick<CaseView, 'id' | 'openTasks'>>(db: Db, view: V): Promise<CaseOut<V>> {
  if (view.openTasks.length === 0) return claimed(view);
  const rows = await db
    .select({ id: tasks.id, claimedBy: tasks.claimedBy })
    .from(tasks)
    .where(and(eq(tasks.caseId, view.id), eq(tasks.status, 'claimed'), inArray(tasks.id, view.openTasks.map((t) => t.id))));
  return claimed(view, new Map(rows.flatMap((r) => (r.claimedBy === null ? [] : [[r.id, r.claimedBy] as const]))));
}
