// A case's Temporal histories hold its person (encrypted) until the namespace's retention removes
// them: anonymising a case (db/anonymise.ts) deletes them too.
import type { Client } from '@temporalio/client';
import { caseWorkflowId } from '../domain/ids.js';

/**
 * Deletes every run of the case's workflow from Temporal (their payloads are encrypted, but hold the
 * person until the namespace's own retention removes them). Best effort: a history already gone, or a
 * server that cannot list, leaves the database anonymised all the same.
 */
export async function deleteCaseHistories(temporal: Client, caseId: string): Promise<void> {
  const namespace = temporal.options.namespace;
  const workflowId = caseWorkflowId(caseId);
  try {
    const runs: string[] = [];
    for await (const w of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
    for (const runId of runs) {
      await temporal.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, runId } }).catch(() => {});
    }
  } catch {
    // Listing refused or unavailable: the namespace's retention deletes the history in time.
  }
}
