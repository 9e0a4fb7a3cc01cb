import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { APP_CONFIG, AppConfig } from '../config';
import { GatewayDatabase } from '../database/gateway-database';
import { GatewayError } from '../errors';
import { SharedCache } from '../redis/shared-cache';

/** Row of `idempotency_keys` (migration 0003); a cache of answers, not an audit record. */
interface IdempotencyRow {
  principal: string;
  key: string;
  fingerprint: string;
  state: string;
  response: string | null;
  created_at: string;
  expires_at: string;
}
type IdempotencyDb = { idempotency_keys: IdempotencyRow };

export type Reservation =
  | { kind: 'reserved' }
  | { kind: 'replay'; response: unknown }
  | { kind: 'mismatch' }
  | { kind: 'pending' };

/**
 * A reservation older than this is taken to be left by a crashed replica and may be taken over.
 * Longer than any single termination; a retry after it at worst drops again, which Segura
 * refuses for an ended session and the gateway then verifies (alreadyEnded).
 */
export const PENDING_LEASE_MS = 15 * 60_000;
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Idempotency answers in the gateway database (authoritative, so they hold across replicas and
 * restarts), with Redis in front when configured (fast shared reads).
 */
@Injectable()
export class IdempotencyRepository implements OnModuleInit {
  private readonly logger = new Logger('Idempotency');
  private readonly ttlMs: number;
  private lastSweep = 0;
  /** Typed for this one table only, so this code cannot reach the audit chain by mistake. */
  private db: Kysely<IdempotencyDb> | null = null;

  constructor(
    private readonly database: GatewayDatabase,
    private readonly shared: SharedCache,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'sessions'>,
  ) {
    this.ttlMs = config.sessions.idempotencyTtlHours * 3_600_000;
  }

  async onModuleInit(): Promise<void> {
    this.db = (await this.database.open()).db.withTables<IdempotencyDb>();
  }

  /** Reserves the key for this request (insert-if-absent), or says what holds it. */
  async reserve(principal: string, key: string, fingerprint: string): Promise<Reservation> {
    const cached = await this.shared.get(sharedKey(principal, key));
    if (cached !== null) {
      const hit = parseCached(cached);
      if (hit) {
        return hit.fingerprint === fingerprint
          ? { kind: 'replay', response: hit.response }
          : { kind: 'mismatch' };
      }
    }
    return this.guarded(async (db) => {
      this.sweep(db);
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = new Date();
        const inserted = await db
          .insertInto('idempotency_keys')
          .values({
            principal,
            key,
            fingerprint,
            state: 'pending',
            response: null,
            created_at: now.toISOString(),
            expires_at: new Date(now.getTime() + this.ttlMs).toISOString(),
          })
          .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
          .returning('key')
          .executeTakeFirst();
        if (inserted) return { kind: 'reserved' };
        const row = await db
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('principal', '=', principal)
          .where('key', '=', key)
          .executeTakeFirst();
        if (!row) continue; // released meanwhile: try again
        const abandoned =
          row.state === 'pending' && Date.parse(row.created_at) + PENDING_LEASE_MS < now.getTime();
        if (row.expires_at <= now.toISOString() || abandoned) {
          // Compare-and-delete: only the row we looked at, never a newer reservation.
          await db
            .deleteFrom('idempotency_keys')
            .where('principal', '=', principal)
            .where('key', '=', key)
            .where('created_at', '=', row.created_at)
            .execute();
          continue;
        }
        if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
        if (row.state === 'done' && row.response !== null) {
          return { kind: 'replay', response: JSON.parse(row.response) as unknown };
        }
        return { kind: 'pending' };
      }
      return { kind: 'pending' };
    });
  }

  /** Stores the answer of a reserved key. */
  async complete(
    principal: string,
    key: string,
    fingerprint: string,
    response: unknown,
  ): Promise<void> {
    const json = JSON.stringify(response);
    const row = await this.guarded((db) =>
      db
        .updateTable('idempotency_keys')
        .set({ state: 'done', response: json })
        .where('principal', '=', principal)
        .where('key', '=', key)
        .where('fingerprint', '=', fingerprint)
        .returning('expires_at')
        .executeTakeFirst(),
    );
    const ttl = row ? Date.parse(row.expires_at) - Date.now() : 0;
    await this.shared.set(
      sharedKey(principal, key),
      JSON.stringify({ fingerprint, response }),
      ttl,
    );
  }

  /** Frees a reservation whose request failed, so a retry with the same key runs again. */
  async release(principal: string, key: string): Promise<void> {
    await this.guarded((db) =>
      db
        .deleteFrom('idempotency_keys')
        .where('principal', '=', principal)
        .where('key', '=', key)
        .where('state', '=', 'pending')
        .execute(),
    );
  }

  private async guarded<T>(fn: (db: Kysely<IdempotencyDb>) => Promise<T>): Promise<T> {
    try {
      if (!this.db) throw new Error('the database is not open');
      return await fn(this.db);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      this.logger.error(
        `idempotency store failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      throw new GatewayError(
        'AUDIT_UNAVAILABLE',
        'The idempotency record cannot be read or written; nothing was forwarded',
        { cause: err },
      );
    }
  }

  /** Expired answers are deleted now and then, by whichever replica notices first. */
  private sweep(db: Kysely<IdempotencyDb>): void {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    db.deleteFrom('idempotency_keys')
      .where('expires_at', '<', new Date().toISOString())
      .execute()
      .catch((err: unknown) =>
        this.logger.warn(`sweeping expired idempotency keys failed: ${String(err)}`),
      );
  }
}

// Hashed: principal ids and keys may hold any printable character.
function sharedKey(principal: string, key: string): string {
  return `idem:${createHash('sha256').update(`${principal}\n${key}`).digest('hex')}`;
}

function parseCached(raw: string): { fingerprint: string; response: unknown } | null {
  try {
    const v = JSON.parse(raw) as { fingerprint?: unknown; response?: unknown };
    return typeof v.fingerprint === 'string' && v.response !== undefined
      ? { fingerprint: v.fingerprint, response: v.response }
      : null;
  } catch {
    return null;
  }
}
