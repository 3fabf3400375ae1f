// The action table: one entry per action a caseworker can take, saying where it is allowed, what
// else must hold for it to be offered, what it checks and what it does. Housekeeping actions that
// work in every stage are here; a stage's own actions live in its module (stages/*.ts) and the
// closure and consent ones in closure.ts and consent.ts; all are collected below.
// allowedActions, validateAction and applyAction read nothing but this table.
import { type Action, type ActionType, actionSchemas } from '../schemas.js';
import { DomainError, fieldIssues } from '../errors.js';
import type { ActionRule, ActionTable } from './rules.js';
import type { CaseState, Change, Ctx } from './state.js';
import { emit, emptyChange } from './steps.js';
import { resume } from './clock.js';
import { closureActions } from './closure.js';
import { consentActions } from './consent.js';
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
    },
  },
};

let table: ActionTable | undefined;

/** The whole table, checked once: every action type has exactly one entry. */
export function actionTable(): ActionTable {
  if (table) return table;
  const parts: Array<Partial<ActionTable>> = [caseWide, consentActions, closureActions, medicalActions, ...stageRules().map((s) => s.actions)];
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

function inItsStage(state: CaseState, rule: ActionRule): boolean {
  return rule.stages === 'any' || rule.stages.includes(state.stage);
}

function offered(state: CaseState, rule: ActionRule): boolean {
  if (state.onHold && !rule.whileOnHold) return false;
  if (!inItsStage(state, rule)) return false;
  return rule.available?.(state) ?? true;
}

/** The actions a caseworker may take right now, in API.md's order. */
export function allowedActions(state: CaseState): ActionType[] {
  if (state.status === 'closed') return [];
  return (Object.keys(actionSchemas) as ActionType[]).filter((type) => offered(state, ruleOf(type)));
}

/** Checks an action against its schema and the current state; throws DomainError, changes nothing. */
export function validateAction(state: CaseState, raw: unknown, now: string, expectedVersion?: number): Action {
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
  if (expectedVersion !== undefined && expectedVersion !== state.version) {
    throw new DomainError('version_mismatch', `the case is at version ${state.version}, not ${expectedVersion}`, {
      version: state.version,
    });
  }
  const action = parsed.data as Action;
  const allowed = allowedActions(state);
  if (!allowed.includes(action.type)) {
    const rule = ruleOf(action.type);
    const why =
      state.status === 'closed'
        ? 'the case is closed'
        : state.onHold
          ? 'the case is on hold'
          : ((inItsStage(state, rule) && rule.whyUnavailable?.(state)) || `the case is in stage ${state.stage}`);
    throw new DomainError('invalid_transition', `${action.type} is not allowed now: ${why}`, { stage: state.stage, allowed });
  }
  ruleOf(action.type).check?.(state, action, { now, allowed });
  return action;
}

/** Applies a validated action: its own timeline event first, then what its entry does. */
export function applyAction(state: CaseState, action: Action, ctx: Ctx): Change {
  const change = emptyChange();
  const { type, ...data } = action;
  emit(state, change, ctx, type, data);
  ruleOf(type).apply(state, action, change, ctx);
  return change;
}
