import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPgSchema, pgQuery, type PgSchema } from '../../support/postgres';

/**
 * One audit store engine for the shared suites: fresh stores, and raw SQL straight at the
 * database (the "attacker" with database access, bypassing the service).
 */
export interface StoreTarget {
  name: 'sqlite' | 'postgres';
  /** URL of a new, empty store. */
  freshUrl(): Promise<string>;
  /** Runs one statement with `?` placeholders against the store at `url`. */
  sql(url: string, text: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Removes the append-only triggers, as a database owner could. */
  dropGuards(url: string): Promise<void>;
  cleanup(): Promise<void>;
}

export function sqliteTarget(): StoreTarget {
  const dirs: string[] = [];
  const file = (url: string) => url.slice('sqlite:'.length);
  return {
    name: 'sqlite',
    freshUrl: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'audit-test-'));
      dirs.push(dir);
      return `sqlite:${join(dir, 'audit.db')}`;
    },
    sql: async (url, text, params = []) => {
      const db = new Database(file(url));
      try {
        const stmt = db.prepare(text);
        if (stmt.reader) return stmt.all(...params) as Array<Record<string, unknown>>;
        stmt.run(...params);
        return [];
      } finally {
        db.close();
      }
    },
    dropGuards: async (url) => {
      const db = new Database(file(url));
      db.exec('drop trigger audit_chain_no_update; drop trigger audit_chain_no_delete;');
      db.close();
    },
    cleanup: async () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresTarget(): StoreTarget {
  const schemas: PgSchema[] = [];
  const schemaOf = (url: string) => new URL(url).searchParams.get('schema') ?? undefined;
  return {
    name: 'postgres',
    freshUrl: async () => {
      const s = await createPgSchema('audit_test');
      schemas.push(s);
      return s.url;
    },
    sql: async (url, text, params = []) => {
      let n = 0;
      return pgQuery(
        text.replace(/\?/g, () => `$${++n}`),
        params,
        schemaOf(url),
      );
    },
    dropGuards: async (url) => {
      await pgQuery('alter table audit_chain disable trigger user', [], schemaOf(url));
    },
    cleanup: async () => {
      for (const s of schemas.splice(0)) await s.drop();
    },
  };
}
