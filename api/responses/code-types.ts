// The code's own type of each answer (the services' return types, domain caseView) and its response
// schema name the same fields: `tsc` fails here when a field is added to one and not the other. The
// contract test (test/api/openapi-contract.test.ts) then checks the values on real answers.
import type { z } from 'zod';
import type { ApprovalView } from '../../domain/case.js';
import type { AnonymisedCaseView } from '../../db/anonymise.js';
import type { AccessLogService } from '../services/access-log.js';
import type { createAgencyService } from '../services/agencies.js';
import type { createApprovalService } from '../services/approvals.js';
import type { CaseService } from '../services/cases.js';
import type { createOperationService } from '../services/operations.js';
import type { RetentionService } from '../services/retention.js';
import type { Stats } from '../services/stats.js';
import type { TaskOut } from '../services/tasks.js';
import type { CaseTaskOut } from '../services/claims.js';
import type { accessLogPageSchema } from './access-log.js';
import type { agencyListSchema, agencySchema } from './agencies.js';
import type { approvalPageSchema, approvalSchema, caseApprovalSchema } from './approvals.js';
import type { allowedActionsSchema, casePageSchema, caseViewSchema, timelinePageSchema } from './cases.js';
import type { operationSchema, operationStartedSchema } from './operations.js';
import type { retentionSchema } from './retention.js';
import type { statsSchema } from './stats.js';
import type { caseTaskSchema, taskSchema } from './tasks.js';

type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Check<T extends true> = T;
type Out<S extends z.ZodType> = z.output<S>;
type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
type Item<P> = P extends { items: Array<infer I> } ? I : never;

type Cases = CaseService;
type Approvals = ReturnType<typeof createApprovalService>;
type Agencies = ReturnType<typeof createAgencyService>;
type Operations = ReturnType<typeof createOperationService>;

export type ResponseSchemasMatchTheCode = [
  // possibleDuplicates is the API's addition to the domain's view (api/services/person-matching.ts).
  Check<SameKeys<AnonymisedCaseView, Omit<Out<typeof caseViewSchema>, 'possibleDuplicates'>>>,
  Check<SameKeys<Item<Answer<Cases['listCases']>>, Item<Out<typeof casePageSchema>>>>,
  Check<SameKeys<Answer<Cases['allowedActions']>, Out<typeof allowedActionsSchema>>>,
  Check<SameKeys<Item<Answer<Cases['timeline']>>, Item<Out<typeof timelinePageSchema>>>>,
  Check<SameKeys<CaseTaskOut, Out<typeof caseTaskSchema>>>,
  Check<SameKeys<TaskOut, Out<typeof taskSchema>>>,
  Check<SameKeys<ApprovalView, Out<typeof caseApprovalSchema>>>,
  Check<SameKeys<Item<Answer<Approvals['list']>>, Item<Out<typeof approvalPageSchema>>>>,
  Check<SameKeys<Answer<Approvals['decide']>, Out<typeof approvalSchema>>>,
  Check<SameKeys<Item<Answer<Agencies['list']>>, Item<Out<typeof agencyListSchema>>>>,
  Check<SameKeys<Answer<Agencies['create']>, Out<typeof agencySchema>>>,
  Check<SameKeys<Stats, Out<typeof statsSchema>>>,
  Check<SameKeys<Answer<Operations['create']>, Out<typeof operationStartedSchema>>>,
  Check<SameKeys<Answer<Operations['get']>, Out<typeof operationSchema>>>,
  Check<SameKeys<Item<Answer<AccessLogService['list']>>, Item<Out<typeof accessLogPageSchema>>>>,
  Check<SameKeys<Answer<RetentionService['get']>, Out<typeof retentionSchema>>>,
];
