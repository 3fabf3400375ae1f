// How the case workflow takes a step: one at a time, on a copy of the state, committed only once the
// read model holds it. Why one at a time: the SDK resumes local activities in the order they
// finished on a first run but in the order they were scheduled on replay, so two steps persisting
// at once (an action right after opening, two people acting together, a timer firing during an
// action) recorded a history that a restarted worker could not replay (issue #7). Why on a copy: a
// step whose write is refused for good must leave the case exactly as it was, not half-changed.
import { Mutex } from 'async-mutex';
import { ActivityFailure, ApplicationFailure, condition, currentUpdateInfo, log, proxyActivities, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { CaseActivities } from '../activities/index.js';
import type { PersistCaseInput } from '../activities/cases.js';
import { type CaseState, type Change, commit } from '../domain/case.js';
import { DUPLICATE_DOCUMENT, DomainError, READ_MODEL_REFUSED } from '../domain/errors.js';
import { IDEMPOTENT_UPDATE_PREFIX } from '../domain/ids.js';
import { caseSearchAttributes } from '../domain/search-attributes.js';

// The read model must eventually hold every step, whatever the outage: retry without a limit,
// backing off to a minute so a PostgreSQL restart is absorbed without flooding it. Writes the
// database refuses for good (a value it cannot store, a missing reference) fail non-retryably.
const PERSIST_RETRY = { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { persistCase: persistCaseActivity } = proxyActivities<CaseActivities>({ startToCloseTimeout: '30 seconds', retry: PERSIST_RETRY });
// The same write as a local activity: it runs in the worker's workflow task, so a step costs one
// marker in history instead of a scheduled/started/completed triple and a second workflow task.
const { persistCase: persistCaseLocal } = proxyLocalActivities<CaseActivities>({ startToCloseTimeout: '30 seconds', retry: PERSIST_RETRY });

/**
 * Runs `fn`, turning a DomainError it throws into a non-retryable ApplicationFailure whose type is
 * the API's error code, so validators and handlers reject in a form the caller can map 1:1.
 */
export function asApplicationFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DomainError) {
      throw ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details ?? null], nonRetryable: true });
    }
    throw err;
  }
}

// Update ids that came from an Idempotency-Key are remembered across continue-as-new (the server
// deduplicates within one run only), so a retry never applies twice.
const REMEMBERED_UPDATE_IDS = 200;

export interface CaseStepper {
  /** The case as last committed. */
  readonly state: CaseState;
  /**
   * Runs `make` on a copy of the committed state under the step lock; if it changed anything, the
   * copy gets the next version, is persisted and becomes the state. Returns what `make` returned.
   */
  step<T>(make: (draft: CaseState) => { change: Change; result: (committed: CaseState) => T }, opts?: { first?: boolean }): Promise<T>;
  /** Work that must not interleave with a step (starting the exit restriction's timer). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether this update (by its idempotency-derived id) was applied in this or an earlier run. */
  alreadyApplied(): boolean;
  /** Persists the way steps were persisted before the serialisation patch; new steps wait for it. */
  persistLegacy(input: PersistCaseInput): Promise<void>;
}

export function createStepper(initial: CaseState, opts: { localActivity: () => boolean }): CaseStepper {
  let state = initial;
  let indexed: SearchAttributePair[] = caseSearchAttributes(state);
  let legacyInFlight = 0;
  const lock = new Mutex();

  const persist = (input: PersistCaseInput, local: boolean) => (local ? persistCaseLocal(input) : persistCaseActivity(input));

  function index(next: CaseState): void {
    const pairs = caseSearchAttributes(next);
    const changed = pairs.filter((pair, i) => pair.value !== indexed[i]!.value);
    if (changed.length > 0) {
      upsertSearchAttributes(changed);
      indexed = pairs;
    }
  }

  function remember(draft: CaseState): void {
    const id = currentUpdateInfo()?.id;
    if (!id?.startsWith(IDEMPOTENT_UPDATE_PREFIX)) return;
    draft.appliedUpdateIds = [...(draft.appliedUpdateIds ?? []), id].slice(-REMEMBERED_UPDATE_IDS);
  }

  return {
    get state() {
      return state;
    },

    step(make, { first = false } = {}) {
      return lock.runExclusive(async () => {
        await condition(() => legacyInFlight === 0);
        // JSON is the state's own format (it travels through continue-as-new that way), so the copy is exact.
        const draft = JSON.parse(JSON.stringify(state)) as CaseState;
        const { change, result } = make(draft);
        if (change.events.length === 0 && !first) return result(state);
        remember(draft);
        const committed = commit(draft, change, { first, trim: true });
        try {
          await persist(committed, opts.localActivity());
        } catch (err) {
          throw translateReadModelRefusal(err);
        }
        state = draft;
        index(state);
        return result(state);
      });
    },

    exclusive(fn) {
      return lock.runExclusive(fn);
    },

    alreadyApplied() {
      const id = currentUpdateInfo()?.id;
      return id !== undefined && (state.appliedUpdateIds ?? []).includes(id);
    },

    persistLegacy(input) {
      // In the order the legacy step issued its commands: search attributes, then the patch check, then
      // the write; and handing back the write's own promise, so awaiting it takes as many hops as it did.
      index(state);
      const written = persist(input, opts.localActivity());
      legacyInFlight += 1;
      const done = () => {
        legacyInFlight -= 1;
      };
      void written.then(done, done);
      return written;
    },
  };
}

/**
 * The read model refused the step for good: the state was not changed, and the caller learns why.
 * A value PostgreSQL cannot hold (SQLSTATE class 22), a reference to nothing (23503, e.g. an
 * unknown agency) or a document another open case holds is the request's fault; anything else is ours.
 */
function translateReadModelRefusal(err: unknown): unknown {
  // A local activity's failure may reach the workflow bare or wrapped in an ActivityFailure.
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (!(failure instanceof ApplicationFailure) || failure.type !== READ_MODEL_REFUSED) return err;
  const sqlState = String(failure.details?.[0] ?? '');
  log.warn('a step was refused by the read model and not applied', { sqlState });
  // A document this step adds is on another open case (activities/cases.ts reindexPerson): the API
  // says which case only to a caller who may see it, so the failure itself names none.
  if (failure.details?.[1] === DUPLICATE_DOCUMENT) {
    return ApplicationFailure.create({
      type: 'duplicate_person',
      message: 'an open case already has this identity document; nothing was changed',
      details: [null],
      nonRetryable: true,
    });
  }
  if (sqlState.startsWith('22') || sqlState === '23503') {
    return ApplicationFailure.create({
      type: 'validation_failed',
      message: sqlState === '23503' ? 'this step refers to something that does not exist; nothing was changed' : 'a value in this step cannot be stored; nothing was changed',
      details: [[{ path: '(root)', message: `refused by the database (SQLSTATE ${sqlState})` }]],
      nonRetryable: true,
    });
  }
  return ApplicationFailure.create({ type: 'internal', message: 'the case could not record this step; nothing was changed', nonRetryable: true });
}
