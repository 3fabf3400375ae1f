// The write baseline behind HTTP: the least an HTTP API with read-your-writes can cost. One Express
// route with nothing but JSON in and out (no auth, no validation, no logging) that runs the write
// baseline's update (bench/support/workflows.ts writeUpdate) and answers with its result. The
// benchmark reaches it with the same HTTP client as Homeward's API, in the same process as that API
// runs, so the two differ only by what Homeward does on top of the transport and the write.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { WorkflowHandle } from '@temporalio/client';
import { type idleWorkflow, writeUpdate } from './workflows.js';

/** What the route hands the workflow, so a reader of the written rows can tell this baseline's from the bare one's. */
interface HttpWriteBody {
  via: 'http';
  action: unknown;
}

export async function startBareHttp(targets: ReadonlyArray<WorkflowHandle<typeof idleWorkflow>>) {
  const app = express();
  app.use(express.json());
  app.post('/targets/:i/writes', async (req, res) => {
    const target = targets[Number(req.params.i)];
    if (!target) {
      res.status(404).json({ error: 'no such target' });
      return;
    }
    const body: HttpWriteBody = { via: 'http', action: req.body as unknown };
    res.json(await target.executeUpdate(writeUpdate, { args: [body] }));
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  // As the stack's API: the client keeps its connections.
  server.keepAliveTimeout = 60_000;
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
