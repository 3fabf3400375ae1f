// The shapes of the rules: an action's entry in the action table, and a stage's module. Types only,
// so every module can name them without importing another's code.
import type { Action, ActionOf, ActionType, Stage, TaskType } from '../shapes.js';
import type { CaseState, CaseTask, Change, Ctx, StageDeadline } from './state.js';

/**
 * Rules a workflow may switch off while it replays decisions taken before them (behind a patch,
 * workflows/case.ts). Absent means on: validators, views and tests always run today's rules.
 */
export interface RuleSwitches {
  /** A minor's return waits for a guardian and a best-interests determination; a minor's consent is the guardian's. */
  minorSafeguards?: boolean;
}

/** One action: where it is allowed, what it checks and what it does. */
export interface ActionRule<A extends Action = Action> {
  /** The stages where it is allowed; 'any' for every stage of an open case. */
  stages: readonly Stage[] | 'any';
  /** Whether it stays allowed while the case is on hold: stage work pauses, housekeeping does not. */
  whileOnHold: boolean;
  /** A further condition on the case for the action to be offered at all (it then shows in allowedActions). */
  available?: (state: CaseState) => boolean;
  /** Why `available` refuses it now, for the refusal's message (else the stage is named). */
  whyUnavailable?: (state: CaseState) => string | null;
  /** Checks of an allowed, well-formed action against the case; throws DomainError. */
  check?: (state: CaseState, action: A, at: { now: string; allowed: ActionType[]; rules?: RuleSwitches }) => void;
  /** What its own timeline entry holds, when not the action's fields (e.g. a correction's changes, field by field). Read before `apply`. */
  record?: (state: CaseState, action: A) => Record<string, unknown>;
  /** What it does, after its own timeline event (the action itself) has been recorded. */
  apply: (state: CaseState, action: A, change: Change, ctx: Ctx) => void;
}

/**
 * A condition kept by a rule outside the action's own module that holds an action back (a minor's
 * return waits for the safeguards). The action is then not offered, and is refused with the reason.
 */
export interface ActionGuard {
  actions: readonly ActionType[];
  /** The switch that turns the guard off when replaying older decisions. */
  switch?: keyof RuleSwitches;
  /** Why the action is held back now, and what the refusal's details add; null when it is not. */
  blocked: (state: CaseState) => { reason: string; details?: Record<string, unknown> } | null;
}

/** Exactly one entry per action type: the compiler refuses a missing one. */
export type ActionTable = { [K in ActionType]: ActionRule<ActionOf<K>> };

/** What a completed task of one type does to the case (its result already stored on the task). */
export type TaskOutcome = (state: CaseState, task: CaseTask, result: Record<string, unknown>, change: Change, ctx: Ctx) => void;

/** A stage's own rules. Its actions are collected into the action table (domain/case/actions.ts). */
export interface StageRules {
  stage: Stage;
  actions: Partial<ActionTable>;
  /** The stage's own deadline, set when the case enters it, and what happens when it passes. */
  deadline?: {
    kind: StageDeadline['kind'];
    at: (state: CaseState, now: string) => string;
    fire: (state: CaseState, deadline: StageDeadline, change: Change, ctx: Ctx) => void;
  };
  /** What entering the stage sends (after its stage_changed event). */
  onEnter?: (state: CaseState, change: Change, ctx: Ctx) => void;
  /** What completed tasks of these types do, in whatever stage they complete. */
  taskOutcomes?: Partial<Record<TaskType, TaskOutcome>>;
  /** Checked after every completed task while the case is in this stage: moves it on once its work is done. */
  exitWhenDone?: (state: CaseState, change: Change, ctx: Ctx) => void;
}
