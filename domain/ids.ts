// Workflow ids are business keys without personal data: starting twice is refused by the server.
export const caseWorkflowId = (caseId: string) => `case-${caseId}`;
export const exitRestrictionWorkflowId = (caseId: string) => `exit-restriction-${caseId}`;
export const operationWorkflowId = (operationId: string) => `operation-${operationId}`;

/**
 * The Temporal update id of a write that carried an Idempotency-Key: derived from the caller and the
 * key (never the key itself, which the caller chose), so a retry joins the first attempt.
 */
export const IDEMPOTENT_UPDATE_PREFIX = 'idem-';

/** The workflow of one bulk action on a raid (POST /v1/operations/:id/actions). */
export const bulkActionWorkflowId = (bulkId: string) => `bulk-action-${bulkId}`;

/** The dispatcher of one webhook subscription (POST /v1/webhooks). */
export const webhookWorkflowId = (webhookId: string) => `webhook-${webhookId}`;
