// Webhook delivery, the activities of a subscription's dispatcher (workflows/webhook-dispatcher.ts):
// which outbox rows are next, and one signed POST of one row. A failed attempt throws, so Temporal
// retries it with the dispatcher's backoff; each attempt is counted in the delivery log with its
// status code or our own word for the failure (never the receiver's body). What the receiver reads
// is decided here, at delivery, under the consent in force: an agency reads a task's inputs only
// while the inbox would show them (domain agencyRedaction), so a later withdrawal still holds.
import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import { type FieldCipher, aad } from '../db/at-rest.js';
import { cases, webhookDeliveries, webhooks } from '../db/schema/index.js';
import { type Consent, agencyRedaction } from '../domain/case.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER } from '../domain/webhooks.js';
import type { StoredPayload } from './notifications.js';
import { activityAttempt } from './pool.js';
import { receiverRefusal } from './receiver-address.js';

export interface WebhookActivityDeps {
  db: Db;
  cipher: FieldCipher;
  webhooks: Config['webhooks'];
}

/** How a dispatcher delivers: read once per run, so a changed setting reaches running dispatchers. */
export interface WebhookSettings {
  pollMs: number;
  timeoutMs: number;
  retry: Config['webhooks']['retry'];
}

export type DeliveryOutcome = 'delivered' | 'skipped';

/** The body a receiver gets: the delivery's id (to drop a repeat), the event and its facts. */
export function deliveryBody(id: number, event: string, payload: StoredPayload, consent: { consularNotification: string; dataSharing: string } | undefined, forAgency: boolean) {
  const data = { ...payload.data };
  if (event === 'task.created') {
    const reason = forAgency && payload.task ? agencyRedaction((consent ?? { consularNotification: 'unknown', dataSharing: 'unknown' }) as Consent, payload.task) : null;
    // A case the retention sweep has anonymised has no consent left to read: nothing personal goes out.
    const gone = forAgency && !consent;
    if (reason || gone) data.input = {};
    data.redacted = reason ?? (gone ? 'data_sharing_withdrawn' : null);
  }
  return { id: String(id), event, occurredAt: payload.occurredAt, data };
}

