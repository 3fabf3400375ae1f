export * from './agencies.js';
export * from './cases.js';
export * from './identity-documents.js';
export * from './agency-tasks.js';
export * from './approvals.js';
export * from './case-events.js';
export * from './idempotency-keys.js';
