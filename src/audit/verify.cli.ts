/**
 * `npm run audit:verify` (or `node dist/audit/verify.cli.js`): checks the audit hash chain with
 * the gateway's own audit settings. Exit 0 intact, 1 broken (first broken entry printed),
 * 2 when the configuration is bad or the store cannot be opened. Opens the store read-only
 * and runs neither migrations nor recovery: verifying must never change what it verifies.
 */
import { loadAuditSettings } from '../config/audit-settings';
import { openDatabase, type Database } from '../database/database';
import type { AuditDb } from './audit-entry';
import { verifyChain } from './chain-verifier';

export async function runVerify(
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const loaded = loadAuditSettings(env);
  if (!loaded.ok) {
    for (const problem of loaded.errors) err(`audit:verify: ${problem}`);
    return 2;
  }
  const { databaseUrl, hmacKey } = loaded.settings;
  let store: Database;
  try {
    store = await openDatabase(databaseUrl, { readOnly: true });
  } catch (e) {
    // The URL may hold a password: the message names the variable, never its value.
    err(`audit:verify: cannot open the audit store named by AUDIT_DATABASE_URL: ${message(e)}`);
    return 2;
  }
  try {
    const result = await verifyChain(store.db.withTables<AuditDb>(), hmacKey);
    if (result.ok) {
      out(`audit chain intact: ${result.count} entries`);
      return 0;
    }
    const b = result.firstBroken;
    const record = b.recordId && b.recordId !== b.id ? ` of record ${b.recordId}` : '';
    out(`audit chain BROKEN at seq ${b.seq} (entry ${b.id}${record}): ${b.problem}`);
    out(`${result.count} entries before it verified`);
    return 1;
  } catch (e) {
    err(`audit:verify: cannot read the audit chain: ${message(e)}`);
    return 2;
  } finally {
    await store.close().catch(() => undefined);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

if (require.main === module) {
  // The one place outside src/config that hands the process environment to a config loader.
  runVerify(
    process.env,
    (line) => console.log(line),
    (line) => console.error(line),
  )
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e: unknown) => {
      console.error(`audit:verify: ${message(e)}`);
      process.exitCode = 2;
    });
}
