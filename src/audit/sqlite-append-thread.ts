import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OutboxRow } from '../events/event-tables';
import { CHAIN_COLUMNS, type ChainRow } from './audit-entry';
import { GENESIS_HASH } from './audit-hash';

/** What the thread answers for one batch. */
export type AppendAnswer = 'committed' | 'head-moved';

/**
 * The thread's program: a plain JavaScript file beside this one (type-checked through JSDoc),
 * so it runs the same from dist/ and from src/ under the test runner, whose TypeScript
 * transform does not reach worker threads.
 */
const THREAD_FILE = join(__dirname, 'sqlite-append-worker.js');

/**
 * How long close() waits for the thread to end by itself after it answered 'closed'. It then
 * has nothing left to run; terminate() is only the fallback for a thread that somehow lingers,
 * and by then it is outside any SQLite call.
 */
const EXIT_GRACE_MS = 2000;

interface Waiting {
  resolve: (m: ThreadMessage) => void;
  reject: (err: Error) => void;
}

interface ThreadMessage {
  id?: number;
  type?: 'closed';
  answer?: AppendAnswer;
  /** Rows an `exec` changed. */
  changes?: number;
  error?: { message: string; code?: string };
}

/** An error of the audit database as the writer thread saw it (SQLITE_FULL, SQLITE_IOERR, …). */
export class AuditWriteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'AuditWriteError';
  }
}

/**
 * Commits audit batches to a SQLite file from a worker thread with its own connection.
 *
 * better-sqlite3 is synchronous: committing on the main thread stopped the whole gateway for
 * every fsync, and this disk's fsyncs now and then take 10 to 270 ms (strace). Every in-flight
 * request, health probe and timer waited with it. Here only the callers of that commit wait;
 * the event loop goes on, and the appends that arrive meanwhile form the next batch.
 *
 * One batch is in the thread at a time (the chain writer awaits each). The thread checks, under
 * the write lock, that the chain head is still the one the rows were sealed against; if another
 * writer moved it, it writes nothing and answers 'head-moved'.
 */
export class SqliteAppendThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  /** `pragmas`: the same connection settings as the store's own writable connection. */
  constructor(
    private readonly file: string,
    private readonly pragmas: readonly string[],
  ) {}

  /** `outbox`: event rows committed in the same transaction (events on). */
  append(
    rows: ChainRow[],
    expected: { seq: number; hash: string },
    outbox: readonly OutboxRow[] = [],
  ): Promise<AppendAnswer> {
    return this.send({
      rows: rows.map((r) => CHAIN_COLUMNS.map((c) => r[c])),
      expectSeq: expected.seq,
      expectHash: expected.hash,
      outbox: outbox.map((e) => [e.seq, e.id, e.time, e.body]),
    }).then((m) => m.answer ?? 'committed');
  }

  /**
   * Runs one write statement on a table beside the chain (the events' delivery progress), so
   * that it never waits for the write lock on the event loop. Committed without an fsync
   * (synchronous NORMAL): a power cut may undo it, never the chain. Resolves with rows changed.
   */
  exec(sql: string, params: readonly unknown[]): Promise<number> {
    return this.send({ type: 'exec', sql, params }).then((m) => m.changes ?? 0);
  }

  private send(message: Record<string, unknown>): Promise<ThreadMessage> {
    if (this.closed) return Promise.reject(new AuditWriteError('audit writer thread is closed'));
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise<ThreadMessage>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  }

  /** Closes the thread's connection and ends the thread; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      let fallback: NodeJS.Timeout | undefined;
      worker.once('exit', () => {
        clearTimeout(fallback);
        resolve();
      });
      worker.on('message', (m: ThreadMessage) => {
        // The thread closes its port after answering, and so ends by itself.
        if (m.type === 'closed')
          fallback = setTimeout(() => void worker.terminate(), EXIT_GRACE_MS);
      });
      worker.ref();
      worker.postMessage({ type: 'close' });
    });
  }

  private spawn(): Worker {
    const worker = new Worker(THREAD_FILE, {
      workerData: {
        file: this.file,
        pragmas: this.pragmas,
        columns: CHAIN_COLUMNS,
        genesis: GENESIS_HASH,
      },
    });
    worker.unref();
    worker.on('message', (m: ThreadMessage) => {
      if (m.id === undefined) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) worker.unref();
      if (m.error) w.reject(new AuditWriteError(m.error.message, m.error.code));
      else w.resolve(m);
    });
    const lost = (reason: string): void => {
      if (this.worker === worker) this.worker = null;
      for (const w of this.waiting.values()) w.reject(new AuditWriteError(reason));
      this.waiting.clear();
    };
    worker.on('error', (err) => lost(`audit writer thread failed: ${err.message}`));
    worker.on('exit', (code) => lost(`audit writer thread exited (${code})`));
    this.worker = worker;
    return worker;
  }
}
