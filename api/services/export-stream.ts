// The plumbing of streamed exports. Rows come from a PostgreSQL server-side cursor (pg-query-stream)
// a batch at a time and go to the response through stream.pipeline, which waits for the socket to
// drain, so the process holds one batch whatever the size of the export. CSV is written by
// csv-stringify with every cell neutralised against formula injection (OWASP "CSV Injection").
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { Column } from 'drizzle-orm';
import { stringify } from 'csv-stringify/sync';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { Logger } from '../logger.js';

/** Spreadsheets take UTF-8 for what it is only with a byte order mark. */
export const BOM = '\uFEFF';

// A spreadsheet reads a cell starting with one of these as a formula (OWASP; the full-width forms
// are folded to them by some spreadsheets' input handling).
const FORMULA_START = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A text cell a spreadsheet shows as text: a leading formula character is escaped with a quote. */
export function neutralise(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return neutralise(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return neutralise(JSON.stringify(value));
}

/** CSV lines (RFC 4180, CRLF), every text cell quoted and neutralised. */
export function csvLines(rows: unknown[][]): string {
  return stringify(rows.map((r) => r.map(cell)), { quoted_string: true, record_delimiter: 'windows' });
}

/** Maps a raw row (column names) of a select of `columns` to the row drizzle would give (property names, types). */
export function rowMapper<R>(columns: Record<string, Column>): (raw: Record<string, unknown>) => R {
  const entries = Object.entries(columns);
  return (raw) =>
    Object.fromEntries(entries.map(([key, col]) => {
      const v = raw[col.name];
      return [key, v === null || v === undefined ? null : col.mapFromDriverValue(v)];
    })) as R;
}

/**
 * A cursor stream that does not wait for its portal to close when destroyed. pg-query-stream's own
 * destroy does, and once the connection is gone pg-cursor waits for a readyForQuery that never
 * comes: the export would hang instead of failing. Nothing is lost: an export that stops early
 * discards its client (withExportClient), portal and all.
 */
class CursorStream extends QueryStream {
  override _destroy(err: Error, cb: (err?: Error) => void): void {
    cb(err);
  }
}

/**
 * The rows of a query in batches of `size`, read through a server-side cursor on `client`. Stopping
 * early (a client gone, an error downstream) returns the iterator, which destroys the cursor stream.
 */
export async function* batchesOf<R>(client: pg.PoolClient, query: { sql: string; params: unknown[] }, size: number, map: (raw: Record<string, unknown>) => R): AsyncGenerator<R[]> {
  const rows = client.query(new CursorStream(query.sql, query.params, { batchSize: size }));
  try {
    let batch: R[] = [];
    for await (const raw of rows) {
      batch.push(map(raw as Record<string, unknown>));
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    rows.destroy();
  }
}

/**
 * A pooled client for one export. Released to the pool only after a clean end: a client whose
 * cursor was abandoned (a disconnect) or whose connection failed is discarded, never reused half-way
 * through a portal.
 */
export async function withExportClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<{ clean: boolean; value: T }>): Promise<T> {
  const client = await pool.connect();
  let clean = false;
  try {
    const out = await fn(client);
    clean = out.clean;
    return out.value;
  } finally {
    client.release(clean ? undefined : true);
  }
}

export interface StreamMeta {
  contentType: string;
  filename: string;
  requestId: string;
  logger: Logger;
}

/**
 * Sends the chunks as a 200. The first chunk is pulled before anything is sent, so a failure up to
 * then (the query, the first access-log write) is an ordinary error answer. After it the status is
 * out and cannot change: a failure destroys the socket, so the client sees a truncated chunked body
 * (no final chunk), not a file that merely looks shorter, and the failure is logged. Returns
 * whether the whole body was sent.
 */
export async function sendChunks(res: Response, meta: StreamMeta, chunks: AsyncGenerator<string>): Promise<boolean> {
  const first = await chunks.next();
  res.status(200);
  res.setHeader('Content-Type', meta.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${meta.filename}"`);
  try {
    await pipeline(async function* () {
      if (!first.done) yield first.value;
      yield* chunks;
    }, res);
    return true;
  } catch (err) {
    res.destroy();
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_STREAM_PREMATURE_CLOSE') meta.logger.info({ requestId: meta.requestId }, 'export abandoned by the client');
    else meta.logger.error({ requestId: meta.requestId, reason: (err as Error)?.message }, 'export failed after its headers were sent; the response was cut off');
    return false;
  } finally {
    // The cursor is closed however the pipeline ended (the generators' finally blocks).
    await chunks.return(undefined);
  }
}
