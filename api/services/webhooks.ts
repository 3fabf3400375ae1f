// Webhook subscriptions (API.md "Notifications"). An admin subscribes any agency or office; an agency
// officer only their own agency (its tasks); a supervisor only their own office (its cases). A
// subscription outside the caller's scope is a 404, as for any resource. Creating one starts (or
// wakes) its dispatcher workflow in the same transaction, so no subscription exists without one;
// deleting it cancels what is still pending and stops the dispatcher.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { type SQL, and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import { agencies, webhookDeliveries, webhooks } from '../../db/schema/index.js';
import { aad, fieldCipher } from '../../db/at-rest.js';
import { webhookWorkflowId } from '../../domain/ids.js';
import type { WebhookCreate } from '../../domain/webhooks.js';
import { wakeWebhookDispatcher } from '../../temporal/webhook-dispatcher.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import type { Auth } from '../middleware/auth.js';
import { keyedUuid } from '../idempotency.js';
import { encodeCursor } from '../schemas.js';
import { parseCursor } from '../validate.js';
import { withTemporalDeadline } from './case-update.js';

type WebhookRow = typeof webhooks.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** A subscription as the API shows it: never its secret. */
export function webhookOut(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    agencyId: row.agencyId,
    office: row.office,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
  };
}

export function deliveryOut(row: Omit<DeliveryRow, 'payload' | 'dedupeKey' | 'webhookId'>) {
  return {
    id: String(row.id),
    event: row.event,
    caseId: row.caseId,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    occurredAt: row.occurredAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    settledAt: row.settledAt?.toISOString() ?? null,
  };
}

function visibleTo(auth: Auth): SQL {
  switch (auth.role) {
    case 'admin':
      return sql`true`;
    case 'agency_officer':
      return eq(webhooks.agencyId, auth.agency);
    case 'supervisor':
      return auth.office === '*' ? sql`${webhooks.office} is not null` : eq(webhooks.office, auth.office);
    default:
      throw new ApiError('forbidden', 'webhooks are for admins, agency officers and supervisors');
  }
}

/** Whose events the new subscription receives: an agency's or an office's, within the caller's own. */
function scopeOf(auth: Auth, body: WebhookCreate): { agencyId: string | null; office: string | null } {
  if (body.agencyId !== undefined && body.office !== undefined) {
    throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'office', message: 'a subscription is for an agency or an office, not both' }]);
  }
  switch (auth.role) {
    case 'admin':
      if (body.agencyId === undefined && body.office === undefined) {
        throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'agencyId', message: 'an admin names the agency (agencyId) or the office (office) it is for' }]);
      }
      return { agencyId: body.agencyId ?? null, office: body.office ?? null };
    case 'agency_officer':
      if (body.office !== undefined || (body.agencyId !== undefined && body.agencyId !== auth.agency)) {
        throw new ApiError('forbidden', 'an agency officer subscribes for their own agency only');
      }
      return { agencyId: auth.agency, office: null };
    case 'supervisor': {
      if (body.agencyId !== undefined) throw new ApiError('forbidden', 'a supervisor subscribes for their own office only');
      const office = body.office ?? (auth.office === '*' ? undefined : auth.office);
      if (office === undefined) {
        throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'office', message: 'name the office: your token is for every office' }]);
      }
      if (auth.office !== '*' && office !== auth.office) throw new ApiError('forbidden', 'a supervisor subscribes for their own office only');
      return { agencyId: null, office };
    }
    default:
      throw new ApiError('forbidden', 'webhooks are for admins, agency officers and supervisors');
  }
}

