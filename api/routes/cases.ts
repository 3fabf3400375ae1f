// /v1/cases: open, list, read, act, timeline.
import { Router } from 'express';
import { actionSchema, openCaseSchema } from '../../domain/schemas.js';
import { Reply, route } from '../http.js';
import { idParams, ifMatchHeader, listCasesQuery, timelineQuery } from '../schemas.js';
import { requestFingerprint } from '../idempotency.js';
import type { CaseService } from '../services/cases.js';
import { parse } from '../validate.js';
import { allowedActionsSchema, casePageSchema, caseViewSchema, timelinePageSchema } from '../responses/cases.js';

const CASE_ROLES = ['caseworker', 'supervisor'] as const;
// The case, and the cases in scope it names as possible duplicates: seeing that one matched on name
// and date of birth tells the reader that person's name and date of birth.
const oneCase = (b: { id: string; possibleDuplicates?: Array<{ inScope: boolean; caseId?: string }> }) => [
  b.id,
  ...(b.possibleDuplicates ?? []).flatMap((d) => (d.inScope && d.caseId ? [d.caseId] : [])),
];

export function casesRouter(cases: CaseService): Router {
  const router = Router();

  route(router, {
    method: 'post',
    path: '/v1/cases',
    tag: 'cases',
    summary: 'Open a case for one person',
    roles: CASE_ROLES,
    body: openCaseSchema,
    // The answer is stored in the case's own transaction (services/cases.ts).
    idempotency: 'custom',
    success: { status: 201, description: 'the new case, with `possibleDuplicates`', schema: caseViewSchema },
    errors: ['duplicate_person', 'conflict'],
    access: { what: 'case', caseIds: oneCase },
    handler: async ({ auth, body, req, res, idempotencyKey }) => {
      const out = await cases.open(auth, body, requestFingerprint(req), idempotencyKey);
      res.setHeader('ETag', `"${(out.body as { version: number }).version}"`);
      return new Reply(out.status, out.body);
    },
  });

  route(router, {
    method: 'get',
    path: '/v1/cases',
    tag: 'cases',
    summary: 'List and search cases',
    roles: CASE_ROLES,
    query: listCasesQuery,
    success: { status: 200, description: 'a page of case summaries', schema: casePageSchema },
    access: { what: 'case', caseIds: (b: { items: Array<{ id: string }> }) => b.items.map((c) => c.id) },
    handler: ({ auth, query }) => cases.listCases(auth, query),
  });

  route(router, {
    method: 'get',
    path: '/v1/cases/:id',
    tag: 'cases',
    summary: 'The live state of a case',
    roles: CASE_ROLES,
    params: idParams,
    success: { status: 200, description: 'the case, with `possibleDuplicates`', schema: caseViewSchema },
    access: { what: 'case', caseIds: oneCase },
    handler: async ({ auth, params, res }) => {
      const view = await cases.liveView(auth, params.id);
      res.setHeader('ETag', `"${view.version}"`);
      return cases.answerWith(auth, view);
    },
  });

  route(router, {
    method: 'get',
    path: '/v1/cases/:id/actions',
    tag: 'cases',
    summary: 'The actions allowed now',
    roles: CASE_ROLES,
    params: idParams,
    success: { status: 200, description: 'the stage and the actions allowed in it now', schema: allowedActionsSchema },
    handler: ({ auth, params }) => cases.allowedActions(auth, params.id),
  });

  route(router, {
    method: 'post',
    path: '/v1/cases/:id/actions',
    tag: 'cases',
    summary: 'Take an action on a case',
    roles: CASE_ROLES,
    params: idParams,
    body: actionSchema,
    headers: { 'If-Match': { schema: ifMatchHeader, description: 'the case version the caller saw; 412 if it moved on' } },
    idempotency: 'join',
    success: { status: 200, description: 'the updated case, with `possibleDuplicates`', schema: caseViewSchema },
    errors: ['invalid_transition', 'version_mismatch'],
    access: { what: 'case', caseIds: oneCase },
    handler: async ({ auth, params, body, req, res, updateId }) => {
      const rawIfMatch = req.get('If-Match');
      const expected = rawIfMatch === undefined ? undefined : parse(ifMatchHeader, rawIfMatch, 'If-Match');
      const view = await cases.act(auth, params.id, body as never, expected, updateId);
      res.setHeader('ETag', `"${view.version}"`);
      return cases.answerWith(auth, view);
    },
  });

  route(router, {
    method: 'get',
    path: '/v1/cases/:id/timeline',
    tag: 'cases',
    summary: 'The append-only record of a case',
    roles: CASE_ROLES,
    params: idParams,
    query: timelineQuery,
    success: { status: 200, description: 'a page of timeline entries, oldest first', schema: timelinePageSchema },
    access: { what: 'timeline', caseIds: (_b: unknown, p: { id: string }) => [p.id] },
    handler: ({ auth, params, query }) => cases.timeline(auth, params.id, query.limit, query.cursor),
  });

  return router;
}

