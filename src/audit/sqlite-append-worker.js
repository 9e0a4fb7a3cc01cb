// @ts-check
'use strict';
/**
 * The writer thread's program (see sqlite-append-thread.ts). Plain JavaScript with JSDoc types,
 * checked by `tsc` (`// @ts-check`, allowJs) and linted like the rest of src/: worker threads
 * run outside the test runner's TypeScript transform, so a .ts file would not load under jest,
 * while this one runs unchanged from src/ under jest and from dist/ (tsc copies it) in
 * production. It only writes rows it is given, in one transaction, and only on top of the
 * chain head the caller sealed them against.
 */
const threads = require('node:worker_threads');
const Database = require('better-sqlite3');

/**
 * @typedef {object} ThreadData
 * @property {string} file the audit database file
 * @property {string[]} pragmas the store's own connection settings
 * @property {string[]} columns CHAIN_COLUMNS, the order of each row's values
 * @property {string} genesis the prev_hash of seq 1
 */
/**
 * @typedef {{ type: 'close' }
 *   | { type: 'exec', id: number, sql: string, params: unknown[] }
 *   | { type?: undefined, id: number, rows: unknown[][], expectSeq: number, expectHash: string,
 *       outbox?: unknown[][] }} Request
 */
/**
 * @typedef {object} Statements
 * @property {import('better-sqlite3').Statement<[], { seq: number | bigint, hash: string } | undefined>} head
 * @property {import('better-sqlite3').Statement<unknown[]>} insert
 * @property {import('better-sqlite3').Statement<[]>} begin
 * @property {import('better-sqlite3').Statement<[]>} commit
 * @property {import('better-sqlite3').Statement<[]>} rollback
 * @property {import('better-sqlite3').Statement<unknown[]> | null} outbox prepared when first needed
 */

if (!threads.parentPort) throw new Error('sqlite-append-worker runs only as a worker thread');
const port = threads.parentPort;
/** @type {unknown} */
const given = threads.workerData;
const data = /** @type {ThreadData} */ (given);
const cols = data.columns;
/** @type {import('better-sqlite3').Database | null} */
let db = null;
/** @type {Statements | null} */
let st = null;
/** @type {Map<string, import('better-sqlite3').Statement<unknown[]>>} */
const execs = new Map();

/** @returns {Statements} */
function open() {
  const conn = new Database(data.file, { fileMustExist: true });
  db = conn;
  for (const p of data.pragmas) conn.pragma(p);
  st = {
    head: conn.prepare('select seq, hash from audit_chain order by seq desc limit 1'),
    insert: conn.prepare(
      'insert into audit_chain (' +
        cols.join(', ') +
        ') values (' +
        cols.map(() => '?').join(', ') +
        ')',
    ),
    begin: conn.prepare('begin immediate'),
    commit: conn.prepare('commit'),
    rollback: conn.prepare('rollback'),
    outbox: null,
  };
  return st;
}

function closeDb() {
  try {
    if (db) db.close();
  } catch {
    /* already unusable */
  }
  db = null;
  st = null;
  execs.clear();
}

/**
 * One statement beside the chain (sqlite-append-thread.ts, exec), outside any transaction and
 * without an fsync: the connection's synchronous setting is put back afterwards.
 * @param {{ id: number, sql: string, params: unknown[] }} msg
 */
function exec(msg) {
  try {
    if (!st) open();
    const conn = /** @type {import('better-sqlite3').Database} */ (db);
    let stmt = execs.get(msg.sql);
    if (!stmt) execs.set(msg.sql, (stmt = conn.prepare(msg.sql)));
    const before = Number(conn.pragma('synchronous', { simple: true }));
    conn.pragma('synchronous = NORMAL');
    try {
      port.postMessage({ id: msg.id, changes: stmt.run(...msg.params).changes });
    } finally {
      conn.pragma(`synchronous = ${before}`);
    }
  } catch (err) {
    fail(msg.id, err);
  }
}

/**
 * Answers request `id` with `err`, and starts afresh next time: the file may have been replaced
 * or its schema changed.
 * @param {number} id
 * @param {unknown} err
 */
function fail(id, err) {
  closeDb();
  const e = /** @type {{ message?: unknown, code?: unknown } | null | undefined} */ (err);
  port.postMessage({ id, error: { message: String((e && e.message) || err), code: e && e.code } });
}

port.on('message', (/** @type {Request} */ msg) => {
  if (msg.type === 'close') {
    closeDb();
    port.postMessage({ type: 'closed' });
    // Nothing else keeps the thread alive: it ends by itself, never terminated mid-call.
    port.close();
    return;
  }
  if (msg.type === 'exec') return exec(msg);
  try {
    const s = st ?? open();
    s.begin.run();
    try {
      const h = s.head.get();
      const seq = h ? Number(h.seq) : 0;
      const hash = h ? h.hash : data.genesis;
      if (seq !== msg.expectSeq || hash !== msg.expectHash) {
        s.rollback.run();
        port.postMessage({ id: msg.id, answer: 'head-moved' });
        return;
      }
      for (const row of msg.rows) s.insert.run(row);
      // Events on: their outbox rows (seq, id, time, body) in the same transaction.
      if (msg.outbox && msg.outbox.length > 0) {
        const conn = /** @type {import('better-sqlite3').Database} */ (db);
        const insertEvent = (s.outbox ??= conn.prepare(
          'insert into event_outbox (seq, id, time, body) values (?, ?, ?, ?)',
        ));
        for (const row of msg.outbox) insertEvent.run(row);
      }
      s.commit.run();
    } catch (err) {
      try {
        if (db && db.inTransaction) s.rollback.run();
      } catch {
        /* the error below says it */
      }
      throw err;
    }
    port.postMessage({ id: msg.id, answer: 'committed' });
  } catch (err) {
    fail(msg.id, err);
  }
});
