// Webhook deliveries end to end (issue 13): a consulate's local receiver learns of new tasks within
// seconds, signed, with no more than its inbox shows; then of their reminders and escalations; an
// office learns of approvals and closures; a receiver that is down for a minute gets everything
// later, in order, once; a withdrawal of data sharing holds in delivery bodies as in the inbox.
// Real Temporal, real PostgreSQL; deadlines shortened by the case time scale, and the retry backoff
// by its configuration (its default stays over 24 hours).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { startReceiver } from '../support/webhooks.js';
import { createReceiver } from '../../examples/webhook-receiver/receiver.js';
import { CONFIRM, EXTRACTED, actOk, bearer, openBody, openCase, uniqueDocNumber } from './support.js';
import type { AddressInfo } from 'node:net';
import { aad, fieldCipher } from '../../db/at-rest.js';
import { webhooks } from '../../db/schema/index.js';
import { webhookWorkflowId } from '../../domain/ids.js';
import { createWebhookWaker, wakeWebhookDispatcher } from '../../temporal/webhook-dispatcher.js';

const DAY_S = 86_400;
const ALL_EVENTS = ['task.created', 'task.reminder', 'task.escalated', 'approval.requested', 'case.closed'];
const SECRET = `test-secret-${randomUUID()}`;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    config: {
      // One day lasts four seconds: a consular task reminds within seconds of its creation.
      HOMEWARD_TIME_SCALE: String(4 / DAY_S),
      HOMEWARD_WEBHOOK_RETRY_INITIAL_MS: '500',
      HOMEWARD_WEBHOOK_RETRY_MAX_INTERVAL_MS: '3000',
      HOMEWARD_WEBHOOK_POLL_MS: '300',
    },
  });
});
afterAll(async () => {
  await h?.stop();
});

