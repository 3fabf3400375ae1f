// Who else a person may be. An identity document held by another open case refuses the step
// (409 duplicate_person); a name, date of birth and nationality shared with another case is only
// shown (`possibleDuplicates`), never acted on: two people can share all three. Both are matched on
// keyed hashes only (identity_documents, person_match_keys), and both follow the caller's scope
// (API.md "Scope never leaks"): a case outside it is never named, only the office to contact.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { IdentityDocument, Person } from '../../domain/schemas.js';
import { type MatchKind, type MatchedOn, type NameForm, matchMaterials, matchedOn, sharedKeyCounts } from '../../domain/person-match.js';
import type { Db } from '../../db/client.js';
import type { IdentityHasher } from '../../db/identity.js';
import { cases, identityDocuments, operationPersons, personMatchKeys } from '../../db/schema/index.js';
import { ApiError } from '../errors.js';
import { type Auth, inOfficeScope } from '../middleware/auth.js';

type Reader = Pick<Db, 'select'>;

export type PossibleDuplicate =
  | { inScope: true; caseId: string; reference: string; status: string; matchedOn: MatchedOn[] }
  | { inScope: false; contactOffice: string; matchedOn: MatchedOn[] };

/** At most this many are listed, the closest first: a common name must not flood the case. */
export const MAX_POSSIBLE_DUPLICATES = 50;
// Rows read per lookup: enough for MAX_POSSIBLE_DUPLICATES cases matched on every key they have.
const MAX_ROWS = 1_000;

/** Whether the caller may see a case of this office (an agency officer sees none through here). */
export function maySeeOffice(auth: Auth, office: string): boolean {
  return (auth.role === 'caseworker' || auth.role === 'supervisor') && inOfficeScope(auth, office);
}

interface SharedRow {
  caseId: string;
  reference: string;
  office: string;
  status: string;
  kind: MatchKind;
  nameForm: NameForm;
}

/** Shared keys grouped by case, strongest match first, then by reference; scoped for the caller. */
function byCase(auth: Auth, rows: SharedRow[]): PossibleDuplicate[] {
  const found = new Map<string, { row: SharedRow; shared: Array<{ kind: MatchKind; form: NameForm }> }>();
  for (const row of rows) {
    const entry = found.get(row.caseId) ?? { row, shared: [] };
    entry.shared.push({ kind: row.kind, form: row.nameForm });
    found.set(row.caseId, entry);
  }
  return [...found.values()]
    .map(({ row, shared }) => ({ row, on: matchedOn(shared) }))
    .sort((a, b) => b.on.length - a.on.length || a.row.reference.localeCompare(b.row.reference))
    .slice(0, MAX_POSSIBLE_DUPLICATES)
    .map(({ row, on }): PossibleDuplicate =>
      maySeeOffice(auth, row.office)
        ? { inScope: true, caseId: row.caseId, reference: row.reference, status: row.status, matchedOn: on }
        : { inScope: false, contactOffice: row.office, matchedOn: on },
    );
}

