import { createHash } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect, type SqliteDatabase } from 'kysely';
import { Pool, types as pgTypes, type CustomTypesConfig } from 'pg';
import type { AuditDb } from './audit-entry';
import { SqliteAppendThread } from './sqlite-append-thread';

export type AuditDialect = 'sqlite' | 'postgres';

/** One open audit database: the only code that knows which engine sits behind it. */
export interface AuditStore {
  readonly dialect: AuditDialect;
  readonly db: Kysely<AuditDb>;
  /** Schema the migration bookkeeping lives in (PostgreSQL only). */
  readonly schema?: string;
  /** Runs `fn` in one transaction holding the chain's append lock; commits when it resolves. */
  withAppendLock<T>(fn: (trx: Kysely<AuditDb>) => Promise<T>): Promise<T>;
  /**
   * SQLite files only: commits appends from a worker thread, off the event loop
   * (sqlite-append-thread.ts). Absent for PostgreSQL (already asynchronous) and `:memory:`.
   */
  readonly appendThread?: SqliteAppendThread;
  /** Cheap proof that a write could be committed now; adds nothing to the chain. */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

export interface AuditStoreOptions {
  /** Open without any possibility of writing (the verify CLI). */
  readOnly?: boolean;
  /** How long SQLite waits for another writer's lock before failing. */
  busyTimeoutMs?: number;
  /** Called with errors of idle PostgreSQL connections, which would otherwise crash the process. */
  onBackgroundError?: (err: Error) => void;
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

export async function openAuditStore(
  url: string,
  opts: AuditStoreOptions = {},
): Promise<AuditStore> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), opts);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, opts);
  throw new Error('audit database URL must be sqlite:<path> or postgres://…');
}

function openSqlite(rawPath: string, opts: AuditStoreOptions): AuditStore {
  const path = rawPath.startsWith('//') ? rawPath.slice(2) : rawPath;
  const memory = path === ':memory:';
  const file = memory ? ':memory:' : resolve(process.cwd(), path);
  if (!memory && !opts.readOnly) mkdirSync(dirname(file), { recursive: true });
  const readonly = opts.readOnly ?? false;
  const conn = new Database(file, { readonly, fileMustExist: readonly });
  const busy = `busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`;
  // WAL lets readers proceed during a commit; FULL makes each commit survive power loss; the
  // temp store in memory spares a statement-journal file per multi-row insert. The writer
  // thread's connection gets the same settings.
  const pragmas = readonly
    ? [busy]
    : [busy, 'journal_mode = WAL', 'synchronous = FULL', 'temp_store = MEMORY'];
  try {
    for (const p of pragmas) conn.pragma(p);
  } catch (err) {
    conn.close();
    throw err;
  }
  const appendThread = memory || readonly ? undefined : new SqliteAppendThread(file, pragmas);
  const db = new Kysely<AuditDb>({
    dialect: new SqliteDialect({ database: withStatementCache(conn) }),
  });
  return {
    dialect: 'sqlite',
    db,
    appendThread,
    // kysely's SQLite driver has one connection behind a mutex; holding it for the whole
    // transaction plus BEGIN IMMEDIATE (write lock up front) keeps other processes out too.
    withAppendLock: (fn) =>
      db.connection().execute(async (c) => {
        await sql`begin immediate`.execute(c);
        try {
          const result = await fn(c);
          await sql`commit`.execute(c);
          return result;
        } catch (err) {
          await sql`rollback`.execute(c).catch(() => undefined);
          throw err;
        }
      }),
    checkWritable: async () => {
      if (opts.readOnly) throw new Error('audit store is open read-only');
      if (!memory) accessSync(file, fsConstants.W_OK);
      await db.connection().execute(async (c) => {
        await sql`begin immediate`.execute(c);
        await sql`rollback`.execute(c);
      });
    },
    close: async () => {
      await appendThread?.close();
      await db.destroy();
    },
  };
}

/** Most distinct SQL texts kept prepared; batch inserts of different sizes are distinct texts. */
export const STATEMENT_CACHE_SIZE = 64;

/**
 * kysely's SQLite driver prepares every statement anew (SQLite parses and compiles it each
 * time); the few statements of an append run thousands of times a second. Keeps the most
 * recently used ones prepared. A statement still being iterated (busy) is never handed out twice.
 */
export function withStatementCache(
  conn: Database.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => conn.close(),
    prepare(text: string) {
      const cached = cache.get(text);
      cache.delete(text);
      const stmt = cached && !cached.busy ? cached : conn.prepare(text);
      cache.set(text, stmt);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

// bigint (int8) arrives as a string by default; seq and counts fit a JS number comfortably.
const int8AsNumber: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === 20
      ? (v: string) => Number(v)
      : (pgTypes.getTypeParser(oid, format) as unknown)) as CustomTypesConfig['getTypeParser'],
};

async function openPostgres(url: string, opts: AuditStoreOptions): Promise<AuditStore> {
  const parsed = new URL(url);
  const requested = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (requested !== null && !SCHEMA_NAME.test(requested)) {
    throw new Error('audit database URL: schema must be a plain identifier');
  }
  const pool = new Pool({
    connectionString: parsed.toString(),
    max: 10,
    connectionTimeoutMillis: 5000,
    // Fail closed rather than hang a termination when the database stops answering.
    statement_timeout: 15000,
    types: int8AsNumber,
  });
  pool.on('error', (err) => opts.onBackgroundError?.(err));
  // pg-pool only listens for errors of idle clients. A connection that drops while checked out
  // (a query in flight, database restarted or unreachable) makes its client emit 'error' with
  // no listener: an uncaught exception that would crash the gateway. The query itself already
  // fails (AUDIT_UNAVAILABLE) and the pool discards the client on release; here it is logged.
  pool.on('connect', (client) => {
    client.on('error', (err) => opts.onBackgroundError?.(err));
  });
  const db = new Kysely<AuditDb>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (conn) => {
        if (requested)
          await conn.executeQuery(sql`set search_path to ${sql.id(requested)}`.compile(db));
        if (opts.readOnly) {
          await conn.executeQuery(
            sql`set session characteristics as transaction read only`.compile(db),
          );
        }
      },
    }),
  });
  let schema: string;
  try {
    const row = await sql<{ s: string | null }>`select current_schema() as s`.execute(db);
    schema = requested ?? row.rows[0]?.s ?? 'public';
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return {
    dialect: 'postgres',
    db,
    schema,
    withAppendLock: (fn) =>
      db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${sql.raw(APPEND_LOCK_KEY)})`.execute(trx);
        return fn(trx);
      }),
    checkWritable: async () => {
      // has_table_privilege fails when the table is gone (schema dropped, wrong search_path)
      // and is false when INSERT was revoked: both mean the next append would fail.
      const r = await sql<{ ro: string; rec: boolean; ins: boolean }>`
        select current_setting('transaction_read_only') as ro, pg_is_in_recovery() as rec,
               has_table_privilege('audit_chain', 'INSERT') as ins`.execute(db);
      const row = r.rows[0];
      if (!row || row.ro !== 'off' || row.rec) throw new Error('audit database is read-only');
      if (!row.ins) throw new Error('audit table is not insertable');
    },
    close: () => db.destroy(),
  };
}
