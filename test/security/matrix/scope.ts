// Who may see what of the fixtures: the rules the matrix holds every answer to. Written out here
// rather than taken from the API's own checks, so a wrong rule in the API cannot agree with itself.
import type { Caller } from './callers.js';
import { type CaseFx, type HookFx, type TaskFx, world } from './world.js';

export const officeRoles = (c: Caller) => c.role === 'caseworker' || c.role === 'supervisor';
export const seesOffice = (c: Caller, office: string) => officeRoles(c) && (c.office === '*' || c.office === office);
/** The inbox rule: an agency officer sees their agency's tasks; caseworkers and supervisors their office's. */
export const seesTask = (c: Caller, t: TaskFx) => (c.role === 'agency_officer' ? c.agency === t.agencyId : seesOffice(c, t.office));
/** Webhooks: an admin's are every one; an officer's their agency's; a supervisor's their office's. */
export const seesHook = (c: Caller, k: Omit<HookFx, 'id'>) =>
  c.role === 'admin' || (c.role === 'agency_officer' ? c.agency === k.agencyId : c.role === 'supervisor' && k.office !== null && (c.office === '*' || c.office === k.office));

/**
 * Whose person data a caller may ever be shown: their office's cases; an agency officer the cases
 * they hold a task of; an admin every case (retention and the access log are theirs, for all offices).
 */
export const seesCase = (c: Caller, k: CaseFx) =>
  c.role === 'admin' || seesOffice(c, k.office) || (c.role === 'agency_officer' && world.tasks.some((t) => t.caseId === k.id && t.agencyId === c.agency));

/** Everything of the fixtures this caller must never be shown, in any answer, whatever its status. */
export function secretsFor(c: Caller): string[] {
  const out: string[] = [];
  for (const k of world.cases) if (!seesCase(c, k)) out.push(k.id, k.reference, ...k.names, ...k.docs);
  for (const t of world.tasks) if (!seesTask(c, t)) out.push(t.id);
  for (const a of world.approvals) if (!seesOffice(c, a.office)) out.push(a.id);
  for (const o of world.operations) if (!seesOffice(c, o.office)) out.push(o.id, o.bulkId);
  return out;
}

/** A secret appears as a whole value or word, not as a part of a longer one. */
export function leaked(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => new RegExp(`(^|[^A-Za-z0-9-])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9-])`).test(text));
}
