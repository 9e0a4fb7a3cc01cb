// @ts-check
'use strict';
/**
 * Reading Segura's session list: the body parse and the normalisation of its entries. Plain
 * JavaScript with JSDoc types (checked by `tsc`) because the list thread
 * (session-list-worker.js) runs it too, under jest and from dist/ alike; the main thread
 * imports the same functions, so both classify and normalise identically.
 */

/** @typedef {import('./pam-core.types').RemoteSession} RemoteSession */
/** @typedef {Record<string, unknown>} JsonObject */
/**
 * @typedef {{ kind: 'json', value: JsonObject } | { kind: 'empty' } | { kind: 'html' }
 *   | { kind: 'garbage' }} ParsedBody `garbage`: not JSON, truncated, or not an object
 */
/**
 * @typedef {object} NormalisedList
 * @property {RemoteSession[]} sessions
 * @property {number} skipped entries dropped because they had no usable `session_id`
 */

/** What a caller may pass as a session id: Segura's hashes (40 hex), UUIDs, never a path. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * True when `id` is a string the gateway will forward to Segura.
 * @param {unknown} id
 * @returns {id is string}
 */
function isValidSessionId(id) {
  return typeof id === 'string' && SESSION_ID_PATTERN.test(id);
}

/**
 * @param {unknown} v
 * @returns {v is JsonObject}
 */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a body without ever throwing.
 * @param {string} text
 * @param {string} [contentType]
 * @returns {ParsedBody}
 */
function parseBody(text, contentType) {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.startsWith('<') || /html/i.test(contentType ?? '')) return { kind: 'html' };
  if (!trimmed.startsWith('{')) return { kind: 'garbage' };
  try {
    /** @type {unknown} */
    const value = JSON.parse(trimmed);
    return isObject(value) ? { kind: 'json', value } : { kind: 'garbage' };
  } catch {
    return { kind: 'garbage' };
  }
}

/**
 * First present value among English and Portuguese spellings of a key.
 * @param {JsonObject} entry
 * @param {string[]} keys
 */
function pick(entry, ...keys) {
  for (const k of keys) {
    if (entry[k] !== undefined && entry[k] !== null) return entry[k];
  }
  return undefined;
}

/**
 * @param {unknown} v
 * @returns {string | null}
 */
function text(v) {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/**
 * Segura's naive "YYYY-MM-DD HH:MM:SS" → "YYYY-MM-DDTHH:MM:SS" (no zone: Segura's local time).
 * @param {unknown} v
 * @returns {string | null}
 */
function naiveTimestamp(v) {
  const t = text(v);
  if (t === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(t);
  // MySQL's zero date stands for "no value".
  if (!m || m[1] === '0000-00-00') return null;
  return `${m[1]}T${m[2]}`;
}

/**
 * "HH:MM:SS" (hours may exceed 23) → seconds.
 * @param {unknown} v
 * @returns {number | null}
 */
function durationSeconds(v) {
  const t = text(v);
  const m = t === null ? null : /^(\d{1,6}):([0-5]\d):([0-5]\d)$/.exec(t);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

/**
 * @param {string | undefined} p
 * @returns {number | null}
 */
function port(p) {
  if (p === undefined || !/^\d{1,5}$/.test(p)) return null;
  const n = Number(p);
  return n >= 1 && n <= 65535 ? n : null;
}

/**
 * "host:port", "[v6]:port", bare host or bare IPv6 → host and port.
 * @param {string | null} device
 * @returns {{ host: string | null, port: number | null }}
 */
function splitDevice(device) {
  if (device === null) return { host: null, port: null };
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(device);
  if (bracketed) return { host: bracketed[1], port: port(bracketed[2]) };
  const colons = device.split(':').length - 1;
  if (colons === 1) {
    const [host, p] = device.split(':');
    const n = port(p);
    return n === null ? { host: device, port: null } : { host: host === '' ? null : host, port: n };
  }
  // Zero colons: a bare host; several: a bare IPv6 address, whose last group is not a port.
  return { host: device, port: null };
}

/**
 * One entry of `remote_sessions`, or null when it has no usable `session_id`.
 * @param {unknown} raw
 * @returns {RemoteSession | null}
 */
function normaliseSession(raw) {
  if (!isObject(raw)) return null;
  const sessionId = text(pick(raw, 'session_id', 'sessionId', 'id_sessao'));
  if (sessionId === null || !isValidSessionId(sessionId)) return null;
  const device = text(pick(raw, 'device', 'dispositivo'));
  const { host, port: devicePort } = splitDevice(device);
  const endRaw = pick(raw, 'end', 'fim');
  const endText = text(endRaw);
  return {
    sessionId,
    recordId: text(raw.id) ?? '',
    user: text(pick(raw, 'user', 'usuario', 'usuário')),
    originIp: text(pick(raw, 'origin_ip', 'ip_origem')),
    credential: text(pick(raw, 'credential', 'credencial')),
    device,
    deviceHost: host,
    devicePort,
    protocol: text(pick(raw, 'protocol', 'protocolo')),
    proxy: text(raw.proxy),
    start: naiveTimestamp(pick(raw, 'start', 'inicio', 'início')),
    end: naiveTimestamp(endRaw),
    durationSeconds: durationSeconds(pick(raw, 'time', 'tempo')),
    // Segura has no status field; an open session has no end (empty, null or the zero date).
    active: endText === null || endText.startsWith('0000-00-00'),
    itsm: text(pick(raw, 'ITSM', 'itsm')),
  };
}

/**
 * Normalises a list answer; a missing or non-array list is an empty list.
 * @param {JsonObject} body
 * @param {string} [key]
 * @returns {NormalisedList}
 */
function normaliseSessionList(body, key = 'remote_sessions') {
  const list = body[key];
  if (!Array.isArray(list)) return { sessions: [], skipped: 0 };
  /** @type {RemoteSession[]} */
  const sessions = [];
  let skipped = 0;
  for (const raw of list) {
    const s = normaliseSession(raw);
    if (s) sessions.push(s);
    else skipped++;
  }
  return { sessions, skipped };
}

/**
 * Listing order: newest start first (sessions without a start last), then session id.
 * @param {Pick<RemoteSession, 'start' | 'sessionId'>} a
 * @param {Pick<RemoteSession, 'start' | 'sessionId'>} b
 * @returns {number}
 */
function compareSessions(a, b) {
  const sa = a.start ?? '';
  const sb = b.start ?? '';
  if (sa !== sb) return sa < sb ? 1 : -1;
  return a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;
}

module.exports = {
  SESSION_ID_PATTERN,
  isValidSessionId,
  isObject,
  parseBody,
  naiveTimestamp,
  durationSeconds,
  splitDevice,
  normaliseSession,
  normaliseSessionList,
  compareSessions,
};
