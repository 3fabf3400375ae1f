// Webhooks (API.md "Notifications"): the events a subscription can ask for, the body that creates
// one, and the headers a delivery carries. Shared by the API (validation), the outbox (which events
// a step raises) and the delivering activity (activities/webhooks.ts signs), so names cannot drift.
import { z } from './zod.js';
import { agencyIdSchema, officeIdSchema, storable } from './shapes.js';

export const WEBHOOK_EVENTS = ['task.created', 'task.reminder', 'task.escalated', 'approval.requested', 'case.closed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const SIGNATURE_HEADER = 'X-Homeward-Signature';
export const EVENT_HEADER = 'X-Homeward-Event';
export const DELIVERY_HEADER = 'X-Homeward-Delivery';

// Only http and https: anything else (file:, gopher:, data:) is not a receiver. Credentials in the
// URL would be stored and listed in plain text; the secret is what authenticates a delivery.
const webhookUrl = storable(z.string().max(2_000))
  .pipe(z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' }))
  .refine((u) => {
    // Refinements run after a failed check too: an unparseable URL was already reported.
    if (!URL.canParse(u)) return true;
    const parsed = new URL(u);
    return parsed.username === '' && parsed.password === '';
  }, 'a receiver URL must not carry credentials; the secret signs each delivery');

export const webhookCreateSchema = z.strictObject({
  url: webhookUrl,
  events: z
    .array(z.enum(WEBHOOK_EVENTS))
    .min(1, 'at least one event')
    .refine((e) => new Set(e).size === e.length, 'an event appears twice'),
  /** Signs every delivery; at least 16 characters so it cannot be guessed, never answered back. */
  secret: storable(z.string().min(16, 'at least 16 characters').max(200)),
  /** An admin names the agency or the office it is for; an officer's is their agency, a supervisor's their office. */
  agencyId: agencyIdSchema().optional(),
  office: officeIdSchema().optional(),
});
export type WebhookCreate = z.infer<typeof webhookCreateSchema>;
