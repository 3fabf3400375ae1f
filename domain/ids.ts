// Workflow ids are business keys without personal data: starting twice is refused by the server.
export const caseWorkflowId = (caseId: string) => `case-${caseId}`;
export const exitRestrictionWorkflowId = (caseId: string) => `exit-restriction-${caseId}`;
export const operationWorkflowId = (operationId: string) => `operation-${operationId}`;
