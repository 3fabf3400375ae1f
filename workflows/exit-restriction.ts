// The end of an exit restriction, which may come years after the decision and after the case has
// closed. A durable timer of its own: it tells the running case, or records the lift in the read
// model directly when the case workflow is no longer there.
import { getExternalWorkflowHandle, proxyActivities, sleep } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import { caseWorkflowId } from '../domain/ids.js';
import { exitRestrictionLiftedSignal } from './definitions.js';

export interface ExitRestrictionInput {
  caseId: string;
  liftAt: string;
}

const { recordExitRestrictionLifted } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function exitRestrictionWorkflow(input: ExitRestrictionInput): Promise<void> {
  const waitMs = Date.parse(input.liftAt) - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  try {
    await getExternalWorkflowHandle(caseWorkflowId(input.caseId)).signal(exitRestrictionLiftedSignal);
  } catch {
    // The case workflow has completed (closed case): write the lift to the read model ourselves.
    await recordExitRestrictionLifted({ caseId: input.caseId, liftedAt: new Date().toISOString() });
  }
}
