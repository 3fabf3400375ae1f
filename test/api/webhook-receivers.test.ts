// Where deliveries may go (activities/receiver-address.ts): with private receivers refused (the
// production default), a subscription aimed at the worker's own machine or network gets nothing,
// and its delivery fails at once with the reason, never a status code of whatever answers there.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../activities/receiver-address.js';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import * as drive from '../support/drive.js';
import { startReceiver } from '../support/webhooks.js';
import { bearer } from './support.js';

const SECRET = `test-secret-${randomUUID()}`;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ config: { HOMEWARD_WEBHOOK_ALLOW_PRIVATE_RECEIVERS: 'false', HOMEWARD_WEBHOOK_POLL_MS: '300' } });
});
afterAll(async () => {
  await h?.stop();
});

describe('receivers on private networks', () => {
  it('when an address is loopback, private, link-local, carrier-grade NAT or IPv4 inside IPv6, then it is private; a public one is not', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.5', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '203.0.113.7', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('when private receivers are refused and a consulate subscribes a receiver on this machine, then it gets nothing and the delivery fails at once, saying why', async () => {
    const consulateId = await createConsulate(h);
    const p = await drive.people(h, consulateId);
    const receiver = await startReceiver(SECRET);
    try {
      const hook = await h.http.post('/v1/webhooks').set(bearer(p.consul)).send({ url: receiver.url, events: ['task.created'], secret: SECRET });
      expect(hook.status, JSON.stringify(hook.body)).toBe(201);
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, c.id);
      const failed = await drive.waitFor(
        'the deliveries to fail',
        async () => {
          const res = await h.http.get(`/v1/webhooks/${hook.body.id}/deliveries`).set(bearer(p.consul));
          const items = res.body.items as Array<{ status: string; attempts: number; lastError: string | null; lastStatusCode: number | null }>;
          return items.length > 0 && items.every((d) => d.status === 'failed') ? items : undefined;
        },
        60_000,
        300,
      );
      for (const d of failed) {
        expect(d.lastError).toMatch(/private network/);
        expect(d.lastStatusCode).toBeNull();
        expect(d.attempts).toBe(1);
      }
      expect(receiver.got).toEqual([]);
    } finally {
      await receiver.down();
    }
  });
});