export function createPersonMatching(deps: { db: Db; hasher: IdentityHasher }) {
  const { db, hasher } = deps;

  /**
   * 409 duplicate_person when an open case (other than `exceptCaseId`) already has one of these
   * documents: its id only when the caller may see it, otherwise whom to contact, never which case.
   */
  async function rejectDuplicateDocuments(auth: Auth, documents: ReadonlyArray<Pick<IdentityDocument, 'number' | 'issuingCountry'>>, opts: { exceptCaseId?: string } = {}) {
    if (documents.length === 0) return;
    // Under every configured key: documents hashed before a key rotation still match.
    const hashes = documents.flatMap((d) => hasher.documentHashes(d));
    const [dup] = await db
      .select({ caseId: identityDocuments.caseId, office: cases.office })
      .from(identityDocuments)
      .innerJoin(cases, eq(cases.id, identityDocuments.caseId))
      .where(
        and(
          eq(identityDocuments.open, true),
          sql`${identityDocuments.documentHash} in ${hashes}`,
          opts.exceptCaseId ? sql`${identityDocuments.caseId} <> ${opts.exceptCaseId}` : undefined,
        ),
      )
      .limit(1);
    if (!dup) return;
    if (maySeeOffice(auth, dup.office)) {
      throw new ApiError('duplicate_person', 'an open case already has this identity document', { caseId: dup.caseId });
    }
    throw new ApiError(
      'duplicate_person',
      `an open case of another office already has this identity document; contact office ${dup.office} about this person`,
      { inScope: false },
    );
  }

  /**
   * Cases whose person shares a name (either form) with date of birth and/or nationality with this
   * one. Anonymised cases have no keys left. `reader` lets intake ask inside its own transaction.
   */
  async function possibleDuplicates(auth: Auth, caseId: string, person: Person, reader: Reader = db): Promise<PossibleDuplicate[]> {
    const materials = matchMaterials(person);
    if (materials.length === 0) return [];
    // Under every configured key, like documents: a rotation in progress hides no match.
    const mine = new Map<string, (typeof materials)[number]>();
    for (const m of materials) for (const h of hasher.matchHashes(m.material)) mine.set(h, m);
    const rows = await reader
      .select({
        caseId: personMatchKeys.caseId,
        keyHash: personMatchKeys.keyHash,
        kind: personMatchKeys.kind,
        nameForm: personMatchKeys.nameForm,
        dobKnown: personMatchKeys.dobKnown,
        reference: cases.reference,
        office: cases.office,
        status: cases.status,
      })
      .from(personMatchKeys)
      .innerJoin(cases, eq(cases.id, personMatchKeys.caseId))
      .where(and(inArray(personMatchKeys.keyHash, [...mine.keys()]), sql`${personMatchKeys.caseId} <> ${caseId}`, isNull(cases.anonymisedAt)))
      .limit(MAX_ROWS);
    return byCase(
      auth,
      rows.filter((r) => sharedKeyCounts(r.kind, mine.get(r.keyHash)!.dobKnown, r.dobKnown)),
    );
  }

  /**
   * Per person a raid opened a case for, the other cases that person may be (in the raid or before
   * it). Keys are compared as stored, so during an identity-hash rotation a few may be missed until
   * `npm run keys:rotate` has run (the same known limit as documents).
   */
  async function operationPossibleDuplicates(auth: Auth, operationId: string) {
    const rows = await db.execute<{ idx: number; own_case_id: string; case_id: string; reference: string; office: string; status: string; kind: MatchKind; name_form: NameForm }>(sql`
      select p.idx, p.case_id as own_case_id, c.id as case_id, c.reference, c.office, c.status, o.kind, o.name_form
      from ${operationPersons} p
      join ${personMatchKeys} m on m.case_id = p.case_id
      join ${personMatchKeys} o on o.key_hash = m.key_hash and o.case_id <> m.case_id
      join ${cases} c on c.id = o.case_id and c.anonymised_at is null
      where p.operation_id = ${operationId} and p.outcome = 'opened'
        and (m.kind <> 'name_nationality' or not (m.dob_known and o.dob_known))
      order by p.idx
      limit ${MAX_ROWS * 10}`);
    const perPerson = new Map<number, { caseId: string; rows: SharedRow[] }>();
    for (const r of rows.rows) {
      const entry = perPerson.get(r.idx) ?? { caseId: r.own_case_id, rows: [] };
      entry.rows.push({ caseId: r.case_id, reference: r.reference, office: r.office, status: r.status, kind: r.kind, nameForm: r.name_form });
      perPerson.set(r.idx, entry);
    }
    return [...perPerson.entries()].map(([index, { caseId, rows: shared }]) => ({ index, caseId, possibleDuplicates: byCase(auth, shared) }));
  }

  return { rejectDuplicateDocuments, possibleDuplicates, operationPossibleDuplicates };
}
