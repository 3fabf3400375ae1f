// An embedded PostgreSQL for a laptop without one: PGlite (PostgreSQL compiled to WebAssembly, in this
// process) served over the PostgreSQL wire protocol on a local port, so the API, the worker and the
// migrations connect through `pg` exactly as they do to a real server.
//
// PGlite is one backend session, so every connection shares it. @electric-sql/pglite-socket's server
// interleaves the messages of concurrent connections one by one: two pools running parameterised
// queries at once clobber each other's unnamed statement ("portal \"\" does not exist"; pglite issue
// #1046). This server instead takes turns per protocol cycle: a connection runs everything up to its
// Sync (or simple Query) alone, and keeps its turn for as long as PostgreSQL reports it inside a
// transaction. Other connections wait; nothing of theirs ever lands between. What stays shared is
// session state (SET, advisory locks); Homeward uses neither across statements.
import fs from 'node:fs/promises';
import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';

export interface EmbeddedPostgres {
  /** postgres:// URL to give `pg` (and DATABASE_URL). */
  url: string;
  port: number;
  /** Where the data lives; undefined when in memory. */
  dataDir?: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder of the database files (created when missing); null or undefined keeps everything in memory. */
  dataDir?: string | null;
  /** 0 picks a free port. */
  port?: number;
  /**
   * A connection holding a transaction open without sending anything blocks every other one; after
   * this long it is ended, as PostgreSQL's idle_in_transaction_session_timeout would.
   */
  idleInTransactionMs?: number;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Frontend messages after which the backend answers and a client waits: Sync, Query, Flush, CopyDone, CopyFail. */
const TURN_ENDS = new Set(['S', 'Q', 'H', 'c', 'f'].map((c) => c.charCodeAt(0)));
const TERMINATE = 'X'.charCodeAt(0);
const READY_FOR_QUERY = 'Z'.charCodeAt(0);
const IDLE = 'I'.charCodeAt(0);

/** A FATAL ErrorResponse, for refusing a connection in words the client reports. */
function fatal(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0, 'latin1');
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** Follows the backend's messages across chunks and remembers whether the last one was ReadyForQuery, and its status. */
class ReadyTracker {
  private header = Buffer.alloc(0);
  private remaining = 0;
  private type = 0;
  /** Transaction status of the last message if it was ReadyForQuery ('I', 'T' or 'E'), else undefined. */
  status: number | undefined;

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        if (this.type === READY_FOR_QUERY) this.status = chunk[i + n - 1];
        this.remaining -= n;
        i += n;
        continue;
      }
      const take = Math.min(5 - this.header.length, chunk.length - i);
      this.header = Buffer.concat([this.header, chunk.subarray(i, i + take)]);
      i += take;
      if (this.header.length < 5) break;
      this.type = this.header[0]!;
      this.remaining = this.header.readInt32BE(1) - 4;
      this.header = Buffer.alloc(0);
      this.status = undefined;
    }
  }
}

/** Starts PGlite and serves it on 127.0.0.1; resolves once it answers queries. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = opts.dataDir ?? undefined;
  // The port first: a second `npm start` must fail on it before it opens the same data folder,
  // which two PGlite instances would corrupt.
  let opened: (db: PGlite) => void = () => undefined;
  const ready = new Promise<PGlite>((resolve) => (opened = resolve));
  const idleInTransactionMs = opts.idleInTransactionMs ?? 60_000;

  // Whose turn it is, and who waits for one, first come first served.
  let owner: object | undefined;
  const waiting: Array<{ conn: object; go: () => void }> = [];
  const takeTurn = (conn: object) =>
    owner === conn || owner === undefined
      ? ((owner = conn), Promise.resolve())
      : new Promise<void>((go) => waiting.push({ conn, go: () => ((owner = conn), go()) }));
  const passTurn = () => {
    owner = undefined;
    waiting.shift()?.go();
  };

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const conn = {};
    let buffer = Buffer.alloc(0);
    let pending: Buffer[] = [];
    let started = false;
    let closed = false;
    let idleTimer: NodeJS.Timeout | undefined;
    // One turn after another per connection, in the order the client sent them.
    let chain = Promise.resolve();

    const runTurn = (message: Buffer) => {
      chain = chain.then(async () => {
        if (closed) return;
        clearTimeout(idleTimer);
        const db = await ready;
        await takeTurn(conn);
        if (closed) return void (owner === conn && passTurn());
        const tracker = new ReadyTracker();
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(new Uint8Array(message), {
              onRawData: (data) => {
                tracker.feed(data);
                if (!socket.destroyed) socket.write(data);
              },
            }),
          );
        } catch {
          socket.destroy();
        }
        if (tracker.status === IDLE || closed) {
          if (owner === conn) passTurn();
          return;
        }
        // Inside a transaction (or between Flush and Sync): the turn stays with this connection.
        idleTimer = setTimeout(() => {
          socket.end(fatal('25P03', `terminating connection: idle in transaction for ${idleInTransactionMs / 1000} s while others wait (embedded PostgreSQL)`));
          socket.destroy();
        }, idleInTransactionMs);
        idleTimer.unref();
      });
    };

    const onClose = () => {
      if (closed) return;
      closed = true;
      clearTimeout(idleTimer);
      sockets.delete(socket);
      chain = chain.then(async () => {
        if (owner !== conn) return;
        const db = await ready;
        // What a real server does when a client vanishes mid-transaction.
        if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined);
        passTurn();
      });
    };
    socket.on('close', onClose);
    socket.on('error', onClose);
    socket.setNoDelay(true);

    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          const code = buffer.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            // No encryption on a loopback-only development server: the client goes on in plain text.
            socket.write('N');
            buffer = buffer.subarray(8);
            continue;
          }
          if (code === CANCEL_REQUEST) return void socket.destroy();
          if (code !== PROTOCOL_3) return void socket.end(fatal('08P01', 'unsupported frontend protocol'));
          if (buffer.length < length) return;
          started = true;
          runTurn(buffer.subarray(0, length));
          buffer = buffer.subarray(length);
          continue;
        }
        if (buffer.length < 5) return;
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) return;
        const type = buffer[0]!;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        // Terminate would end PGlite's only session, which belongs to everyone.
        if (type === TERMINATE) return void socket.end();
        pending.push(message);
        if (TURN_ENDS.has(type)) {
          runTurn(Buffer.concat(pending));
          pending = [];
        }
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let db: PGlite;
  try {
    if (dataDir) await fs.mkdir(dataDir, { recursive: true });
    db = await PGlite.create(dataDir ? { dataDir } : {});
  } catch (err) {
    server.close();
    throw err;
  }
  opened(db);

  let stopped: Promise<void> | undefined;
  return {
    // PGlite has one database, whatever name a client asks for; naming it keeps ensureDatabase from creating another.
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: () =>
      (stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
        // Lets the last turns finish, then writes everything out so the next start finds it.
        await db.close();
      })()),
  };
}