async function subscribe(token: string, url: string, extra: Record<string, unknown> = {}) {
  const res = await h.http.post('/v1/webhooks').set(bearer(token)).send({ url, events: ALL_EVENTS, secret: SECRET, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(JSON.stringify(res.body)).not.toContain(SECRET);
  return res.body as { id: string };
}

type Delivery = { id: string; event: string; caseId: string; status: string; attempts: number; lastStatusCode: number | null };
async function deliveryLog(token: string, webhookId: string): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const res = await h.http.get(`/v1/webhooks/${webhookId}/deliveries`).query({ limit: 200, ...(cursor ? { cursor } : {}) }).set(bearer(token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return out.reverse();
}

// Each delivery's fields, and no more: ids, the task's type, priority and times, and its inputs.
const TASK_CREATED_FIELDS = ['agencyId', 'audience', 'caseId', 'caseReference', 'dueAt', 'input', 'priority', 'redacted', 'taskId', 'type'];

describe('a consulate and an office subscribe', () => {
  it('when a consulate subscribes and a case reaches consular contact, then its receiver gets each new task within seconds, signed, with what the inbox shows, then its reminder and escalation; the office gets the closure approval and the closure', async () => {
    const consulateId = await createConsulate(h);
    const p = await drive.people(h, consulateId);
    // The example receiver itself, as a consulate would run it.
    const consulateGot: Array<{ event: string; data: Record<string, unknown>; id: string; headerEvent: unknown }> = [];
    const example = createReceiver(SECRET, (d, headers) => consulateGot.push({ ...d, headerEvent: headers['x-homeward-event'] }));
    await new Promise<void>((r) => example.listen(0, '127.0.0.1', () => r()));
    const consulateHook = await subscribe(p.consul, `http://127.0.0.1:${(example.address() as AddressInfo).port}/`);
    const office = await startReceiver(SECRET);
    await subscribe(p.supervisor, office.url);

    try {
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, c.id);
      const inbox = await drive.openTasksOf(h.http, p.consul, c.id);
      expect(inbox.length).toBeGreaterThanOrEqual(2);

      const created = await drive.waitFor('task.created for every consular task', async () => {
        const got = consulateGot.filter((d) => d.event === 'task.created' && d.data.caseId === c.id);
        return got.length >= inbox.length ? got : undefined;
      }, 20_000);
      for (const d of created) {
        expect(d.headerEvent).toBe('task.created');
        expect(Object.keys(d.data).sort()).toEqual(TASK_CREATED_FIELDS);
        expect(d.data.agencyId).toBe(consulateId);
        const task = await h.http.get(`/v1/tasks/${d.data.taskId}`).set(bearer(p.consul));
        expect(task.status).toBe(200);
        // Never more than the inbox shows.
        expect(d.data.input).toEqual(task.body.input);
        expect(d.data.redacted).toBe(task.body.redacted);
      }
      // The consulate is not told about the office's own tasks or approvals.
      expect(consulateGot.every((d) => d.event !== 'approval.requested' && (d.data.agencyId === consulateId || d.event === 'case.closed'))).toBe(true);

      const ladder = await drive.waitFor('a reminder and an escalation', async () => {
        const r = consulateGot.find((d) => d.event === 'task.reminder' && d.data.caseId === c.id);
        const e = consulateGot.find((d) => d.event === 'task.escalated' && d.data.caseId === c.id);
        return r && e ? { r, e } : undefined;
      }, 30_000);
      expect(inbox.map((t) => t.id)).toContain(ladder.r.data.taskId);
      expect(inbox.map((t) => t.id)).toContain(ladder.e.data.taskId);
      expect(ladder.e.data.level).toBeGreaterThanOrEqual(1);

      // The office: a closure asked for, then approved.
      await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'lost_contact' });
      const asked = await drive.waitFor('approval.requested', async () => office.got.find((d) => d.event === 'approval.requested' && d.body.data.caseId === c.id), 20_000);
      expect(asked.verified).toBe(true);
      expect(asked.body.data).toMatchObject({ kind: 'closure', reason: 'lost_contact' });
      await drive.approveClosure(h.http, p, c.id);
      const closedForOffice = await drive.waitFor('case.closed (office)', async () => office.got.find((d) => d.event === 'case.closed' && d.body.data.caseId === c.id), 20_000);
      expect(closedForOffice.body.data.reason).toBe('lost_contact');
      const closedForConsulate = await drive.waitFor('case.closed (consulate)', async () => consulateGot.find((d) => d.event === 'case.closed' && d.data.caseId === c.id), 20_000);
      // The consulate learns that the case closed, not why.
      expect(Object.keys(closedForConsulate.data).sort()).toEqual(['caseId', 'caseReference', 'closedAt']);
      expect(office.got.every((d) => d.verified && d.headerEvent === d.event && d.deliveryHeader === d.id)).toBe(true);

      const log = await deliveryLog(p.consul, consulateHook.id);
      expect(log.filter((d) => d.status === 'delivered').length).toBeGreaterThanOrEqual(created.length + 2);
      expect(log.every((d) => d.lastStatusCode === null || d.lastStatusCode === 204)).toBe(true);
    } finally {
      await new Promise<void>((r) => example.close(() => r()));
      example.closeAllConnections();
      await office.down();
    }
  }, 120_000);
});

