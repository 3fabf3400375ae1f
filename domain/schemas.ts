// Every shape of domain/shapes.ts, built: for the API, the tests and the tools, which use them all
// and build them once per process. Workflow code imports domain/shapes.ts instead, where each shape
// is built on its first use (why: the comment at the top of that file).
import * as shapes from './shapes.js';

export {
  STAGES,
  PRIORITIES,
  RISK_FLAGS,
  BEST_INTERESTS_DETERMINATIONS,
  SCREENING_OUTCOMES,
  EXPLOITATION_TYPES,
  CLOSURE_REASONS,
  DOCUMENT_TYPES,
  GUARDIAN_RELATIONSHIPS,
  personUpdateFields,
  PERSON_FIELDS,
  SOURCE_TYPES,
  actionSchemas,
  ACTION_TYPES,
  CONSULAR_TASK_TYPES,
  TASK_TYPES,
  TASK_STATUSES,
  taskResultSchemas,
  AGENCY_KINDS,
  MAX_OPERATION_PERSONS,
  storable,
  repeatedNationalities,
} from './shapes.js';
export type {
  Stage,
  Priority,
  RiskFlag,
  BestInterestsDetermination,
  ClosureReason,
  IdentityDocument,
  Person,
  PersonField,
  Location,
  OpenCaseBody,
  Actor,
  ActionType,
  Action,
  ActionOf,
  TaskType,
  TaskStatus,
  AgencyCreate,
  OperationCreate,
} from './shapes.js';

export const stageSchema = shapes.stageSchema();
export const prioritySchema = shapes.prioritySchema();
export const riskFlagSchema = shapes.riskFlagSchema();
export const screeningSchema = shapes.screeningSchema();
export const exploitationTypeSchema = shapes.exploitationTypeSchema();
export const closureReasonSchema = shapes.closureReasonSchema();
export const identityDocumentSchema = shapes.identityDocumentSchema();
export const guardianSchema = shapes.guardianSchema();
export const personSchema = shapes.personSchema();
export const locationSchema = shapes.locationSchema();
export const sourceSchema = shapes.sourceSchema();
export const openCaseSchema = shapes.openCaseSchema();
export const actorSchema = shapes.actorSchema();
export const taskTypeSchema = shapes.taskTypeSchema();
export const taskStatusSchema = shapes.taskStatusSchema();
export const completeTaskBodySchema = shapes.completeTaskBodySchema();
export const rejectTaskBodySchema = shapes.rejectTaskBodySchema();
export const actionMessageSchema = shapes.actionMessageSchema();
export const taskCompletionMessageSchema = shapes.taskCompletionMessageSchema();
export const taskRejectionMessageSchema = shapes.taskRejectionMessageSchema();
export const approvalDecisionMessageSchema = shapes.approvalDecisionMessageSchema();
export const approvalDecisionSchema = shapes.approvalDecisionSchema();
export const agencyCreateSchema = shapes.agencyCreateSchema();
export const operationPersonSchema = shapes.operationPersonSchema();
export const operationCreateSchema = shapes.operationCreateSchema();
export const reopenCaseSchema = shapes.reopenCaseSchema();
export const legalHoldSchema = shapes.legalHoldSchema();
export const eraseSchema = shapes.eraseSchema();
export const agencyIdSchema = shapes.agencyIdSchema();
export const officeIdSchema = shapes.officeIdSchema();
export const isoDateTimeSchema = shapes.isoDateTimeSchema();
/** Any action, told apart by its type (the API's request body). */
export const actionSchema = shapes.actionSchema();
