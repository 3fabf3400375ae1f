// A minimal Homeward webhook receiver: verifies each delivery's X-Homeward-Signature over the raw
// body with a timing-safe comparison before it trusts a byte of it, drops a repeat by its delivery
// id (deliveries are at least once), and answers 204. Node's http module only, so it can be copied
// anywhere; `verify` is what to reuse in another framework (keep the raw body: a re-serialised JSON
// object does not have the signed bytes).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';

/** Whether `header` is `sha256=<hex HMAC-SHA256 of rawBody under secret>`, compared in constant time. */
export function verify(secret: string, rawBody: Buffer | string, header: string | undefined): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface Delivery {
  id: string;
  event: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

const MAX_BODY = 1024 * 1024;

function rawBodyOf(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The receiver: calls `onDelivery` once per verified delivery (a repeat of a delivery id is
 * acknowledged and not passed on again); a bad signature gets 401 and is not passed on.
 */
export function createReceiver(secret: string, onDelivery: (d: Delivery, headers: IncomingMessage['headers']) => void): Server {
  const seen = new Set<string>();
  return createServer(async (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const raw = await rawBodyOf(req).catch(() => undefined);
    if (!raw) return void res.writeHead(413).end();
    if (!verify(secret, raw, req.headers['x-homeward-signature'] as string | undefined)) return void res.writeHead(401).end();
    const delivery = JSON.parse(raw.toString('utf8')) as Delivery;
    if (!seen.has(delivery.id)) {
      seen.add(delivery.id);
      onDelivery(delivery, req.headers);
    }
    res.writeHead(204).end();
  });
}

// Run directly: `WEBHOOK_SECRET=… PORT=4000 npx tsx examples/webhook-receiver/receiver.ts`
if (/receiver\.[jt]s$/.test(process.argv[1] ?? '')) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error('set WEBHOOK_SECRET to the secret given when subscribing');
    process.exit(78);
  }
  const port = Number(process.env.PORT ?? 4000);
  createReceiver(secret, (d) => console.log(`${d.occurredAt} ${d.event} #${d.id}`, JSON.stringify(d.data))).listen(port, () =>
    console.log(`webhook receiver on http://127.0.0.1:${port}/`),
  );
}
