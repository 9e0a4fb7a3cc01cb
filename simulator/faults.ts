/** FIFO queue of injected faults, and validation of faults arriving over the control API. */
import type { Fault, FaultMatch, FaultPath, SeguraErrorPreset } from './types';

/** What a request was routed to; 'other' only matches path 'any' (or no path). */
export type RouteKind = Exclude<FaultPath, 'any'> | 'other';

interface QueuedFault {
  fault: Fault;
  match: FaultMatch;
  remaining: number;
}

export class FaultQueue {
  private queue: QueuedFault[] = [];

  add(fault: Fault, match: FaultMatch = {}, times = 1): void {
    if (!(times > 0)) throw new Error('times must be a positive number (Infinity allowed)');
    this.queue.push({ fault: validateFault(fault), match: validateMatch(match), remaining: times });
  }

  /** The first queued fault matching this request, consuming one of its uses. */
  take(method: string, route: RouteKind): Fault | undefined {
    if (this.queue.length === 0) return undefined; // fast path under benchmark load
    const index = this.queue.findIndex((q) => matches(q.match, method, route));
    if (index < 0) return undefined;
    const entry = this.queue[index];
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.queue = [];
  }

  get size(): number {
    return this.queue.length;
  }
}

function matches(match: FaultMatch, method: string, route: RouteKind): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== method.toUpperCase())
    return false;
  return match.path === undefined || match.path === 'any' || match.path === route;
}

const PRESETS: readonly SeguraErrorPreset[] = [
  'not-found',
  'unexpected',
  'not-authorized',
  'drop-failed',
  'client-auth',
  'invalid-signature',
  'no-route',
  'timeout-message',
  'legacy-short-envelope-error',
  'oauth-invalid-client',
];
const PATHS: readonly FaultPath[] = ['token', 'drop', 'list', 'get', 'any'];

function isStatus(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599;
}

/** Checks a fault (typed callers, or JSON from the control API); throws with a reason. */
export function validateFault(input: unknown): Fault {
  if (typeof input !== 'object' || input === null) throw new Error('fault must be an object');
  const f = input as Record<string, unknown>;
  switch (f.kind) {
    case 'latency':
      if (typeof f.ms !== 'number' || !(f.ms >= 0 && f.ms <= 2 ** 31 - 1))
        throw new Error('latency needs 0 <= ms < 2^31');
      return { kind: 'latency', ms: f.ms };
    case 'status':
      if (!isStatus(f.status) || typeof f.body !== 'string')
        throw new Error('status needs status (100-599) and body (string)');
      if (f.contentType !== undefined && typeof f.contentType !== 'string')
        throw new Error('contentType must be a string');
      return { kind: 'status', status: f.status, body: f.body, contentType: f.contentType };
    case 'preset':
      if (!PRESETS.includes(f.preset as SeguraErrorPreset))
        throw new Error(`preset must be one of ${PRESETS.join(', ')}`);
      return { kind: 'preset', preset: f.preset as SeguraErrorPreset };
    case 'html':
    case 'empty':
    case 'truncated':
      if (!isStatus(f.status)) throw new Error(`${f.kind} needs status (100-599)`);
      return { kind: f.kind, status: f.status };
    case 'reset':
    case 'hang':
      return { kind: f.kind };
    case 'rate-limited':
      // Any printable header value is allowed on purpose: the gateway must survive garbage.
      if (
        f.retryAfter !== undefined &&
        f.retryAfter !== null &&
        (typeof f.retryAfter !== 'string' || !/^[\x20-\x7E]*$/.test(f.retryAfter))
      )
        throw new Error('rate-limited: retryAfter must be a printable string or null');
      if (f.body !== undefined && f.body !== 'segura' && f.body !== 'empty')
        throw new Error('rate-limited: body must be segura or empty');
      return { kind: 'rate-limited', retryAfter: f.retryAfter, body: f.body };
    default:
      throw new Error('unknown fault kind');
  }
}

export function validateMatch(input: unknown): FaultMatch {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object') throw new Error('match must be an object');
  const m = input as Record<string, unknown>;
  if (m.method !== undefined && typeof m.method !== 'string')
    throw new Error('match.method must be a string');
  if (m.path !== undefined && !PATHS.includes(m.path as FaultPath))
    throw new Error(`match.path must be one of ${PATHS.join(', ')}`);
  return { method: m.method, path: m.path as FaultPath | undefined };
}

/** JSON has no Infinity: the control API accepts a number, "Infinity" or null (= Infinity). */
export function parseTimes(input: unknown): number {
  if (input === undefined) return 1;
  if (input === null || input === 'Infinity') return Infinity;
  if (typeof input === 'number' && input > 0) return input;
  throw new Error('times must be a positive number, "Infinity" or null');
}
