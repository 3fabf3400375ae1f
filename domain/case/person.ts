// The person behind a case, corrected after intake: a misspelt name, a date of birth, the passport
// that turns up, a second nationality, a guardian (update_person); their risk flags (add_risk_flag,
// remove_risk_flag); and the travel document the consulate issues, which becomes one of their
// documents. Each correction is recorded field by field (from, to) in the timeline, which only the
// case's own office reads and which is sealed at rest. Steps that touch the name, date of birth,
// nationalities or documents mark the change, so the read model re-indexes them for duplicates.
import { DomainError } from '../errors.js';
import { normaliseDocumentNumber } from '../person-match.js';
import { type ActionOf, type IdentityDocument, PERSON_FIELDS, type Person, type RiskFlag } from '../shapes.js';
import type { ActionTable } from './rules.js';
import { type CaseState, type Change, type Ctx, initialPriority, priorityRank } from './state.js';
import { emit } from './steps.js';
import { sendConsularTasks } from './stages/consular-contact.js';

/** One field's correction, as the timeline records it. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

// The fields whose change re-indexes the person (documents, and the possible-duplicate keys).
const INDEXED: ReadonlySet<string> = new Set(['fullName', 'nativeName', 'dateOfBirth', 'nationality', 'nationalities', 'documents']);

/** The person after a correction: given fields replace (lists whole), `null` clears an optional one. */
export function correctedPerson(person: Person, action: ActionOf<'update_person'>): Person {
  const next: Record<string, unknown> = { ...person };
  for (const field of PERSON_FIELDS) {
    const value = action[field];
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as Person;
}

// Key order does not make two values different (a document built here and one parsed from a request).
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

// An absent list is an empty one; an absent field is null.
const valueOf = (person: Person, field: (typeof PERSON_FIELDS)[number]) =>
  person[field] ?? (field === 'nationalities' || field === 'documents' || field === 'languages' ? [] : null);

/** Field by field, what differs between two versions of the person; the guardian by its own fields. */
export function personChanges(before: Person, after: Person): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of PERSON_FIELDS) {
    const from = valueOf(before, field);
    const to = valueOf(after, field);
    if (canonical(from) === canonical(to)) continue;
    if (field === 'guardian' && from && to) {
      const a = from as Record<string, unknown>;
      const b = to as Record<string, unknown>;
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
        if (canonical(a[key]) !== canonical(b[key])) changes.push({ field: `guardian.${key}`, from: a[key] ?? null, to: b[key] ?? null });
      }
      continue;
    }
    changes.push({ field, from, to });
  }
  return changes;
}

const sameDocument = (a: Pick<IdentityDocument, 'number' | 'issuingCountry'>, b: Pick<IdentityDocument, 'number' | 'issuingCountry'>) =>
  a.issuingCountry === b.issuingCountry && normaliseDocumentNumber(a.number) === normaliseDocumentNumber(b.number);

/**
 * The consulate's travel document becomes one of the person's documents (and so part of the
 * duplicate index): issued by the person's state, i.e. of their nationality. A document already
 * listed (a passport re-entered, a reissue) is updated, not listed twice.
 */
export function joinTravelDocument(state: CaseState, issued: { documentType: 'emergency_travel_document' | 'passport'; number: string; validUntil: string }, change: Change): void {
  const document: IdentityDocument = { type: issued.documentType, number: issued.number, issuingCountry: state.person.nationality, validUntil: issued.validUntil };
  const documents = state.person.documents.filter((d) => !sameDocument(d, document));
  state.person = { ...state.person, documents: [...documents, document] };
  change.personChanged = true;
}

/** Risk flags raise the priority to what intake would give them; removing one never lowers it (set_priority does). */
function raiseForFlags(state: CaseState, change: Change, ctx: Ctx, flag: RiskFlag): void {
  const floor = initialPriority(state.riskFlags);
  if (priorityRank(floor) >= priorityRank(state.priority)) return;
  const from = state.priority;
  state.priority = floor;
  emit(state, change, ctx, 'priority_raised', { from, to: floor, why: `risk flag ${flag}` });
}

export const personActions: Pick<ActionTable, 'update_person' | 'add_risk_flag' | 'remove_risk_flag'> = {
  update_person: {
    stages: 'any',
    whileOnHold: true,
    check: (state, action) => {
      const next = correctedPerson(state.person, action);
      const primary = next.nationality;
      const further = next.nationalities ?? [];
      if (further.includes(primary)) {
        const path = action.nationalities !== undefined ? `nationalities[${further.indexOf(primary)}]` : 'nationality';
        throw new DomainError('validation_failed', 'invalid update_person action', [{ path, message: 'the primary nationality is also listed in nationalities' }]);
      }
    },
    // The entry holds what changed, from and to, not the request: a reader sees the correction itself.
    record: (state, action) => ({ reason: action.reason, changes: personChanges(state.person, correctedPerson(state.person, action)) }),
    apply: (state, action, change) => {
      const next = correctedPerson(state.person, action);
      const changed = personChanges(state.person, next);
      state.person = next;
      if (changed.some((c) => INDEXED.has(c.field))) change.personChanged = true;
    },
  },
  add_risk_flag: {
    stages: 'any',
    whileOnHold: true,
    check: (state, action) => {
      if (state.riskFlags.includes(action.flag)) throw new DomainError('conflict', 'the case already has this risk flag', { flag: action.flag });
    },
    apply: (state, action, change, ctx) => {
      state.riskFlags = [...state.riskFlags, action.flag];
      raiseForFlags(state, change, ctx, action.flag);
      // A flag can make the consulate's work bigger (shelter for a minor, a medical check for an
      // injury): what the stage now requires is sent at once, or the stage would wait for it forever.
      if (state.stage === 'consular_contact' && state.consent.consularNotification !== 'refused' && state.consent.dataSharing !== 'withdrawn') {
        sendConsularTasks(state, change, ctx);
      }
    },
  },
  // Removing `minor` lifts the guardian rules (domain/case/minors.ts); like every removal it needs a
  // reason, and is on the record.
  remove_risk_flag: {
    stages: 'any',
    whileOnHold: true,
    check: (state, action) => {
      if (!state.riskFlags.includes(action.flag)) throw new DomainError('conflict', 'the case does not have this risk flag', { flag: action.flag });
    },
    apply: (state, action) => {
      state.riskFlags = state.riskFlags.filter((f) => f !== action.flag);
    },
  },
};
