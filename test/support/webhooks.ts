// A local HTTP receiver for webhook tests: records every request it gets (repeats included, so a
// test can tell "each once"), whether its signature verifies (the example receiver's `verify`), and
// can go down and come back on the same port.
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../examples/webhook-receiver/receiver.js';

export interface Received {
  id: string;
  event: string;
  headerEvent: string | undefined;
  deliveryHeader: string | undefined;
  verified: boolean;
  raw: string;
  body: { id: string; event: string; occurredAt: string; data: Record<string, unknown> };
  headers: IncomingHttpHeaders;
}

export async function startReceiver(secret: string, port = 0) {
  const got: Received[] = [];
  let server: Server | undefined;
  const up = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          const body = JSON.parse(raw.toString('utf8'));
          got.push({
            id: body.id,
            event: body.event,
            headerEvent: req.headers['x-homeward-event'] as string | undefined,
            deliveryHeader: req.headers['x-homeward-delivery'] as string | undefined,
            verified: verify(secret, raw, req.headers['x-homeward-signature'] as string | undefined),
            raw: raw.toString('utf8'),
            body,
            headers: req.headers,
          });
          res.writeHead(204).end();
        });
      });
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
    });
  const boundPort = await up(port);
  return {
    got,
    url: `http://127.0.0.1:${boundPort}/hooks`,
    /** Down: the port refuses connections, kept-alive ones included. */
    async down() {
      const s = server!;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    async up() {
      await up(boundPort);
    },
  };
}
