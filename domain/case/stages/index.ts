// Every stage's rules, by stage, in the order a case goes through them. Built on first use: the
// stage modules and the step helpers refer to each other (a stage's action enters the next stage),
// so nothing here may read a stage module while the modules are still loading.
import type { Stage } from '../../shapes.js';
import type { StageRules } from '../rules.js';
import type { CaseState, StageDeadline } from '../state.js';
import { locating } from './locating.js';
import { extraction } from './extraction.js';
import { consularContact } from './consular-contact.js';
import { returnStage } from './return.js';
import { exitRestrictionCheck } from './exit-restriction-check.js';
import { employmentAssistance } from './employment-assistance.js';
import { closed } from '../closure.js';

let byStage: Record<Stage, StageRules> | undefined;

function registry(): Record<Stage, StageRules> {
  byStage ??= {
    locating,
    extraction,
    consular_contact: consularContact,
    return: returnStage,
    exit_restriction_check: exitRestrictionCheck,
    employment_assistance: employmentAssistance,
    closed,
  };
  return byStage;
}

/** The rules of one stage, or of all of them. */
export function stageRules(): StageRules[];
export function stageRules(stage: Stage): StageRules;
export function stageRules(stage?: Stage): StageRules | StageRules[] {
  return stage === undefined ? Object.values(registry()) : registry()[stage];
}

/** The deadline a stage sets on entry, measured from `now`; null for stages without one. */
export function stageDeadlineFor(state: CaseState, stage: Stage, now: string): StageDeadline | null {
  const d = stageRules(stage).deadline;
  return d ? { kind: d.kind, at: d.at(state, now) } : null;
}
