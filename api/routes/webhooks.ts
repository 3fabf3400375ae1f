// /v1/webhooks: subscriptions of agencies and offices to case events, and their delivery logs.
import { Router } from 'express';
import { webhookCreateSchema } from '../../domain/webhooks.js';
import { route } from '../http.js';
import { idParams, listWebhooksQuery } from '../schemas.js';
import type { createWebhookService } from '../services/webhooks.js';
import { webhookDeliveryPageSchema, webhookPageSchema, webhookSchema } from '../responses/webhooks.js';

const WEBHOOK_ROLES = ['admin', 'agency_officer', 'supervisor'] as const;

export function webhooksRouter(hooks: ReturnType<typeof createWebhookService>): Router {
  const router = Router();
  route(router, {
    method: 'post',
    path: '/v1/webhooks',
    tag: 'notifications',
    summary: "Subscribe a receiver to an agency's tasks or an office's cases",
    roles: WEBHOOK_ROLES,
    body: webhookCreateSchema,
    idempotency: 'replay',
    asSeenNow: (auth, stored: { id: string }) => hooks.createdAsSeenNow(auth, stored),
    success: { status: 201, description: 'the subscription (without its secret); its deliveries start now', schema: webhookSchema },
    handler: ({ auth, body, idempotencyKey }) => hooks.create(auth, body, idempotencyKey),
  });
  route(router, {
    method: 'get',
    path: '/v1/webhooks',
    tag: 'notifications',
    summary: "The subscriptions in the caller's scope, newest first",
    roles: WEBHOOK_ROLES,
    query: listWebhooksQuery,
    success: { status: 200, description: 'a page of subscriptions', schema: webhookPageSchema },
    handler: ({ auth, query }) => hooks.list(auth, query),
  });
  route(router, {
    method: 'delete',
    path: '/v1/webhooks/:id',
    tag: 'notifications',
    summary: 'Delete a subscription: pending deliveries are cancelled, nothing more is sent',
    roles: WEBHOOK_ROLES,
    params: idParams,
    idempotency: 'replay',
    asSeenNow: (auth, stored: { id: string }) => hooks.asSeenNow(auth, stored),
    success: { status: 200, description: 'the deleted subscription', schema: webhookSchema },
    handler: ({ auth, params }) => hooks.remove(auth, params.id),
  });
  route(router, {
    method: 'get',
    path: '/v1/webhooks/:id/deliveries',
    tag: 'notifications',
    summary: "A subscription's delivery log, newest first",
    roles: WEBHOOK_ROLES,
    params: idParams,
    query: listWebhooksQuery,
    success: { status: 200, description: 'a page of deliveries', schema: webhookDeliveryPageSchema },
    handler: ({ auth, params, query }) => hooks.deliveries(auth, params.id, query),
  });
  return router;
}
