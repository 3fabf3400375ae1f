// Random moves: anything that can happen to a case now, helpful or not, drawn so that fast-check can
// replay and shrink a sequence. Mostly what is allowed, now and then what is not (it must be refused
// and change nothing), so sequences get deep into the lifecycle and stray from it everywhere.
import fc from 'fast-check';
import { allowedActions, openTasks } from '../../../domain/case.js';
import { ACTION_TYPES, type ActionType, type TaskType } from '../../../domain/schemas.js';
import { ACTION_GENERATORS, type GenContext, RESULT_GENERATORS } from './generators.js';
import { helpfulMove } from './helpful-completion.js';
import { type CaseModel, DAY, type Move } from './model.js';

type Gen = fc.GeneratorValue;
const RARE: ActionType[] = ['request_closure', 'decline_assistance', 'record_extraction_failed'];
const ADVANCES = [60_000, 6 * 3_600_000, DAY, 2 * DAY, 4 * DAY, 8 * DAY, 15 * DAY, 31 * DAY, 100 * DAY, 200 * DAY];

// Stable builders (same function, same arguments) let gen() replay and shrink what it drew.
const pick = (n: number) => fc.nat({ max: Math.max(0, n - 1) });
const weighted = (weights: number[]) => fc.nat({ max: weights.reduce((a, b) => a + b, 0) - 1 });
const actionArb = (type: ActionType, c: GenContext) => ACTION_GENERATORS[type](c) as fc.Arbitrary<{ type: ActionType } & Record<string, unknown>>;
const resultArb = (type: Exclude<TaskType, 'follow_up'>, c: GenContext) => RESULT_GENERATORS[type](c);
const reasonArb = () => fc.constantFrom('not our national', 'insufficient data', 'no record of this person');
const advanceArb = () => fc.constantFrom(...ADVANCES);

export interface MoveOptions {
  consulates: string[];
  /** Whether time may pass (the pure model) or not (the real workflow, whose clock runs on its own). */
  clock: boolean;
}

/**
 * Draws one move among those possible now, helpful or not: any allowed action (now and then one
 * that is not allowed), task results of every kind, rejections, decisions, consent, time. One in
 * three is the helpful move, so sequences get deep into the lifecycle and stray from it everywhere.
 */
export function drawMove(g: Gen, model: CaseModel, opts: MoveOptions): Move {
  const s = model.state;
  const open = openTasks(s);
  const completable = open.map((t, i) => [t, i] as const).filter(([t]) => t.type !== 'follow_up');
  const rejectable = open.map((t, i) => [t, i] as const).filter(([t]) => t.audience === 'agency');
  const pending = s.approvals.filter((a) => a.status === 'pending');
  const kinds: Array<[string, number]> = [
    ['help', 30],
    ['action', 25],
    ['consent', 6],
    ['complete', completable.length > 0 ? 22 : 0],
    ['reject', rejectable.length > 0 ? 6 : 0],
    ['decide', pending.length > 0 ? 4 : 0],
    ['advance', opts.clock ? 5 : 0],
    ['deadline', opts.clock && model.nextEvent() !== null ? 5 : 0],
  ];
  let roll = g(weighted, kinds.map(([, w]) => w));
  const kind = kinds.find(([, w]) => (roll -= w) < 0)![0];
  const c = model.genContext(opts.consulates);
  switch (kind) {
    case 'help': {
      const move = helpfulMove(model);
      if (move && (opts.clock || move.kind !== 'advance')) return move;
      return { kind: 'action', action: g(actionArb, 'add_note', c) };
    }
    case 'consent':
      return { kind: 'action', action: g(actionArb, 'record_consent', c) };
    case 'action': {
      const allowed = allowedActions(s).filter((t) => !RARE.includes(t) || g(pick, 8) === 0);
      // Now and then an action that is not allowed: it must be refused and change nothing.
      const pool = allowed.length > 0 && g(pick, 20) > 0 ? allowed : [...ACTION_TYPES];
      const type = pool[g(pick, pool.length)]!;
      return { kind: 'action', action: g(actionArb, type, c) };
    }
    case 'complete': {
      const [task, index] = completable[g(pick, completable.length)]!;
      return { kind: 'complete', task: index, result: g(resultArb, task.type as Exclude<TaskType, 'follow_up'>, c) };
    }
    case 'reject':
      return { kind: 'reject', task: rejectable[g(pick, rejectable.length)]![1], reason: g(reasonArb) };
    case 'decide':
      // Approving mostly ends the exploration (the case closes), so it is the rarer decision.
      return { kind: 'decide', approval: g(pick, pending.length), decision: g(pick, 4) === 0 ? 'approved' : 'rejected' };
    case 'advance':
      return { kind: 'advance', ms: g(advanceArb) };
    default: {
      const next = model.nextEvent()!;
      return { kind: 'advance', ms: Math.max(0, next - model.now) };
    }
  }
}
