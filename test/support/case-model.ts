// The model of the model-based tests (issue #9, "no dead ends, proven"): a case driven by the pure
// lifecycle (domain/), one move at a time, as the people around it and time can move it: actions with
// generated fields, task results good and bad, rejections, review and approval decisions, consent
// changes, deadlines. And a "helpful" completion: people doing their job, which must take any
// reachable case to closed through its normal path.
//
// This file is the index: the model, its generators, the helpful completion and the random moves
// live in test/support/case-model/.
export { CASEWORKER, CaseModel, DAY, type ModelOptions, ModelViolation, type Move, OFFICER, type Outcome, SUPERVISOR, T0, describe, summary } from './case-model/model.js';
export { ACTION_GENERATORS, type GenContext, RESULT_GENERATORS } from './case-model/generators.js';
export { MAX_HELP_STEPS, POSITIVE_RESULTS, checkActionable, helpToClosed, helpfulMove } from './case-model/helpful-completion.js';
export { type MoveOptions, drawMove } from './case-model/random-moves.js';
