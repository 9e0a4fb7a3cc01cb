import { Worker } from 'node:worker_threads';
import { CHAIN_COLUMNS, type ChainRow } from './audit-entry';
import { GENESIS_HASH } from './audit-hash';

/** What the thread answers for one batch. */
export type AppendAnswer = 'committed' | 'head-moved';

/**
 * The thread's whole program. Plain JavaScript run with `eval`, so it needs no build step of its
 * own and runs the same from dist/ and under the test runner. It only writes rows it is given,
 * in one transaction, and only on top of the chain head the caller sealed them against.
 */
const THREAD_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const cols = workerData.columns;
let db = null;
let st = null;

function open() {
  db = new Database(workerData.file, { fileMustExist: true });
  for (const p of workerData.pragmas) db.pragma(p);
  st = {
    head: db.prepare('select seq, hash from audit_chain order by seq desc limit 1'),
    insert: db.prepare('insert into audit_chain (' + cols.join(', ') + ') values (' + cols.map(() => '?').join(', ') + ')'),
    begin: db.prepare('begin immediate'),
    commit: db.prepare('commit'),
    rollback: db.prepare('rollback'),
  };
}

function closeDb() {
  try { if (db) db.close(); } catch (e) { /* already unusable */ }
  db = null;
  st = null;
}

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    closeDb();
    parentPort.postMessage({ type: 'closed' });
    return;
  }
  try {
    if (!db) open();
    st.begin.run();
    try {
      const h = st.head.get();
      const seq = h ? Number(h.seq) : 0;
      const hash = h ? h.hash : workerData.genesis;
      if (seq !== msg.expectSeq || hash !== msg.expectHash) {
        st.rollback.run();
        parentPort.postMessage({ id: msg.id, answer: 'head-moved' });
        return;
      }
      for (const row of msg.rows) st.insert.run(row);
      st.commit.run();
    } catch (err) {
      try { if (db && db.inTransaction) st.rollback.run(); } catch (e) { /* the error below says it */ }
      throw err;
    }
    parentPort.postMessage({ id: msg.id, answer: 'committed' });
  } catch (err) {
    // Start afresh next time: the file may have been replaced or its schema changed.
    closeDb();
    parentPort.postMessage({
      id: msg.id,
      error: { message: String((err && err.message) || err), code: err && err.code },
    });
  }
});
`;

interface Waiting {
  resolve: (answer: AppendAnswer) => void;
  reject: (err: Error) => void;
}

interface ThreadMessage {
  id?: number;
  type?: 'closed';
  answer?: AppendAnswer;
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

  append(rows: ChainRow[], expected: { seq: number; hash: string }): Promise<AppendAnswer> {
    if (this.closed) return Promise.reject(new AuditWriteError('audit writer thread is closed'));
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise<AppendAnswer>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({
        id,
        rows: rows.map((r) => CHAIN_COLUMNS.map((c) => r[c])),
        expectSeq: expected.seq,
        expectHash: expected.hash,
      });
    });
  }

  /** Closes the thread's connection and ends the thread; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const done = (): void => resolve();
      worker.once('exit', done);
      worker.on('message', (m: ThreadMessage) => {
        if (m.type === 'closed') void worker.terminate();
      });
      worker.ref();
      worker.postMessage({ type: 'close' });
    });
  }

  private spawn(): Worker {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        driver: require.resolve('better-sqlite3'),
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
      else w.resolve(m.answer ?? 'committed');
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
