import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect, type SqliteDatabase } from 'kysely';
import { Pool, types as pgTypes, type CustomTypesConfig } from 'pg';

export type DatabaseDialect = 'sqlite' | 'postgres';

/**
 * The gateway's one open database (AUDIT_DATABASE_URL): the only code that knows which engine
 * sits behind it. Shared by the audit chain and the idempotency answers; each sees it through
 * its own table types (`db.withTables<…>()`), so neither can reach the other's tables by mistake.
 */
export interface Database {
  readonly dialect: DatabaseDialect;
  /** Typed with no tables: a user adds its own with `withTables`. */
  readonly db: Kysely<object>;
  /** Schema the migration bookkeeping lives in (PostgreSQL only). */
  readonly schema?: string;
  /**
   * SQLite files open for writing: the file and the connection settings, for a second
   * connection to the same file (the audit writer thread). Absent for PostgreSQL and `:memory:`.
   */
  readonly sqliteFile?: { path: string; pragmas: readonly string[] };
  /**
   * Runs `fn` in one transaction holding a write lock across processes; commits when it
   * resolves. PostgreSQL: the advisory lock `lockKey` (an int64 as text); SQLite: the database's
   * one write lock (`BEGIN IMMEDIATE`).
   */
  withWriteLock<T>(lockKey: string, fn: (trx: Kysely<object>) => Promise<T>): Promise<T>;
  /** Cheap proof that a row could be inserted into `table` now; writes nothing. */
  checkWritable(table: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Open without any possibility of writing (the verify CLI). */
  readOnly?: boolean;
  /** How long SQLite waits for another writer's lock before failing. */
  busyTimeoutMs?: number;
  /** Called with errors of idle PostgreSQL connections, which would otherwise crash the process. */
  onBackgroundError?: (err: Error) => void;
}

/** Opens `sqlite:<path>` or `postgres://…`; runs no migrations (database-migrations.ts does). */
export async function openDatabase(url: string, opts: DatabaseOptions = {}): Promise<Database> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), opts);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, opts);
  throw new Error('audit database URL must be sqlite:<path> or postgres://…');
}

function openSqlite(rawPath: string, opts: DatabaseOptions): Database {
  const path = rawPath.startsWith('//') ? rawPath.slice(2) : rawPath;
  const memory = path === ':memory:';
  const file = memory ? ':memory:' : resolve(process.cwd(), path);
  if (!memory && !opts.readOnly) mkdirSync(dirname(file), { recursive: true });
  const readonly = opts.readOnly ?? false;
  const conn = new Database(file, { readonly, fileMustExist: readonly });
  const busy = `busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`;
  // WAL lets readers proceed during a commit; FULL makes each commit survive power loss; the
  // temp store in memory spares a statement-journal file per multi-row insert. The writer
  // thread's connection gets the same settings (sqliteFile).
  const pragmas = readonly
    ? [busy]
    : [busy, 'journal_mode = WAL', 'synchronous = FULL', 'temp_store = MEMORY'];
  try {
    for (const p of pragmas) conn.pragma(p);
  } catch (err) {
    conn.close();
    throw err;
  }
  const db = new Kysely<object>({
    dialect: new SqliteDialect({ database: withStatementCache(conn) }),
  });
  return {
    dialect: 'sqlite',
    db,
    sqliteFile: memory || readonly ? undefined : { path: file, pragmas },
    // kysely's SQLite driver has one connection behind a mutex; holding it for the whole
    // transaction plus BEGIN IMMEDIATE (write lock up front) keeps other processes out too.
    withWriteLock: (_lockKey, fn) =>
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
      if (opts.readOnly) throw new Error('the database is open read-only');
      if (!memory) accessSync(file, fsConstants.W_OK);
      await db.connection().execute(async (c) => {
        await sql`begin immediate`.execute(c);
        await sql`rollback`.execute(c);
      });
    },
    close: () => db.destroy(),
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

async function openPostgres(url: string, opts: DatabaseOptions): Promise<Database> {
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
  const db = new Kysely<object>({
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
    withWriteLock: (lockKey, fn) =>
      db.transaction().execute(async (trx) => {
        if (!/^-?\d{1,19}$/.test(lockKey)) throw new Error('lock key must be an int64');
        await sql`select pg_advisory_xact_lock(${sql.raw(lockKey)})`.execute(trx);
        return fn(trx);
      }),
    checkWritable: async (table) => {
      // has_table_privilege fails when the table is gone (schema dropped, wrong search_path)
      // and is false when INSERT was revoked: both mean the next insert would fail.
      const r = await sql<{ ro: string; rec: boolean; ins: boolean }>`
        select current_setting('transaction_read_only') as ro, pg_is_in_recovery() as rec,
               has_table_privilege(${table}, 'INSERT') as ins`.execute(db);
      const row = r.rows[0];
      if (!row || row.ro !== 'off' || row.rec) throw new Error('the database is read-only');
      if (!row.ins) throw new Error(`table ${table} is not insertable`);
    },
    close: () => db.destroy(),
  };
}