/** `sha256=<hex HMAC-SHA256 of the raw body>` under the subscription's secret. */
export function signature(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Looks for a subscription's row before its dispatcher ends (backing off from 1 s: about two minutes). */
const SUBSCRIPTION_VISIBLE_ATTEMPTS = 8;

export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { db, cipher } = deps;

  async function webhookSettings(): Promise<WebhookSettings> {
    return { pollMs: deps.webhooks.pollMs, timeoutMs: deps.webhooks.timeoutMs, retry: deps.webhooks.retry };
  }

  /** The subscription's pending deliveries, oldest first; `active: false` once it was deleted. */
  async function nextWebhookDeliveries(input: { webhookId: string; limit: number }): Promise<{ active: boolean; ids: number[] }> {
    const [sub] = await db.select({ deletedAt: webhooks.deletedAt }).from(webhooks).where(eq(webhooks.id, input.webhookId)).limit(1);
    if (!sub) {
      // The API starts the dispatcher inside the transaction that writes the subscription, so its
      // first look may come before the commit: ending then would leave a subscription that nothing
      // delivers. Only a subscription that never appears (its request rolled back) ends it.
      if (activityAttempt() < SUBSCRIPTION_VISIBLE_ATTEMPTS) throw ApplicationFailure.retryable('the subscription is not committed yet', 'WebhookNotVisible');
      return { active: false, ids: [] };
    }
    if (sub.deletedAt) return { active: false, ids: [] };
    const rows = await db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.webhookId, input.webhookId), eq(webhookDeliveries.status, 'pending')))
      .orderBy(asc(webhookDeliveries.id))
      .limit(input.limit);
    return { active: true, ids: rows.map((r) => r.id) };
  }

  /** One attempt at one delivery. Throws (retryably) unless the receiver answered 2xx. */
  async function deliverWebhook(input: { deliveryId: number }): Promise<DeliveryOutcome> {
    const [row] = await db
      .select({ delivery: webhookDeliveries, sub: webhooks, consent: { consularNotification: cases.consularNotification, dataSharing: cases.dataSharing } })
      .from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .leftJoin(cases, eq(cases.id, webhookDeliveries.caseId))
      .where(eq(webhookDeliveries.id, input.deliveryId))
      .limit(1);
    // Deleted meanwhile (its pending rows were cancelled), or settled by an earlier attempt.
    if (!row || row.sub.deletedAt || row.delivery.status !== 'pending' || row.delivery.payload === null) return 'skipped';
    const { delivery, sub } = row;
    const payload = cipher.open<StoredPayload>(delivery.payload, aad.webhookPayload(sub.id, delivery.dedupeKey));
    const secret = cipher.open<string>(sub.secret, aad.webhookSecret(sub.id));
    const consent = row.consent?.dataSharing ? row.consent : undefined;
    const raw = JSON.stringify(deliveryBody(delivery.id, delivery.event, payload, consent, sub.agencyId !== null));

    await db.update(webhookDeliveries).set({ attempts: sql`${webhookDeliveries.attempts} + 1` }).where(eq(webhookDeliveries.id, delivery.id));
    const refused = deps.webhooks.allowPrivateReceivers ? null : await receiverRefusal(sub.url);
    if (refused) {
      await db.update(webhookDeliveries).set({ lastStatusCode: null, lastError: refused }).where(eq(webhookDeliveries.id, delivery.id));
      // Trying again changes nothing: failed for good at once (the dispatcher settles it and moves on).
      throw ApplicationFailure.create({ type: 'WebhookReceiverRefused', message: `webhook delivery ${delivery.id}: ${refused}`, nonRetryable: true });
    }
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Homeward-Webhooks/1',
          [SIGNATURE_HEADER]: signature(secret, raw),
          [EVENT_HEADER]: delivery.event,
          [DELIVERY_HEADER]: String(delivery.id),
        },
        body: raw,
        // A redirect is not a delivery: following it would send the case elsewhere than subscribed.
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.webhooks.timeoutMs),
      });
      status = res.status;
      // The body is not read: it is never stored, and a receiver cannot stall us with it.
      await res.body?.cancel().catch(() => {});
      if (status < 200 || status >= 300) error = `the receiver answered ${status}`;
    } catch (err) {
      error = failureWord(err);
    }
    if (error === null) {
      const now = new Date();
      await db
        .update(webhookDeliveries)
        .set({ status: 'delivered', lastStatusCode: status, lastError: null, deliveredAt: now, settledAt: now, payload: null })
        .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, 'pending')));
      return 'delivered';
    }
    await db.update(webhookDeliveries).set({ lastStatusCode: status, lastError: error }).where(eq(webhookDeliveries.id, delivery.id));
    throw ApplicationFailure.create({ type: 'WebhookDeliveryFailed', message: `webhook delivery ${delivery.id}: ${error}` });
  }

  /** Retried for as long as allowed and never answered 2xx: failed for good; the dispatcher moves on. */
  async function settleFailedWebhookDelivery(input: { deliveryId: number }): Promise<void> {
    await db
      .update(webhookDeliveries)
      .set({ status: 'failed', settledAt: new Date(), payload: null, lastError: sql`coalesce(${webhookDeliveries.lastError}, 'not delivered in time')` })
      .where(and(eq(webhookDeliveries.id, input.deliveryId), eq(webhookDeliveries.status, 'pending')));
  }

  return { webhookSettings, nextWebhookDeliveries, deliverWebhook, settleFailedWebhookDelivery };
}

/** Our own word for a failed attempt: a network error's code or the timeout, nothing the receiver wrote. */
function failureWord(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  if (e?.name === 'TimeoutError') return 'timed out';
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? `could not connect (${code})` : 'could not connect';
}
