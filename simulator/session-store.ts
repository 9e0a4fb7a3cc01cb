/** The simulator's remote sessions, in list order, indexed by the hash drop takes. */
import { randomBytes } from 'node:crypto';
import { formatSeguraTime } from './segura-responses';
import type { SimSession } from './types';

const STRING_FIELDS = [
  'id',
  'sessionId',
  'user',
  'originIp',
  'credential',
  'device',
  'protocol',
  'proxy',
  'start',
  'end',
] as const;

export class SessionStore {
  private list: SimSession[] = [];
  private readonly byHash = new Map<string, SimSession>();

  /** Replaces everything (fields missing from a partial entry get defaults). */
  replace(sessions: readonly Partial<SimSession>[]): void {
    // Build aside first so a bad entry leaves the current sessions untouched.
    const next = new SessionStore();
    for (const s of sessions) next.add(s);
    this.list = next.list;
    this.byHash.clear();
    for (const s of this.list) this.byHash.set(s.sessionId, s);
  }

  /** Adds an active session with generated defaults; a duplicate session id is refused. */
  add(partial: Partial<SimSession> = {}): SimSession {
    const session = this.complete(partial);
    if (this.byHash.has(session.sessionId))
      throw new Error(`session ${session.sessionId} already exists`);
    this.list.push(session);
    this.byHash.set(session.sessionId, session);
    return { ...session };
  }

  find(sessionId: string): SimSession | undefined {
    return this.byHash.get(sessionId);
  }

  /** Copies, so callers cannot change the simulator's state behind its back. */
  all(): SimSession[] {
    return this.list.map((s) => ({ ...s }));
  }

  /** Live entries, read-only use (the list endpoint, without copying under load). */
  view(): readonly SimSession[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  private nextId(): string {
    let max = 0;
    for (const s of this.list) {
      const n = Number(s.id);
      if (Number.isInteger(n) && n > max) max = n;
    }
    return String(max + 1);
  }

  private complete(partial: Partial<SimSession>): SimSession {
    if (typeof partial !== 'object' || partial === null)
      throw new Error('session must be an object');
    for (const field of STRING_FIELDS) {
      const value = partial[field];
      if (value !== undefined && typeof value !== 'string')
        throw new Error(`${field} must be a string`);
    }
    if (partial.itsm !== undefined && partial.itsm !== null && typeof partial.itsm !== 'string')
      throw new Error('itsm must be a string or null');
    return {
      id: partial.id ?? this.nextId(),
      sessionId: partial.sessionId ?? randomBytes(20).toString('hex'),
      user: partial.user ?? 'admin-x',
      originIp: partial.originIp ?? '10.10.20.30',
      credential: partial.credential ?? 'root',
      device: partial.device ?? 'srv-app-01.corp.local:22',
      protocol: partial.protocol ?? 'ssh',
      proxy: partial.proxy ?? 'SSH Proxy',
      start: partial.start ?? formatSeguraTime(Date.now()),
      end: partial.end ?? '',
      itsm: partial.itsm ?? null,
    };
  }
}