describe('a receiver that is down for a minute', () => {
  it('when the receiver is down while tasks are created, reminded and escalated, then it gets every delivery later, each once, in the order of its case', async () => {
    const consulateId = await createConsulate(h);
    const p = await drive.people(h, consulateId);
    const receiver = await startReceiver(SECRET);
    const hook = await subscribe(p.consul, receiver.url);

    await receiver.down();
    const downAt = Date.now();
    const cases: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, c.id);
      cases.push(c.id);
    }
    // The first delivery is retried meanwhile (and fails each time).
    await drive.waitFor('a failed attempt in the log', async () => (await deliveryLog(p.consul, hook.id)).some((d) => d.status === 'pending' && d.attempts >= 2), 30_000);
    await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - downAt))));
    expect(receiver.got).toEqual([]);
    await receiver.up();

    // Once the ladders are done (second escalations), nothing stays pending and the receiver has it all.
    const log = await drive.waitFor('every delivery delivered', async () => {
      const l = await deliveryLog(p.consul, hook.id);
      const settled = l.length > 0 && l.every((d) => d.status === 'delivered');
      return settled && receiver.got.length >= l.length ? l : undefined;
    }, 90_000, 500);

    const received = receiver.got.map((d) => d.id);
    expect(new Set(received).size, 'each delivery once').toBe(received.length);
    expect([...received].sort()).toEqual(log.map((d) => d.id).sort());
    expect(receiver.got.every((d) => d.verified)).toBe(true);
    expect(log[0]!.attempts).toBeGreaterThan(1);
    for (const caseId of cases) {
      const ofCase = receiver.got.filter((d) => d.body.data.caseId === caseId);
      const ids = ofCase.map((d) => Number(d.id));
      expect(ids, 'in the order of its case').toEqual([...ids].sort((a, b) => a - b));
      expect(ofCase.filter((d) => d.event === 'task.created').length).toBeGreaterThanOrEqual(2);
      // A task's own events in their order: created, reminded, escalated.
      for (const created of ofCase.filter((d) => d.event === 'task.created')) {
        const events = ofCase.filter((d) => d.body.data.taskId === created.body.data.taskId).map((d) => d.event);
        expect(events[0]).toBe('task.created');
        expect(events.indexOf('task.reminder')).toBeLessThan(events.indexOf('task.escalated') === -1 ? Infinity : events.indexOf('task.escalated'));
      }
    }
    await receiver.down();
  }, 240_000);
});

describe('consent in delivery bodies', () => {
  it('when the person withdraws data sharing while deliveries about their tasks wait, then the consulate gets ids and status only, as its inbox shows, and never the person', async () => {
    const consulateId = await createConsulate(h);
    const p = await drive.people(h, consulateId);
    const receiver = await startReceiver(SECRET);
    const hook = await subscribe(p.consul, receiver.url, { events: ['task.created'] });
    await receiver.down();
    const passport = uniqueDocNumber('WD');
    const opened = await openCase(h, p.caseworker, openBody(consulateId, {}, { documents: [{ type: 'passport', number: passport, issuingCountry: 'PH' }] }));
    const fullName = (opened.person as { fullName: string }).fullName;
    await actOk(h, p.caseworker, opened.id, CONFIRM);
    await actOk(h, p.caseworker, opened.id, EXTRACTED);
    const inbox = await drive.openTasksOf(h.http, p.consul, opened.id);
    expect(inbox.length).toBeGreaterThan(0);
    // The control: while sharing is allowed, the inbox names the person.
    expect(JSON.stringify((await h.http.get('/v1/tasks').query({ caseId: opened.id }).set(bearer(p.consul))).body)).toContain(fullName);
    await drive.waitFor('deliveries waiting', async () => (await deliveryLog(p.consul, hook.id)).some((d) => d.status === 'pending' && d.attempts >= 1), 20_000);

    await actOk(h, p.caseworker, opened.id, { type: 'record_consent', dataSharing: 'withdrawn' });
    await receiver.up();
    try {
      const got = await drive.waitFor('task.created deliveries', async () => {
        const d = receiver.got.filter((x) => x.body.data.caseId === opened.id);
        return d.length >= inbox.length ? d : undefined;
      }, 30_000);
      for (const d of got) {
        expect(d.verified).toBe(true);
        expect(d.body.data).toMatchObject({ input: {}, redacted: 'data_sharing_withdrawn' });
        expect(d.raw).not.toContain(fullName);
        expect(d.raw).not.toContain(passport);
        const task = await h.http.get(`/v1/tasks/${d.body.data.taskId}`).set(bearer(p.consul));
        expect(task.body).toMatchObject({ input: {}, redacted: 'data_sharing_withdrawn' });
      }
    } finally {
      await receiver.down();
    }
  }, 90_000);
});

/** A consulate, its people and a receiver of theirs, taken down after `fn`. */
async function withConsulateReceiver(fn: (c: { consulateId: string; p: Awaited<ReturnType<typeof drive.people>>; receiver: Awaited<ReturnType<typeof startReceiver>> }) => Promise<void>) {
  const consulateId = await createConsulate(h);
  const p = await drive.people(h, consulateId);
  const receiver = await startReceiver(SECRET);
  try {
    await fn({ consulateId, p, receiver });
  } finally {
    await receiver.down();
  }
}

