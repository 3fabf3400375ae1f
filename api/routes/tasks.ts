// /v1/tasks: the agency, supervisor and caseworker inboxes.
import { Router } from 'express';
import { completeTaskBodySchema, rejectTaskBodySchema } from '../../domain/schemas.js';
import { route } from '../http.js';
import { idParams, listTasksQuery } from '../schemas.js';
import type { TaskOut, createTaskService } from '../services/tasks.js';
import { completeTaskBodyDocSchema, taskPageSchema, taskSchema } from '../responses/tasks.js';

const TASK_ROLES = ['agency_officer', 'caseworker', 'supervisor'] as const;
const oneTask = { what: 'task', caseIds: (t: { caseId: string }) => [t.caseId] } as const;

export function tasksRouter(tasks: ReturnType<typeof createTaskService>): Router {
  const router = Router();
  route(router, {
    method: 'get',
    path: '/v1/tasks',
    tag: 'tasks',
    summary: "The caller's inbox",
    roles: TASK_ROLES,
    query: listTasksQuery,
    success: { status: 200, description: 'a page of tasks, soonest due first', schema: taskPageSchema },
    access: { what: 'task', caseIds: (b: { items: Array<{ caseId: string }> }) => b.items.map((t) => t.caseId) },
    handler: ({ auth, query }) => tasks.list(auth, query),
  });
  route(router, {
    method: 'get',
    path: '/v1/tasks/:id',
    tag: 'tasks',
    summary: 'One task',
    roles: TASK_ROLES,
    params: idParams,
    success: { status: 200, description: 'the task', schema: taskSchema },
    access: oneTask,
    handler: ({ auth, params }) => tasks.get(auth, params.id),
  });
  route(router, {
    method: 'post',
    path: '/v1/tasks/:id/claim',
    tag: 'tasks',
    summary: 'Claim a task (409 if someone else holds it)',
    roles: TASK_ROLES,
    params: idParams,
    idempotency: 'replay',
    asSeenNow: (auth, stored: TaskOut) => tasks.asSeenNow(auth, stored),
    success: { status: 200, description: 'the task, claimed by the caller', schema: taskSchema },
    errors: ['conflict'],
    access: oneTask,
    handler: ({ auth, params }) => tasks.claim(auth, params.id),
  });
  route(router, {
    method: 'post',
    path: '/v1/tasks/:id/unclaim',
    tag: 'tasks',
    summary: 'Give a claimed task back',
    roles: TASK_ROLES,
    params: idParams,
    idempotency: 'replay',
    asSeenNow: (auth, stored: TaskOut) => tasks.asSeenNow(auth, stored),
    success: { status: 200, description: 'the task, open again', schema: taskSchema },
    errors: ['conflict'],
    access: oneTask,
    handler: ({ auth, params }) => tasks.unclaim(auth, params.id),
  });
  route(router, {
    method: 'post',
    path: '/v1/tasks/:id/complete',
    tag: 'tasks',
    summary: 'Complete a task (of any type) with its result',
    roles: TASK_ROLES,
    params: idParams,
    body: completeTaskBodySchema,
    bodyDoc: completeTaskBodyDocSchema,
    idempotency: 'join',
    success: { status: 200, description: 'the completed task', schema: taskSchema },
    errors: ['conflict'],
    access: oneTask,
    handler: ({ auth, params, body, updateId }) => tasks.complete(auth, params.id, body.result, updateId),
  });
  route(router, {
    method: 'post',
    path: '/v1/tasks/:id/reject',
    tag: 'tasks',
    summary: 'Reject a task; the case goes to a supervisor',
    roles: TASK_ROLES,
    params: idParams,
    body: rejectTaskBodySchema,
    idempotency: 'join',
    success: { status: 200, description: 'the rejected task', schema: taskSchema },
    errors: ['conflict'],
    access: oneTask,
    handler: ({ auth, params, body, updateId }) => tasks.reject(auth, params.id, body.reason, updateId),
  });
  return router;
}
