import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, DatabaseDialect } from '../database/database';
import type { AuditDb } from './audit-entry';
import { SqliteAppendThread } from './sqlite-append-thread';

/**
 * The audit chain's view of the gateway database: its own table typed, the chain's append
 * lock, and on a SQLite file the writer thread.
 */
export interface AuditStore {
  readonly dialect: DatabaseDialect;
  readonly db: Kysely<AuditDb>;
  /** Runs `fn` in one transaction holding the chain's append lock; commits when it resolves. */
  withAppendLock<T>(fn: (trx: Kysely<AuditDb>) => Promise<T>): Promise<T>;
  /**
   * SQLite files only: commits appends from a worker thread, off the event loop
   * (sqlite-append-thread.ts). Absent for PostgreSQL (already asynchronous) and `:memory:`.
   */
  readonly appendThread?: SqliteAppendThread;
  /** Cheap proof that an append could be committed now; adds nothing to the chain. */
  checkWritable(): Promise<void>;
  /** Ends the writer thread; the database itself is closed by its owner (GatewayDatabase). */
  close(): Promise<void>;
}

/**
 * Every replica takes this transaction-scoped advisory lock before reading the chain head, so
 * appends from several gateways stay one line. Derived from a fixed label: a stable int64.
 */
export const APPEND_LOCK_KEY = createHash('sha256')
  .update('pam-gateway audit chain append')
  .digest()
  .readBigInt64BE(0)
  .toString();

/** The audit chain on an open, migrated database. */
export function auditStoreOn(database: Database): AuditStore {
  const file = database.sqliteFile;
  const appendThread = file ? new SqliteAppendThread(file.path, file.pragmas) : undefined;
  return {
    dialect: database.dialect,
    db: database.db.withTables<AuditDb>(),
    appendThread,
    withAppendLock: (fn) =>
      database.withWriteLock(APPEND_LOCK_KEY, (trx) => fn(trx.withTables<AuditDb>())),
    checkWritable: () => database.checkWritable('audit_chain'),
    close: async () => {
      await appendThread?.close();
    },
  };
}
