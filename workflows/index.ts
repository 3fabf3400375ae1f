// The worker's workflow bundle: every workflow of Homeward, one file per process.
export { bulkActionWorkflow } from './bulk-action.js';
export { caseWorkflow } from './case.js';
export { exitRestrictionWorkflow } from './exit-restriction.js';
export { operationWorkflow } from './operation.js';
export { retentionSweepWorkflow } from './retention.js';
export { webhookDispatcherWorkflow } from './webhook-dispatcher.js';
