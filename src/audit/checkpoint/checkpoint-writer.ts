import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AuditDb } from '../audit-entry';
import type { AuditStore } from '../audit-store';
import { readNewest, writeOnce, type StoredCheckpoint } from './checkpoint-dir';
import {
  CHECKPOINT_FORMAT,
  checkpointName,
  keyFingerprint,
  parseCheckpoint,
  sha256Hex,
  signatureValid,
  signCheckpoint,
  type CheckpointBody,
  type CheckpointFile,
} from './checkpoint-file';

/**
 * Replicas on PostgreSQL take this transaction-scoped advisory lock around "read the newest
 * checkpoint and the head, write the next one", so the shared directory gets one sequence.
 * Its own key, not the chain's append lock: terminations never wait for a slow directory.
 */
export const CHECKPOINT_LOCK_KEY = createHash('sha256')
  .update('pam-gateway audit checkpoint')
  .digest()
  .readBigInt64BE(0)
  .toString();

export interface CheckpointTarget {
  store: Pick<AuditStore, 'dialect' | 'db'>;
  key: KeyObject;
  dir: string;
}

export type CheckpointResult =
  | { written: true; name: string; body: CheckpointBody }
  | { written: false; reason: string; newest: CheckpointFile | null; problem?: boolean };

/**
 * Writes the next checkpoint unless the head has not moved since the newest one in the
 * directory, or (`minAgeMs`) that one is younger than this: another replica wrote it for this
 * interval. `problem` marks a skip an operator must look at (the chain disagrees with the
 * newest checkpoint). Throws when the directory or the database fails.
 */
export async function writeCheckpoint(
  t: CheckpointTarget,
  minAgeMs: number,
  now: () => Date = () => new Date(),
): Promise<CheckpointResult> {
  return withCheckpointLock(t.store, async (db) => {
    const stored = await readNewest(t.dir);
    const newest = stored ? trusted(stored, t.key) : null;
    const since = await chainSince(db, newest);
    if (typeof since === 'string') {
      return { written: false, reason: `${since} (${stored?.name})`, newest, problem: true };
    }
    if (!since) {
      const reason = newest ? 'the head has not moved' : 'the chain is empty';
      return { written: false, reason, newest };
    }
    const time = now();
    if (newest && time.getTime() - Date.parse(newest.time) < minAgeMs) {
      return { written: false, reason: 'a checkpoint was written this interval', newest };
    }
    const { seq } = since;
    const body: CheckpointBody = {
      format: CHECKPOINT_FORMAT,
      seq,
      hash: since.hash,
      entries: (newest?.entries ?? 0) + since.added,
      time: time.toISOString(),
      prev: stored?.name ?? null,
      prevSha256: stored ? sha256Hex(stored.bytes) : null,
      key: keyFingerprint(t.key),
    };
    const name = checkpointName(seq, body.time);
    if (!(await writeOnce(t.dir, name, signCheckpoint(body, t.key)))) {
      return { written: false, reason: `${name} exists already`, newest };
    }
    return { written: true, name, body };
  });
}

/** The newest checkpoint, if it is one this key signed: the next one must not vouch for a forgery. */
function trusted(stored: StoredCheckpoint, key: KeyObject): CheckpointFile {
  const parsed = parseCheckpoint(stored.bytes);
  const problem =
    typeof parsed === 'string'
      ? parsed
      : signatureValid(parsed, createPublicKey(key))
        ? null
        : 'does not carry a valid signature by AUDIT_CHECKPOINT_KEY';
  if (problem !== null || typeof parsed === 'string') {
    throw new Error(`the newest checkpoint ${stored.name} ${problem}: not linking to it`);
  }
  return parsed;
}

/**
 * The head and the number of entries after the newest checkpoint's head (null: none), once the
 * chain is seen to still hold that head with its hash; a string says how it does not.
 */
async function chainSince(
  db: Kysely<AuditDb>,
  newest: CheckpointFile | null,
): Promise<{ seq: number; hash: string; added: number } | null | string> {
  if (newest) {
    const at = await hashAt(db, newest.seq);
    if (at === undefined) return `the chain no longer holds entry ${newest.seq}, the newest head`;
    if (at !== newest.hash)
      return `the chain's entry ${newest.seq} has another hash than the newest head`;
  }
  // One statement, so the head and the count agree.
  const tail = await db
    .selectFrom('audit_chain')
    .select((eb) => [eb.fn.max('seq').as('seq'), eb.fn.countAll<number | string>().as('n')])
    .where('seq', '>', newest?.seq ?? 0)
    .executeTakeFirstOrThrow();
  if (tail.seq === null) return null;
  const seq = Number(tail.seq);
  const hash = await hashAt(db, seq);
  if (hash === undefined) throw new Error(`the chain head ${seq} vanished while being read`);
  return { seq, hash, added: Number(tail.n) };
}

async function hashAt(db: Kysely<AuditDb>, seq: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('audit_chain')
    .select('hash')
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row?.hash;
}

/**
 * PostgreSQL: one transaction holding CHECKPOINT_LOCK_KEY (released at commit or rollback,
 * also when the connection drops). SQLite has one gateway process per file; the service runs
 * one checkpoint at a time.
 */
function withCheckpointLock<T>(
  store: Pick<AuditStore, 'dialect' | 'db'>,
  fn: (db: Kysely<AuditDb>) => Promise<T>,
): Promise<T> {
  if (store.dialect === 'sqlite') return fn(store.db);
  return store.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.raw(CHECKPOINT_LOCK_KEY)})`.execute(trx);
    return fn(trx);
  });
}
