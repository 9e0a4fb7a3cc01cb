import type { RemoteSession } from './pam-core.types';
import { isObject, JsonObject } from './segura-body';
import { isValidSessionId } from './session-id';

export interface NormalisedList {
  sessions: RemoteSession[];
  /** Entries dropped because they had no usable `session_id`. */
  skipped: number;
}

/** First present value among English and Portuguese spellings of a key. */
function pick(entry: JsonObject, ...keys: string[]): unknown {
  for (const k of keys) {
    if (entry[k] !== undefined && entry[k] !== null) return entry[k];
  }
  return undefined;
}

function text(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/** Segura's naive "YYYY-MM-DD HH:MM:SS" → "YYYY-MM-DDTHH:MM:SS" (no zone: Segura's local time). */
export function naiveTimestamp(v: unknown): string | null {
  const t = text(v);
  if (t === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(t);
  // MySQL's zero date stands for "no value".
  if (!m || m[1] === '0000-00-00') return null;
  return `${m[1]}T${m[2]}`;
}

/** "HH:MM:SS" (hours may exceed 23) → seconds. */
export function durationSeconds(v: unknown): number | null {
  const t = text(v);
  const m = t === null ? null : /^(\d{1,6}):([0-5]\d):([0-5]\d)$/.exec(t);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

/** "host:port", "[v6]:port", bare host or bare IPv6 → host and port. */
export function splitDevice(device: string | null): { host: string | null; port: number | null } {
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

function port(p: string | undefined): number | null {
  if (p === undefined || !/^\d{1,5}$/.test(p)) return null;
  const n = Number(p);
  return n >= 1 && n <= 65535 ? n : null;
}

/** One entry of `remote_sessions`, or null when it has no usable `session_id`. */
export function normaliseSession(raw: unknown): RemoteSession | null {
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

/** Normalises a list answer; a missing or non-array list is an empty list. */
export function normaliseSessionList(body: JsonObject, key = 'remote_sessions'): NormalisedList {
  const list = body[key];
  if (!Array.isArray(list)) return { sessions: [], skipped: 0 };
  const sessions: RemoteSession[] = [];
  let skipped = 0;
  for (const raw of list) {
    const s = normaliseSession(raw);
    if (s) sessions.push(s);
    else skipped++;
  }
  return { sessions, skipped };
}
