// The action table: one entry per action a caseworker can take, saying where it is allowed, what
// else must hold for it to be offered, what it checks and what it does. Housekeeping actions that
// work in every stage are here; a stage's own actions live in its module (stages/*.ts) and the
// closure, consent, transfer and justice ones in closure.ts, consent.ts, transfer.ts and justice.ts;
// all are collected below.
// allowedActions, validateAction and applyAction read nothing but this table.
import { type Action, type ActionType, EXPLOITATION_TYPES, actionSchemas } from '../shapes.js';
import { DomainError, fieldIssues } from '../errors.js';
import type { ActionGuard, ActionRule, ActionTable, RuleSwitches } from './rules.js';
import type { CaseState, Change, Ctx } from './state.js';
import { emit, emptyChange } from './steps.js';
import { resume } from './clock.js';
import { closureActions } from './closure.js';
import { consentActions } from './consent.js';
import { transferActions } from './transfer.js';
import { justiceActions } from './justice.js';
import { personActions } from './person.js';
import { minorActions, minorReturnGuard } from './minors.js';
import { medicalActions } from './medical.js';
import { stageRules } from './stages/index.js';

const caseWide: Pick<ActionTable, 'add_note' | 'assign' | 'set_priority' | 'hold' | 'resume' | 'record_screening'> = {
  add_note: { stages: 'any', whileOnHold: true, apply: () => {} },
  assign: {
    stages: 'any',
    whileOnHold: true,
    apply: (state, action) => {
      state.assignee = action.assignee;
    },
  },
  set_priority: {
    stages: 'any',
    whileOnHold: true,
    apply: (state, action) => {
      state.priority = action.priority;
    },
  },
  // On hold, the case's clock stops (nextWakeAt) and its stage work waits; resuming restores both.
  hold: {
    stages: 'any',
    whileOnHold: true,
    available: (state) => !state.onHold,
    apply: (state, action, _change, ctx) => {
      state.onHold = true;
      state.holdReason = action.reason;
      state.heldAt = ctx.now;
    },
  },
  resume: {
    stages: 'any',
    whileOnHold: true,
    available: (state) => state.onHold,
    apply: (state, _action, change, ctx) => resume(state, change, ctx),
  },
  // Assistance never depends on the outcome: it is recorded for the authorities, nothing more.
  record_screening: {
    stages: 'any',
    whileOnHold: true,
    apply: (state, action) => {
      state.screening = action.outcome;
      if (action.exploitationTypes) state.exploitationTypes = EXPLOITATION_TYPES.filter((t) => action.exploitationTypes!.includes(t));
    },
  },
};

let table: ActionTable | undefined;

/** The whole table, checked once: every action type has exactly one entry. */
export function actionTable(): ActionTable {
  if (table) return table;
  const parts: Array<Partial<ActionTable>> = [
    caseWide,
    consentActions,
    closureActions,
    transferActions,
    justiceActions,
    personActions,
    minorActions,
    medicalActions,
    ...stageRules().map((s) => s.actions),
  ];
  const merged: Partial<Record<ActionType, ActionRule>> = {};
  for (const part of parts) {
    for (const [type, rule] of Object.entries(part) as Array<[ActionType, ActionRule]>) {
      if (merged[type]) throw new Error(`action ${type} has two entries in the action table`);
      merged[type] = rule;
    }
  }
  const missing = (Object.keys(actionSchemas) as ActionType[]).filter((type) => !merged[type]);
  if (missing.length > 0) throw new Error(`actions without an entry in the action table: ${missing.join(', ')}`);
  table = merged as ActionTable;
  return table;
}

function ruleOf(type: ActionType): ActionRule {
  return actionTable()[type] as ActionRule;
}

/** Conditions kept by other modules' rules that hold actions back (read on use: the modules import each other). */
const guards = (): readonly ActionGuard[] => [minorReturnGuard];

function guardOn(state: CaseState, type: ActionType, rules?: RuleSwitches) {
  for (const guard of guards()) {
    if (!guard.actions.includes(type) || (guard.switch && rules?.[guard.switch] === false)) continue;
    const blocked = guard.blocked(state);
    if (blocked) return blocked;
  }
  return null;
}

function inItsStage(state: CaseState, rule: ActionRule): boolean {
  return rule.stages === 'any' || rule.stages.includes(state.stage);
}

function offeredByItsRule(state: CaseState, rule: ActionRule): boolean {
  if (state.onHold && !rule.whileOnHold) return false;
  if (!inItsStage(state, rule)) return false;
  return rule.available?.(state) ?? true;
}

/** The actions a caseworker may take right now, in docs/api.md's order. */
export function allowedActions(state: CaseState, rules?: RuleSwitches): ActionType[] {
  if (state.status === 'closed') return [];
  return (Object.keys(actionSchemas) as ActionType[]).filter((type) => offeredByItsRule(state, ruleOf(type)) && !guardOn(state, type, rules));
}

/**
 * Checks an action against its schema and the current state; throws DomainError, changes nothing.
 * `rules` switches off rules newer than a decision being replayed (RuleSwitches).
 */
export function validateAction(state: CaseState, raw: unknown, now: string, expectedVersion?: number, rules?: RuleSwitches): Action {
  const type = (raw as { type?: unknown } | null)?.type;
  const schema = typeof type === 'string' ? actionSchemas[type as ActionType] : undefined;
  if (!schema) {
    throw new DomainError('validation_failed', 'unknown action type', [
      { path: 'type', message: `expected one of ${Object.keys(actionSchemas).join(', ')}` },
    ]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new DomainError('validation_failed', `invalid ${type} action`, fieldIssues(parsed.error.issues));
  }
  assertVersion(state.version, expectedVersion);
  const action = parsed.data as Action;
  if (state.status === 'closed') throw closedCaseRefusal(action.type);
  const allowed = allowedActions(state, rules);
  if (!allowed.includes(action.type)) {
    const rule = ruleOf(action.type);
    const guard = state.status === 'open' && offeredByItsRule(state, rule) ? guardOn(state, action.type, rules) : null;
    const why = state.onHold
      ? 'the case is on hold'
      : guard
        ? guard.reason
        : (inItsStage(state, rule) && rule.whyUnavailable?.(state)) || `the case is in stage ${state.stage}`;
    throw new DomainError('invalid_transition', `${action.type} is not allowed now: ${why}`, { stage: state.stage, allowed, ...guard?.details });
  }
  ruleOf(action.type).check?.(state, action, { now, allowed, rules });
  return action;
}

/** A step asked of a case at another version than the one it is at (the API answers so for a closed case too). */
export function assertVersion(version: number, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== version) {
    throw new DomainError('version_mismatch', `the case is at version ${version}, not ${expectedVersion}`, { version });
  }
}

/** Nothing is allowed on a closed case (the API answers so itself once the case's workflow has ended). */
export function closedCaseRefusal(type: string): DomainError {
  return new DomainError('invalid_transition', `${type} is not allowed now: the case is closed`, { stage: 'closed', allowed: [] });
}

/** Applies a validated action: its own timeline event first, then what its entry does. */
export function applyAction(state: CaseState, action: Action, ctx: Ctx): Change {
  const change = emptyChange();
  const { type, ...data } = action;
  const rule = ruleOf(type);
  emit(state, change, ctx, type, rule.record ? rule.record(state, action) : data);
  rule.apply(state, action, change, ctx);
  return change;
}
