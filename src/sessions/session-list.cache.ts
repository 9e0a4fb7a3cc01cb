import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig, SessionsSettings } from '../config';
import { PamCoreClient, type RemoteSession } from '../pam-core';
import { parseSharedList } from '../pam-core/session-list-thread';
import { SharedCache } from '../redis/shared-cache';
import { type MatchKeys, matchKeysOf } from './session-match';

/**
 * A list as fetched from Segura, sorted in listing order; `fetchedAt` is when its answer arrived
 * (epoch ms); `keys` are its precomputed filter fields (session-match.ts).
 */
interface Fetched {
  sessions: RemoteSession[];
  keys: MatchKeys;
  fetchedAt: number;
}

/** What readers get: the list, when it was fetched, and whether it is older than the TTL. */
export interface SessionSnapshot extends Fetched {
  stale: boolean;
  ageSeconds: number;
}

const SHARED_KEY = 'sessions:list';

/**
 * Segura's session list, which its documentation warns can be huge and take minutes.
 *
 * - Fresh for SESSIONS_CACHE_TTL_MS; a read past half the TTL starts a refresh in the
 *   background, so steady readers rarely wait.
 * - Single flight: one upstream call per replica at a time, however many readers.
 * - Stale while slow or failing: past the TTL a reader waits SESSIONS_REFRESH_WAIT_MS for the
 *   refresh, then gets the last good list marked stale (up to SESSIONS_CACHE_STALE_MAX_MS old);
 *   with no usable list it waits for Segura (bounded by PAM_CORE_TIMEOUT_MS) and gets its error.
 * - With REDIS_URL the last good list is shared, so one replica's fetch serves the others. No
 *   cross-replica lock: at worst each replica fetches once per TTL.
 * - Off the event loop: Segura's body, and the copy read from Redis, are parsed, normalised,
 *   sorted and serialised in a thread (session-list-thread.ts); here only the chunks arrive.
 */
@Injectable()
export class SessionListCache {
  private readonly logger = new Logger('SessionListCache');
  private readonly settings: SessionsSettings;
  private last: Fetched | null = null;
  private inflight: Promise<Fetched> | null = null;
  private sharedRead: Promise<Fetched | null> | null = null;

  constructor(
    private readonly pamCore: PamCoreClient,
    private readonly shared: SharedCache,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'sessions'>,
  ) {
    this.settings = config.sessions;
  }

  /** For readers: a fresh list when possible, else the last good one marked stale. */
  async read(): Promise<SessionSnapshot> {
    let last = this.last;
    if (!this.isFresh(last)) {
      const shared = await this.readShared();
      if (shared && (!last || shared.fetchedAt > last.fetchedAt)) this.last = last = shared;
    }
    if (last && this.isFresh(last)) {
      if (Date.now() - last.fetchedAt >= this.settings.cacheTtlMs / 2) this.refreshInBackground();
      return snapshot(last, false);
    }
    const refresh = this.refresh();
    if (last && Date.now() - last.fetchedAt <= this.settings.cacheStaleMaxMs) {
      const fresh = await settledWithin(refresh, this.settings.refreshWaitMs);
      return fresh ? snapshot(fresh, false) : snapshot(last, true);
    }
    return snapshot(await refresh, false);
  }

  /**
   * A list fetched now (joining a fetch already in flight), never the cache: bulk dry runs and
   * real runs both act on this, so a dry run shows exactly what a real run would end.
   */
  async fresh(): Promise<SessionSnapshot> {
    return snapshot(await this.refresh(), false);
  }

  private isFresh(f: Fetched | null): boolean {
    return f !== null && Date.now() - f.fetchedAt < this.settings.cacheTtlMs;
  }

  private refresh(): Promise<Fetched> {
    if (!this.inflight) {
      const p = this.fetch().finally(() => {
        this.inflight = null;
      });
      // Logged once per failed fetch, however many readers shared it.
      p.catch((err: unknown) => this.logger.warn(`session list refresh failed: ${text(err)}`));
      this.inflight = p;
    }
    return this.inflight;
  }

  private refreshInBackground(): void {
    this.refresh().catch(() => undefined); // logged in refresh()
  }

  private async fetch(): Promise<Fetched> {
    const list = await this.pamCore.fetchSessionList({
      sort: true,
      serialise: this.shared.enabled,
    });
    const { sessions, fetchedAt } = list;
    const fetched = { sessions, keys: await matchKeysOf(sessions), fetchedAt };
    if (!this.last || fetchedAt >= this.last.fetchedAt) this.last = fetched;
    if (list.serialised !== undefined) {
      // `{fetchedAt, sessions}` as JSON, made by the list thread.
      const keepMs = Math.max(this.settings.cacheTtlMs, this.settings.cacheStaleMaxMs);
      await this.shared.set(SHARED_KEY, list.serialised, keepMs);
    }
    return fetched;
  }

  /** Another replica's list from Redis; concurrent readers share one GET and one parse. */
  private readShared(): Promise<Fetched | null> {
    if (!this.shared.enabled) return Promise.resolve(null);
    this.sharedRead ??= this.shared
      .getBytes(SHARED_KEY)
      .then((raw) => (raw === null ? null : this.parseShared(raw)))
      .finally(() => {
        this.sharedRead = null;
      });
    return this.sharedRead;
  }

  private async parseShared(raw: Buffer): Promise<Fetched | null> {
    try {
      const list = await parseSharedList(raw);
      return list && { ...list, keys: await matchKeysOf(list.sessions) };
    } catch (err) {
      this.logger.warn(`shared session list unreadable: ${text(err)}`);
      return null;
    }
  }
}

function snapshot(f: Fetched, stale: boolean): SessionSnapshot {
  const ageSeconds = Math.max(0, Math.floor((Date.now() - f.fetchedAt) / 1000));
  return { sessions: f.sessions, keys: f.keys, fetchedAt: f.fetchedAt, stale, ageSeconds };
}

/** Resolves the promise's value if it settles successfully within `ms`, else null. */
function settledWithin<T>(p: Promise<T>, ms: number) {
  return new Promise<T | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
