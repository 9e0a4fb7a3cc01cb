import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from 'pg';

/**
 * The machine's PostgreSQL for e2e tests, one throwaway schema per test or suite.
 *
 * Server: TEST_PG_URL when set, else postgres://postgres@127.0.0.1:5432/test, then the same
 * as user root (trust authentication on loopback). Code under test selects its schema with a
 * `?schema=NAME` URL parameter (see pgUrlForSchema); plain pg clients use searchPath below.
 *
 * PostgreSQL is mandatory: an unreachable server FAILS the suite, in CI and elsewhere.
 */
const CANDIDATES = process.env.TEST_PG_URL
  ? [process.env.TEST_PG_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

let probed: { url: string | null } | undefined;

/**
 * The first reachable server URL, or null. Synchronous (a short child process) so a test file
 * can decide how to declare its suite while jest collects tests.
 */
export function pgBaseUrl(): string | null {
  if (probed) return probed.url;
  const probe =
    "const {Client}=require('pg');const c=new Client({connectionString:process.argv[1]," +
    'connectionTimeoutMillis:3000});c.connect().then(()=>c.end()).then(()=>process.exit(0),' +
    '()=>process.exit(1));';
  const cwd = resolve(__dirname, '..', '..');
  const url =
    CANDIDATES.find(
      (u) => spawnSync(process.execPath, ['-e', probe, u], { cwd, timeout: 10_000 }).status === 0,
    ) ?? null;
  probed = { url };
  return url;
}

export function requirePgBaseUrl(): string {
  const url = pgBaseUrl();
  if (!url) throw new Error(`PostgreSQL is not reachable at ${CANDIDATES.join(' or ')}`);
  return url;
}

/** A schema name unique to this process and call: `<prefix>_<pid>_<random>`. */
export function uniqueSchemaName(prefix = 'test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The base URL with `?schema=NAME` added (code under test sets its search_path from it). */
export function pgUrlForSchema(schema: string, base: string = requirePgBaseUrl()): string {
  const u = new URL(base);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/** A connected admin client, optionally with its search_path set to `schema`. */
export async function pgClient(
  schema?: string,
  base: string = requirePgBaseUrl(),
): Promise<Client> {
  const client = new Client({ connectionString: base });
  await client.connect();
  if (schema) await client.query(`set search_path to "${schema}"`);
  return client;
}

/** Runs one statement as admin (in `schema` when given) and returns its rows. */
export async function pgQuery<R extends Record<string, unknown> = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
  schema?: string,
): Promise<R[]> {
  const client = await pgClient(schema);
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface PgSchema {
  schema: string;
  /** URL for code under test: base URL plus `?schema=`. */
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty schema; call drop() when done (safe to call more than once). */
export async function createPgSchema(prefix = 'test'): Promise<PgSchema> {
  const schema = uniqueSchemaName(prefix);
  await pgQuery(`create schema "${schema}"`);
  return {
    schema,
    url: pgUrlForSchema(schema),
    drop: async () => {
      await pgQuery(`drop schema if exists "${schema}" cascade`);
    },
  };
}

/** Runs `fn` with a fresh schema that is dropped afterwards, whatever happens. */
export async function withPgSchema<T>(
  fn: (s: PgSchema) => Promise<T>,
  prefix = 'test',
): Promise<T> {
  const s = await createPgSchema(prefix);
  try {
    return await fn(s);
  } finally {
    await s.drop();
  }
}

/**
 * describe() when PostgreSQL is reachable; otherwise one failing test naming the problem.
 * `npm test` needs this machine's PostgreSQL (README), in CI and on a developer's machine alike:
 * a suite that silently skips would let the PostgreSQL store go untested.
 */
export function describePg(name: string, fn: () => void): void {
  if (pgBaseUrl()) {
    describe(name, fn);
    return;
  }
  const why = `PostgreSQL is not reachable at ${CANDIDATES.join(' or ')}`;
  describe(name, () => {
    it('needs PostgreSQL (127.0.0.1:5432, trust auth, database test)', () => {
      throw new Error(why);
    });
  });
}
