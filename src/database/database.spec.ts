import Database from 'better-sqlite3';
import { withStatementCache } from './database';

describe('withStatementCache', () => {
  let conn: Database.Database;
  beforeEach(() => {
    conn = new Database(':memory:');
    conn.exec('create table t (x integer); insert into t values (1), (2), (3)');
  });
  afterEach(() => conn.close());

  it('hands out the same prepared statement for the same text', () => {
    const db = withStatementCache(conn);
    const a = db.prepare('select x from t');
    expect(db.prepare('select x from t')).toBe(a);
    expect(db.prepare('select x from t where x > 1')).not.toBe(a);
  });

  it('prepares a fresh statement while the cached one is still being iterated', () => {
    const db = withStatementCache(conn);
    const outer = db.prepare('select x from t') as Database.Statement;
    const seen: number[] = [];
    for (const row of outer.iterate() as Iterable<{ x: number }>) {
      const inner = db.prepare('select x from t') as Database.Statement;
      expect(inner).not.toBe(outer);
      seen.push(row.x, inner.all().length);
    }
    expect(seen).toEqual([1, 3, 2, 3, 3, 3]);
  });

  it('keeps only the most recently used texts', () => {
    const db = withStatementCache(conn, 2);
    const a = db.prepare('select 1');
    db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(a); // refreshed: now most recent
    db.prepare('select 3'); // evicts 'select 2'
    expect(db.prepare('select 1')).toBe(a);
    const b = db.prepare('select 2');
    expect(db.prepare('select 2')).toBe(b);
  });
});