export function createWebhookService(deps: ApiDeps) {
  const { db, temporal, config } = deps;
  const cipher = fieldCipher(config);

  async function create(auth: Auth, body: WebhookCreate, idempotencyKey?: string) {
    const scope = scopeOf(auth, body);
    if (scope.agencyId !== null) {
      const [agency] = await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, scope.agencyId)).limit(1);
      if (!agency) throw new ApiError('validation_failed', 'the request is invalid', [{ path: 'agencyId', message: 'no agency with this id' }]);
    }
    // A keyed retry after a lost answer finds the subscription its first attempt made.
    const id = idempotencyKey ? keyedUuid('webhook', auth.sub, idempotencyKey) : randomUUID();
    return db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(webhooks)
        .values({ id, url: body.url, events: body.events, secret: cipher.seal(body.secret, aad.webhookSecret(id))!, ...scope, createdBy: auth.sub })
        .onConflictDoNothing()
        .returning();
      const row = inserted ?? (await tx.select().from(webhooks).where(eq(webhooks.id, id)).limit(1))[0]!;
      // Inside the transaction: a refused start leaves no subscription without a dispatcher. Starting
      // one that already runs only wakes it.
      await withTemporalDeadline(deps, () => wakeWebhookDispatcher(temporal, config.temporal.taskQueue, id));
      return webhookOut(row);
    });
  }

  async function find(auth: Auth, id: string): Promise<WebhookRow> {
    const [row] = await db.select().from(webhooks).where(and(eq(webhooks.id, id), visibleTo(auth))).limit(1);
    if (!row) throw notFound('webhook');
    return row;
  }

  async function list(auth: Auth, q: { limit: number; cursor?: string }) {
    const after = parseCursor(q.cursor, ['timestamp', 'uuid']);
    const rows = await db
      .select()
      .from(webhooks)
      .where(
        and(
          visibleTo(auth),
          isNull(webhooks.deletedAt),
          after ? sql`(${webhooks.createdAt}, ${webhooks.id}) < (${new Date(String(after[0]))}, ${String(after[1])})` : undefined,
        ),
      )
      .orderBy(desc(webhooks.createdAt), desc(webhooks.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return { items: page.map(webhookOut), nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
  }

  /** Stops the subscription: nothing more is enqueued, what is pending is cancelled, the dispatcher ends. */
  async function remove(auth: Auth, id: string) {
    await find(auth, id);
    const row = await db.transaction(async (tx) => {
      const [deleted] = await tx.update(webhooks).set({ deletedAt: sql`coalesce(${webhooks.deletedAt}, now())` }).where(eq(webhooks.id, id)).returning();
      await tx
        .update(webhookDeliveries)
        .set({ status: 'cancelled', settledAt: new Date(), payload: null })
        .where(and(eq(webhookDeliveries.webhookId, id), eq(webhookDeliveries.status, 'pending')));
      return deleted!;
    });
    // The dispatcher also ends by itself when it next reads the outbox; cancelling stops a delivery
    // that is waiting out its backoff now.
    try {
      await withTemporalDeadline(deps, () => temporal.workflow.getHandle(webhookWorkflowId(id)).cancel());
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) deps.logger.warn({ webhookId: id }, 'webhook dispatcher not cancelled; it ends at its next round');
    }
    return webhookOut(row);
  }

  async function deliveries(auth: Auth, id: string, q: { limit: number; cursor?: string }) {
    await find(auth, id);
    const after = parseCursor(q.cursor, ['int8']);
    const d = webhookDeliveries;
    // Never the payload: the log says what happened, not what was said.
    const columns = {
      id: d.id, event: d.event, caseId: d.caseId, status: d.status, attempts: d.attempts, lastStatusCode: d.lastStatusCode,
      lastError: d.lastError, occurredAt: d.occurredAt, createdAt: d.createdAt, deliveredAt: d.deliveredAt, settledAt: d.settledAt,
    };
    const rows = await db
      .select(columns)
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.webhookId, id), after ? lt(webhookDeliveries.id, Number(after[0])) : undefined))
      .orderBy(desc(webhookDeliveries.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return { items: page.map(deliveryOut), nextCursor: rows.length > q.limit && last ? encodeCursor([last.id]) : null };
  }

  /** A stored deletion (an Idempotency-Key replay) shown only while the caller may still see the subscription. */
  async function asSeenNow(auth: Auth, stored: { id: string }) {
    return webhookOut(await find(auth, stored.id));
  }

  /**
   * A stored subscription (a replay of its creation) shown only to a caller who may still subscribe
   * for its agency or office: another scope gets what subscribing there would get, a 403.
   */
  async function createdAsSeenNow(auth: Auth, stored: { id: string }) {
    const [row] = await db.select().from(webhooks).where(eq(webhooks.id, stored.id)).limit(1);
    if (!row) throw notFound('webhook');
    scopeOf(auth, { url: row.url, events: row.events as WebhookCreate['events'], secret: '', ...(row.agencyId ? { agencyId: row.agencyId } : { office: row.office! }) });
    return webhookOut(row);
  }

  return { create, list, remove, deliveries, asSeenNow, createdAsSeenNow };
}