/** Every consular task of a case brought to consular contact reaches the receiver as task.created. */
async function consularTasksReach(consulateId: string, p: Awaited<ReturnType<typeof drive.people>>, receiver: Awaited<ReturnType<typeof startReceiver>>) {
  const c = await drive.openCase(h.http, p.caseworker, consulateId);
  await drive.toConsularContact(h.http, p, c.id);
  const inbox = await drive.openTasksOf(h.http, p.consul, c.id);
  await drive.waitFor('task.created for every consular task', async () => receiver.got.filter((d) => d.event === 'task.created' && d.body.data.caseId === c.id).length >= inbox.length, 30_000);
}

describe('a dispatcher that looks before its subscription is committed', () => {
  it('when the dispatcher starts inside the transaction that writes its subscription and looks before the commit, then it waits for the row, and the receiver gets the new tasks', async () => {
    await withConsulateReceiver(async ({ consulateId, p, receiver }) => {
      const id = randomUUID();
      const dispatcher = h.temporal.workflow.getHandle(webhookWorkflowId(id));
      // What POST /v1/webhooks does (api/services/webhooks.ts), its commit held back until the
      // dispatcher has run its first workflow task, which reads the subscription.
      await h.db.transaction(async (tx) => {
        const secret = fieldCipher(h.config).seal(SECRET, aad.webhookSecret(id))!;
        await tx.insert(webhooks).values({ id, url: receiver.url, events: ['task.created'], secret, agencyId: consulateId, office: null, createdBy: 'test' });
        await wakeWebhookDispatcher(h.temporal, h.config.temporal.taskQueue, id);
        await drive.waitFor('the dispatcher\'s first workflow task', async () => (await dispatcher.fetchHistory()).events?.some((e) => e.workflowTaskStartedEventAttributes), 20_000);
        await new Promise((r) => setTimeout(r, 1_500));
        expect((await dispatcher.describe()).status.name).toBe('RUNNING');
      });
      await consularTasksReach(consulateId, p, receiver);
      expect((await h.http.delete(`/v1/webhooks/${id}`).set(bearer(p.consul))).status).toBe(200);
    });
  }, 90_000);
});

describe('a subscription whose dispatcher is gone', () => {
  it('when its dispatcher was terminated and a case step enqueues deliveries for it, then the step starts it again and the receiver gets them', async () => {
    await withConsulateReceiver(async ({ consulateId, p, receiver }) => {
      const hook = await subscribe(p.consul, receiver.url, { events: ['task.created'] });
      const dispatcher = h.temporal.workflow.getHandle(webhookWorkflowId(hook.id));
      // Stands for any way a dispatcher may end while its subscription lives on (an operator, a defect).
      await dispatcher.terminate('test: the dispatcher is gone');
      await consularTasksReach(consulateId, p, receiver);
      expect((await dispatcher.describe()).status.name).toBe('RUNNING');
      expect((await h.http.delete(`/v1/webhooks/${hook.id}`).set(bearer(p.consul))).status).toBe(200);
    });
  }, 90_000);
});

describe('wakes on a busy day', () => {
  it('when fifty steps ask to wake one subscription\'s dispatcher at once, then it is signalled twice, not fifty times', async () => {
    await withConsulateReceiver(async ({ p, receiver }) => {
      const hook = await subscribe(p.consul, receiver.url, { events: ['task.created'] });
      const waker = createWebhookWaker(h.temporal, h.config.temporal.taskQueue, { timeoutMs: 5_000, minIntervalMs: 200 });
      await Promise.all(Array.from({ length: 50 }, () => waker([hook.id])));
      const history = await h.temporal.workflow.getHandle(webhookWorkflowId(hook.id)).fetchHistory();
      const signals = history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes) ?? [];
      // One from the subscription's creation, then the first wake and one for the other 49.
      expect(signals).toHaveLength(3);
      expect((await h.http.delete(`/v1/webhooks/${hook.id}`).set(bearer(p.consul))).status).toBe(200);
    });
  });
});
