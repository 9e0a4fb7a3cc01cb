import type { Kysely } from 'kysely';
import { digest, GENESIS_HASH, type HashAlgorithm } from './audit-hash';
import { canonicalEntry, type AuditDb, type ChainRow } from './audit-entry';
import { AUDIT_DECISIONS, AUDIT_OUTCOMES, type AuditVerifyResult } from './audit.types';

const PAGE = 1000;

/**
 * Walks the whole chain in seq order and reports the first entry that does not verify.
 * Detects an edited column (hash), a deleted, inserted or reordered entry (seq and prev_hash),
 * and an outcome that does not close exactly one earlier, open, allowed intent. Reads only.
 * Limit: without an external anchor, removing the newest entries leaves a shorter valid chain;
 * signed checkpoints (checkpoint/) and the JSON audit log lines shipped elsewhere are anchors.
 */
export async function verifyChain(
  db: Kysely<AuditDb>,
  hmacKey: string | undefined,
  /** Called with each entry that verified and the count so far (checkpoint-verifier.ts). */
  visit?: (seq: number, hash: string, count: number) => void,
): Promise<AuditVerifyResult> {
  let count = 0;
  let lastSeq = 0;
  let prevHash = GENESIS_HASH;
  // Allowed intents not closed yet; only these may be referenced by an outcome entry.
  const open = new Set<string>();
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = await db
      .selectFrom('audit_chain')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      const problem =
        linkProblem(row, seq, lastSeq, prevHash) ??
        hashProblem(row, hmacKey) ??
        shapeProblem(row, open);
      if (problem !== null) {
        const recordId = row.kind === 'outcome' && row.ref_id !== null ? row.ref_id : row.id;
        return { ok: false, count, firstBroken: { id: row.id, seq, problem, recordId } };
      }
      count += 1;
      visit?.(seq, row.hash, count);
      lastSeq = seq;
      prevHash = row.hash;
      after = seq;
    }
    if (rows.length < PAGE) return { ok: true, count };
  }
}

function linkProblem(row: ChainRow, seq: number, lastSeq: number, prevHash: string): string | null {
  if (seq !== lastSeq + 1) {
    return seq > lastSeq + 1
      ? `seq ${seq} follows ${lastSeq}: entries ${lastSeq + 1}..${seq - 1} are missing`
      : `seq ${seq} is out of order after ${lastSeq}`;
  }
  if (row.prev_hash !== prevHash) {
    return seq === 1
      ? 'prev_hash of the first entry is not the genesis value'
      : `prev_hash does not match the hash of entry ${lastSeq} (an entry was removed, inserted or reordered)`;
  }
  return null;
}

function hashProblem(row: ChainRow, hmacKey: string | undefined): string | null {
  const alg = row.alg as HashAlgorithm;
  if (alg !== 'hmac-sha256' && alg !== 'sha256') return `unknown hash algorithm "${row.alg}"`;
  if (alg === 'hmac-sha256' && !hmacKey) {
    return 'entry is HMAC-signed: set AUDIT_HMAC_KEY to verify it';
  }
  if (alg === 'sha256' && hmacKey) {
    // A keyless entry in a keyed chain is exactly what a forger without the key would write.
    return 'entry is not HMAC-signed although AUDIT_HMAC_KEY is set (forged, or written without the key)';
  }
  const expected = digest(canonicalEntry(row), alg, hmacKey);
  if (expected === row.hash) return null;
  return alg === 'hmac-sha256'
    ? 'hash mismatch (wrong AUDIT_HMAC_KEY or tampered)'
    : 'hash mismatch (entry was edited)';
}

function shapeProblem(row: ChainRow, open: Set<string>): string | null {
  if (row.kind === 'intent') {
    if (row.ref_id !== null || row.outcome !== null) return 'intent entry carries outcome fields';
    if (!(AUDIT_DECISIONS as readonly string[]).includes(row.decision ?? '')) {
      return `intent entry has an unknown decision "${row.decision}"`;
    }
    if (row.decision === 'allowed') open.add(row.id);
    return null;
  }
  if (row.kind === 'outcome') {
    if (row.ref_id === null || !open.has(row.ref_id)) {
      return `outcome entry refers to ${row.ref_id ?? 'nothing'}, which is not an earlier allowed record still open`;
    }
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(row.outcome ?? '')) {
      return `outcome entry has an unknown outcome "${row.outcome}"`;
    }
    if (row.decision !== null || row.action !== null) return 'outcome entry carries intent fields';
    open.delete(row.ref_id);
    return null;
  }
  return `unknown entry kind "${row.kind}"`;
}
