// Read-model rows of cases written straight to PostgreSQL with the project's own row builder
// (db/case-rows.ts caseRow over domain initialState/caseView), so snapshots are sealed exactly as
// the workflow seals them. For tests of what reads the read model (exports) at populations the
// workflow would take minutes to open; no workflow runs for these cases.
import { randomUUID } from 'node:crypto';
import { caseRow } from '../../db/case-rows.js';
import { type CaseView, caseView, initialState } from '../../domain/case.js';
import type { Person } from '../../domain/schemas.js';
import { cases } from '../../db/schema/index.js';
import type { Harness } from './harness.js';

export interface CaseRowSpec {
  office: string;
  consulateId?: string;
  person?: Partial<Person>;
  createdAt?: Date;
  stage?: CaseView['stage'];
  priority?: CaseView['priority'];
  country?: string | null;
  closureReason?: NonNullable<CaseView['closure']>['reason'];
}

let counter = 0;

/** The case view a freshly opened case has, changed as `spec` says. */
export function caseViewOf(spec: CaseRowSpec): CaseView {
  const id = randomUUID();
  const openedAt = (spec.createdAt ?? new Date()).toISOString();
  const person: Person = {
    fullName: `Test Person ${id.slice(0, 8)}`,
    sex: 'unknown',
    nationality: 'PH',
    documents: [{ type: 'passport', number: `P${id.slice(0, 12).replace(/-/g, '').toUpperCase()}`, issuingCountry: 'PH' }],
    languages: ['tl'],
    ...spec.person,
  };
  const state = initialState({
    caseId: id,
    reference: `HW-T-${process.pid}-${++counter}-${id.slice(0, 6)}`,
    office: spec.office,
    consulateId: spec.consulateId ?? 'consulate-rows',
    immigrationAgencyId: 'immigration',
    person,
    location: spec.country ? { country: spec.country } : undefined,
    source: { type: 'hotline' },
    riskFlags: [],
    openedBy: { sub: 'cw-rows', role: 'caseworker' },
    openedAt,
  });
  const view = caseView(state);
  const closed = spec.closureReason !== undefined;
  return {
    ...view,
    stage: closed ? 'closed' : (spec.stage ?? view.stage),
    status: closed ? 'closed' : 'open',
    priority: spec.priority ?? view.priority,
    closure: closed ? { reason: spec.closureReason!, comment: null, approvedBy: 'sup-rows', closedAt: openedAt } : null,
  } as CaseView;
}

/** Inserts the rows in batches (PostgreSQL takes at most 65,535 parameters a statement). */
export async function insertCaseRows(h: Pick<Harness, 'db' | 'cipher'>, views: CaseView[], batch = 1_000): Promise<string[]> {
  for (let i = 0; i < views.length; i += batch) {
    await h.db.insert(cases).values(views.slice(i, i + batch).map((v) => caseRow(v, h.cipher)));
  }
  return views.map((v) => v.id);
}
