// @ts-check
'use strict';
/**
 * The list thread's program (see session-list-thread.ts): parses one list body (Segura's answer
 * or the copy shared through Redis), normalises and sorts its sessions, and hands them to the
 * main thread a chunk at a time, each when asked for, so that no single message takes the event
 * loop for long. Plain JavaScript for the same reason as src/audit/sqlite-append-worker.js.
 * One thread serves one body and ends.
 */
const threads = require('node:worker_threads');
const { Buffer } = require('node:buffer');
const { TextDecoder } = require('node:util');
const {
  compareSessions,
  isObject,
  normaliseSessionList,
  parseBody,
} = require('./session-normaliser');

/** @typedef {import('./pam-core.types').RemoteSession} RemoteSession */
/**
 * @typedef {{ type: 'answer', bytes: Uint8Array, contentType?: string, key: string,
 *     sort: boolean, serialise: boolean }
 *   | { type: 'shared', bytes: Uint8Array }
 *   | { type: 'next' }} Request
 */

if (!threads.parentPort) throw new Error('session-list-worker runs only as a worker thread');
const port = threads.parentPort;
/** Sessions per chunk: a few milliseconds of structured-clone work for the main thread. */
const CHUNK = 1000;
/** @type {RemoteSession[]} */
let sessions = [];
let next = 0;
/** @type {Uint8Array | undefined} */
let serialised;

/**
 * The body's text, decoded as the HTTP adapter decodes text (UTF-8, invalid bytes replaced).
 * @param {Uint8Array} bytes
 */
function decode(bytes) {
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Segura's answer: the envelope goes back for classification with the list replaced by an
 * empty one (its key stays, as the classifier looks for it); the sessions wait to be taken.
 * @param {Extract<Request, { type: 'answer' }>} req
 */
function answer(req) {
  const arrivedAt = Date.now();
  const text = decode(req.bytes);
  // Let the bytes, then the text, go as soon as they are read: this thread's peak is the process's.
  req.bytes = new Uint8Array(0);
  const parsed = parseBody(text, req.contentType);
  if (parsed.kind !== 'json' || !Array.isArray(parsed.value[req.key])) {
    port.postMessage({ parsed, count: 0, skipped: 0 });
    return;
  }
  const raw = /** @type {unknown[]} */ (parsed.value[req.key]);
  const list = normaliseSessionList(parsed.value, req.key);
  raw.length = 0; // the raw entries, no longer needed
  if (req.sort) list.sessions.sort(compareSessions);
  sessions = list.sessions;
  // What Redis holds (session-list.cache.ts): bytes, so that it crosses to the main thread as a
  // transfer, not a copy of a 30 MB string.
  if (req.serialise) {
    const json = JSON.stringify({ fetchedAt: arrivedAt, sessions });
    serialised = Buffer.from(json);
  }
  const envelope = { ...parsed.value, [req.key]: [] };
  port.postMessage({
    parsed: { kind: 'json', value: envelope },
    count: sessions.length,
    skipped: list.skipped,
    fetchedAt: arrivedAt,
  });
}

/**
 * The list another replica stored: `{fetchedAt, sessions}`, or nothing usable.
 * @param {Uint8Array} bytes
 */
function shared(bytes) {
  try {
    /** @type {unknown} */
    const v = JSON.parse(decode(bytes));
    if (isObject(v) && Array.isArray(v.sessions) && typeof v.fetchedAt === 'number') {
      /** @type {unknown} */
      const list = v.sessions;
      sessions = /** @type {RemoteSession[]} */ (list);
      port.postMessage({ fetchedAt: v.fetchedAt, count: sessions.length });
      return;
    }
  } catch {
    // Not JSON: treated as absent.
  }
  port.postMessage({ invalid: true });
}

port.on('message', (/** @type {Request} */ req) => {
  if (req.type === 'answer') answer(req);
  else if (req.type === 'shared') shared(req.bytes);
  else {
    const chunk = sessions.slice(next, next + CHUNK);
    // Taken sessions live on in the main thread only.
    sessions.fill(/** @type {RemoteSession} */ (/** @type {unknown} */ (null)), next, next + CHUNK);
    next += chunk.length;
    const done = next >= sessions.length;
    const last = done ? serialised : undefined;
    port.postMessage(
      { chunk, done, serialised: last },
      last ? [/** @type {ArrayBuffer} */ (last.buffer)] : [],
    );
    if (done) port.close();
  }
});
