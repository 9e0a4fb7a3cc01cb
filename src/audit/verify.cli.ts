/**
 * `npm run audit:verify` (or `node dist/audit/verify.cli.js`): checks the audit hash chain with
 * the gateway's own audit settings. Exit 0 intact, 1 broken (first broken entry printed),
 * 2 when the configuration is bad or the store cannot be opened. Opens the store read-only
 * and runs neither migrations nor recovery: verifying must never change what it verifies.
 *
 * `--checkpoints DIR --public-key FILE` also checks the signed checkpoints (exit 1 naming the
 * first one contradicted); `public-key` prints the public half of AUDIT_CHECKPOINT_KEY.
 */
import { loadAuditSettings } from '../config/audit-settings';
import { loadCheckpointKey } from '../config/checkpoint-settings';
import { openDatabase, type Database } from '../database/database';
import type { AuditDb } from './audit-entry';
import type { AuditVerifyResult } from './audit.types';
import { verifyChain } from './chain-verifier';
import { describeVerdict, parseCommand, USAGE } from './checkpoint/checkpoint-cli';
import { publicKeyPem } from './checkpoint/checkpoint-file';
import { verifyWithCheckpoints, type CheckpointVerdict } from './checkpoint/checkpoint-verifier';

export async function runVerify(
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  err: (line: string) => void,
  argv: string[] = [],
): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === 'usage') {
    for (const problem of command.problems) err(`audit:verify: ${problem}`);
    for (const line of USAGE) err(line);
    return 2;
  }
  if (command.kind === 'public-key') {
    const key = loadCheckpointKey(env);
    if (!key.ok) {
      for (const problem of key.errors) err(`audit:verify: ${problem}`);
      return 2;
    }
    out(publicKeyPem(key.key).trimEnd());
    return 0;
  }
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
  const cp = command.checkpoints;
  let result: AuditVerifyResult;
  let verdict: CheckpointVerdict | undefined;
  try {
    const db = store.db.withTables<AuditDb>();
    if (cp) {
      ({ chain: result, checkpoints: verdict } = await verifyWithCheckpoints(
        db,
        hmacKey,
        cp.dir,
        cp.publicKey,
      ));
    } else {
      result = await verifyChain(db, hmacKey);
    }
  } catch (e) {
    err(`audit:verify: cannot read the audit chain or the checkpoints: ${message(e)}`);
    return 2;
  } finally {
    await store.close().catch(() => undefined);
  }
  if (result.ok) {
    out(`audit chain intact: ${result.count} entries`);
  } else {
    const b = result.firstBroken;
    const record = b.recordId && b.recordId !== b.id ? ` of record ${b.recordId}` : '';
    out(`audit chain BROKEN at seq ${b.seq} (entry ${b.id}${record}): ${b.problem}`);
    out(`${result.count} entries before it verified`);
  }
  if (!verdict || !cp || (!result.ok && verdict.ok)) return result.ok ? 0 : 1;
  const described = describeVerdict(verdict, cp.dir, result.count);
  for (const line of described.lines) out(line);
  return result.ok && described.ok ? 0 : 1;
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
    process.argv.slice(2),
  )
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e: unknown) => {
      console.error(`audit:verify: ${message(e)}`);
      process.exitCode = 2;
    });
}
