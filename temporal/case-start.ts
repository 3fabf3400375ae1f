// Starting a case's workflow, shared by the API (opening, reopening) and the operation batches: the
// business-key workflow id, the first search attributes, and a start that already happened.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { CaseInput, CaseState } from '../domain/case.js';
import { caseWorkflowId } from '../domain/ids.js';
import { caseSearchAttributes } from '../domain/search-attributes.js';
import type { caseWorkflow } from '../workflows/case.js';

/**
 * Starts the case workflow; a start that already happened (a retry after a crash) is not an error when
 * `tolerateExisting`. `opened`: `state` has its opening step taken and stored already (domain
 * takeOpeningStep, db insertOpenedCases), so the workflow starts from it and takes no opening step.
 */
export async function startCaseWorkflow(
  temporal: Client,
  taskQueue: string,
  input: CaseInput,
  state: CaseState,
  opts: { tolerateExisting: boolean; opened?: boolean },
) {
  try {
    await temporal.workflow.start<typeof caseWorkflow>('caseWorkflow', {
      workflowId: caseWorkflowId(input.caseId),
      taskQueue,
      args: [opts.opened ? { case: input, state } : { case: input }],
      typedSearchAttributes: caseSearchAttributes(state),
    });
  } catch (err) {
    if (!(opts.tolerateExisting && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
