// Who calls, in the security matrix and the token tests. The agencies and tokens exist only once a
// harness runs: signIn() sets them in the tests' beforeAll, and importers see them through the live
// bindings of `export let` (the same module-level variables the tests read).
import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../../api/middleware/auth.js';
import { type Harness, createConsulate } from '../../support/harness.js';

export interface Caller {
  name: string;
  role: Role;
  office?: string;
  agency?: string;
  sub: string;
  token: string;
}

export const officeA = `mx-a-${randomUUID().slice(0, 8)}`;
export const officeB = `mx-b-${randomUUID().slice(0, 8)}`;
export let consulateA: string;
export let consulateB: string;
export let immigration: string;

/**
 * Every role (a Record over ROLES, so a new role does not compile until it has callers here), with a
 * token of the fixtures' own office or agency, of another one, and of every office where a role may.
 */
export function callerSpecs(): Record<Role, Array<Omit<Caller, 'role' | 'token' | 'sub'>>> {
  return {
    caseworker: [
      { name: 'caseworker@A', office: officeA },
      { name: 'caseworker@B', office: officeB },
    ],
    supervisor: [
      { name: 'supervisor@A', office: officeA },
      { name: 'supervisor@B', office: officeB },
      { name: 'supervisor@*', office: '*' },
    ],
    agency_officer: [
      { name: 'officer@consulateA', agency: consulateA },
      { name: 'officer@consulateB', agency: consulateB },
      { name: 'officer@immigration', agency: immigration },
    ],
    admin: [{ name: 'admin' }],
  };
}

export let callers: Caller[] = [];
export const callerNamed = (name: string) => callers.find((c) => c.name === name)!;

/** Creates the consulates the callers belong to, and signs every caller's token. */
export async function signIn(h: Harness): Promise<void> {
  consulateA = await createConsulate(h);
  consulateB = await createConsulate(h);
  immigration = h.config.immigrationAgencyId;
  const specs = callerSpecs();
  callers = [];
  for (const role of ROLES) {
    for (const spec of specs[role]) {
      const sub = `mx-${spec.name.replace(/[^a-z0-9]+/gi, '-')}-${randomUUID().slice(0, 4)}`;
      callers.push({ ...spec, role, sub, token: await h.token(role, { office: spec.office, agency: spec.agency, sub }) });
    }
  }
}
