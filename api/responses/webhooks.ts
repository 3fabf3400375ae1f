// What /v1/webhooks answers: subscriptions (never their secret) and their delivery log (never a body).
import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../../domain/webhooks.js';
import { page, timestamp, uuid } from './common.js';

const WEBHOOK_EXAMPLE = {
  id: '7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  url: 'https://consulate.example.org/homeward/hooks',
  events: ['task.created', 'task.escalated'],
  agencyId: 'ph-consulate-bkk',
  office: null,
  createdBy: 'consul-chen',
  createdAt: '2026-11-20T03:00:00.000Z',
  deletedAt: null,
};

export const webhookSchema = z
  .strictObject({
    id: uuid,
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    agencyId: z.string().nullable().describe("an agency's subscription: that agency's tasks only"),
    office: z.string().nullable().describe("an office's subscription: that office's cases only"),
    createdBy: z.string(),
    createdAt: timestamp,
    deletedAt: timestamp.nullable().describe('set once deleted: nothing more is delivered'),
  })
  .meta({ id: 'Webhook', description: 'A webhook subscription; its secret is never answered.', example: WEBHOOK_EXAMPLE });

export const webhookPageSchema = page(webhookSchema).meta({ id: 'WebhookPage', example: { items: [WEBHOOK_EXAMPLE], nextCursor: null } });

const DELIVERY_EXAMPLE = {
  id: '1042',
  event: 'task.created',
  caseId: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f',
  status: 'delivered',
  attempts: 2,
  lastStatusCode: 204,
  lastError: null,
  occurredAt: '2026-11-20T03:00:00.000Z',
  createdAt: '2026-11-20T03:00:00.120Z',
  deliveredAt: '2026-11-20T03:00:06.500Z',
  settledAt: '2026-11-20T03:00:06.500Z',
};

export const webhookDeliverySchema = z
  .strictObject({
    id: z.string().regex(/^\d+$/).describe('also sent as X-Homeward-Delivery and as the body\'s `id`: a receiver drops a repeat by it'),
    event: z.enum(WEBHOOK_EVENTS),
    caseId: uuid,
    status: z.enum(['pending', 'delivered', 'failed', 'cancelled']).describe('pending until the receiver answers 2xx (delivered) or the retries run out (failed); cancelled when the subscription was deleted first'),
    attempts: z.int().min(0),
    lastStatusCode: z.int().nullable().describe("the receiver's last HTTP status; null if it could not be reached"),
    lastError: z.string().nullable().describe('why the last attempt failed, in our words'),
    occurredAt: timestamp,
    createdAt: timestamp,
    deliveredAt: timestamp.nullable(),
    settledAt: timestamp.nullable(),
  })
  .meta({ id: 'WebhookDelivery', example: DELIVERY_EXAMPLE });

export const webhookDeliveryPageSchema = page(webhookDeliverySchema).meta({ id: 'WebhookDeliveryPage', example: { items: [DELIVERY_EXAMPLE], nextCursor: null } });
