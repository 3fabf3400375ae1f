// The CSV export of 100,000 cases streams: the whole file arrives with every row while the heap of
// the process serving it stays far below the file's size; a client that goes away releases the
// cursor and its connection; a database failure after the headers cuts the response off, so the
// client can tell it is incomplete. The client here reads the body as a stream and keeps only
// counts, so the heap measured is the server's.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { caseViewOf, insertCaseRows } from '../support/case-rows.js';
import { waitFor } from '../support/drive.js';

const CASES = 100_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let h: Harness;
let server: http.Server;
let supervisor: string;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  supervisor = await h.token('supervisor', { office: h.office });
  // One sealed case view, copied with its own id, reference and name per row: 100,000 rows of the
  // real shape without opening 100,000 cases.
  const template = caseViewOf({ office: h.office });
  const start = Date.UTC(2025, 0, 1);
  for (let i = 0; i < CASES; i += 5_000) {
    const views = Array.from({ length: 5_000 }, (_, j) => ({
      ...template,
      id: randomUUID(),
      reference: `HW-S-${h.office}-${i + j}`,
      createdAt: new Date(start + (i + j) * 1_000).toISOString(),
      person: { ...template.person, fullName: `Stream Person ${i + j}` },
    }));
    await insertCaseRows(h, views);
  }
  server = h.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
}, 600_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await h?.stop();
});

interface Download {
  status: number;
  requestId: string;
  bytes: number;
  lines: number;
  complete: boolean;
  error?: string;
}

/** GETs a path, counting bytes and lines as they come; `onData` may pause, resume or abort. */
function download(path: string, token: string, onData?: (d: Download, req: http.ClientRequest, res: http.IncomingMessage) => void): Promise<Download> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve) => {
    const d: Download = { status: 0, requestId: '', bytes: 0, lines: 0, complete: false };
    const req = http.get({ host: '127.0.0.1', port, path, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      d.status = res.statusCode ?? 0;
      d.requestId = String(res.headers['x-request-id']);
      res.on('data', (chunk: Buffer) => {
        d.bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) d.lines += 1;
        onData?.(d, req, res);
      });
      res.on('end', () => {
        d.complete = res.complete;
        resolve(d);
      });
      res.on('error', (err) => {
        d.error = err.message;
        resolve(d);
      });
    });
    req.on('error', (err) => {
      d.error = err.message;
      resolve(d);
    });
  });
}

const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

async function noExportCursor() {
  const r = await h.db.$client.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and query like '%from "cases" where%"cases"."office" = $1%order by%' and pid <> pg_backend_pid()`);
  return (r.rows[0] as { n: number }).n === 0;
}

describe('streaming 100,000 cases', () => {
  it('when 100,000 cases are exported, then every row arrives and the heap grows by a small fraction of the file', async () => {
    const baseline = heap();
    let peak = 0;
    let nextSample = 0;
    const d = await download('/v1/exports/cases.csv', supervisor, (dl) => {
      if (dl.bytes >= nextSample) {
        peak = Math.max(peak, heap() - baseline);
        nextSample = dl.bytes + 2 * 1024 * 1024;
      }
    });
    peak = Math.max(peak, heap() - baseline);
    expect(d.status).toBe(200);
    expect(d.complete, d.error).toBe(true);
    expect(d.lines).toBe(CASES + 1);
    // The file is tens of megabytes (more as JavaScript strings, and far more as opened rows): a
    // process that held it would grow by at least its size.
    expect(d.bytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(peak, `heap grew by ${(peak / 1048576).toFixed(1)} MB for a ${(d.bytes / 1048576).toFixed(1)} MB export`).toBeLessThan(d.bytes / 4);
    console.log(`export of ${CASES} cases: ${(d.bytes / 1048576).toFixed(1)} MB, heap peak growth ${(peak / 1048576).toFixed(1)} MB`);
    const logged = await h.db.$client.query<{ n: string }>('select count(*) as n from access_log where request_id = $1', [d.requestId]);
    expect(Number(logged.rows[0]!.n)).toBe(CASES);
  }, 600_000);

  it('when the client goes away mid-export, then the cursor is closed, the connection released, and later exports work', async () => {
    const d = await download('/v1/exports/cases.csv', supervisor, (dl, req) => {
      if (dl.bytes > 512 * 1024) req.destroy();
    });
    expect(d.complete).toBe(false);
    await waitFor('the export cursor to be gone and every pooled client back', async () => ((await noExportCursor()) && h.db.$client.totalCount === h.db.$client.idleCount ? true : undefined), 30_000, 100);
    const logged = await h.db.$client.query<{ n: string }>('select count(*) as n from access_log where request_id = $1', [d.requestId]);
    expect(Number(logged.rows[0]!.n)).toBeLessThan(CASES);
    const again = await download('/v1/exports/cases.csv?createdBefore=2025-01-01T00:10:00Z', supervisor);
    expect([again.status, again.complete, again.lines]).toEqual([200, true, 601]);
  }, 120_000);

  it('when the database connection dies after the headers, then the response is cut off (incomplete), not ended as if whole', async () => {
    let killed = false;
    let terminated = false;
    const d = await download('/v1/exports/cases.csv', supervisor, (dl, _req, res) => {
      if (killed || dl.bytes < 256 * 1024) return;
      killed = true;
      res.pause();
      void (async () => {
        // Only a backend that is running such a query: an idle one still shows its last query, and
        // other test files (sharing this database) hold idle pooled connections that listed cases.
        const r = await h.db.$client.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and state <> 'idle' and query like '%from "cases" where%"cases"."office" = $1%order by%' and pid <> pg_backend_pid()`);
        terminated = (r.rowCount ?? 0) > 0;
        res.resume();
      })();
    });
    expect(killed).toBe(true);
    expect(terminated, 'no export query was found to terminate').toBe(true);
    expect(d.status).toBe(200);
    expect(d.complete).toBe(false);
    expect(d.lines).toBeLessThan(CASES + 1);
    const again = await download('/v1/exports/cases.csv?createdBefore=2025-01-01T00:01:40Z', supervisor);
    expect([again.status, again.complete, again.lines]).toEqual([200, true, 101]);
  }, 120_000);
});
