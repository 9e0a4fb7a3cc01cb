import type { AuditStore } from '../../../src/audit/audit-store';

/**
 * 'head' and 'refs' for what the chain writer reads (the chain head, the intents a batch closes);
 * any other statement as its SQL text.
 */
const kindOf = (sql: string): string =>
  /^select "seq", "hash" from "audit_chain" order by "seq" desc limit/.test(sql)
    ? 'head'
    : /^select \* from "audit_chain" where \("id" in .* or "ref_id" in /.test(sql)
      ? 'refs'
      : sql;

/**
 * Records the statements a SQLite store runs on its own connection, the one the main thread
 * uses (kysely's SQLite driver has exactly one connection object, reached here through its
 * executor); the writer thread's connection is not seen. jest.restoreAllMocks() stops it.
 */
export async function recordMainStatements(
  store: AuditStore,
): Promise<{ kinds(): string[]; clear(): void }> {
  const conn = await store.db.getExecutor().provideConnection(async (c) => c);
  const spy = jest.spyOn(conn, 'executeQuery');
  return {
    kinds: () => spy.mock.calls.map(([query]) => kindOf(query.sql)),
    clear: () => spy.mockClear(),
  };
}
