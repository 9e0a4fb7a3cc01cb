import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditDb } from '../audit-entry';
import type { AuditVerifyResult } from '../audit.types';
import { verifyChain } from '../chain-verifier';
import { listCheckpoints } from './checkpoint-dir';
import {
  checkpointName,
  keyFingerprint,
  parseCheckpoint,
  sha256Hex,
  signatureValid,
  type CheckpointFile,
} from './checkpoint-file';

export interface Checkpoint {
  name: string;
  file: CheckpointFile;
}

/** The first checkpoint the files or the chain contradict, and why. */
export interface Contradiction {
  name: string;
  problem: string;
}

export type CheckpointVerdict =
  | { ok: true; count: number; newest: Checkpoint | null }
  | { ok: false; contradicted: Contradiction };

/**
 * Reads the directory (before the chain, so a checkpoint written meanwhile covers entries the
 * chain read then holds), checks every file's signature and link to the one before it, then
 * walks the chain and checks that it still holds each checkpointed head with the same hash and
 * entry count. Reports the first checkpoint contradicted, in file order.
 */
export async function verifyWithCheckpoints(
  db: Kysely<AuditDb>,
  hmacKey: string | undefined,
  dir: string,
  publicKey: KeyObject,
): Promise<{ chain: AuditVerifyResult; checkpoints: CheckpointVerdict }> {
  const { good, bad } = await checkFiles(dir, publicKey);
  const bySeq = new Map(good.map((c, i) => [c.file.seq, i]));
  let firstChain: { index: number; problem: string } | null = null;
  let lastSeq = 0;
  const chain = await verifyChain(db, hmacKey, (seq, hash, count) => {
    lastSeq = seq;
    const i = bySeq.get(seq);
    if (i === undefined || firstChain) return;
    const c = good[i].file;
    if (hash !== c.hash) {
      firstChain = { index: i, problem: `the chain's entry ${seq} has another hash (rewritten)` };
    } else if (count !== c.entries) {
      firstChain = {
        index: i,
        problem: `the chain holds ${count} entries up to seq ${seq}, the checkpoint ${c.entries}`,
      };
    }
  });
  const found = firstChain as { index: number; problem: string } | null;
  if (found) return { chain, checkpoints: { ok: false, contradicted: at(good, found) } };
  const beyond = good.findIndex((c) => c.file.seq > lastSeq);
  if (beyond >= 0) {
    const seq = good[beyond].file.seq;
    const problem = chain.ok
      ? `the chain ends at seq ${lastSeq}; the checkpoint covers seq ${seq} (entries ${lastSeq + 1}..${seq} deleted)`
      : `the chain is broken at seq ${chain.firstBroken.seq}; the checkpoint covers seq ${seq}`;
    return {
      chain,
      checkpoints: { ok: false, contradicted: at(good, { index: beyond, problem }) },
    };
  }
  if (bad) return { chain, checkpoints: { ok: false, contradicted: bad } };
  return { chain, checkpoints: { ok: true, count: good.length, newest: good.at(-1) ?? null } };
}

const at = (good: Checkpoint[], f: { index: number; problem: string }): Contradiction => ({
  name: good[f.index].name,
  problem: f.problem,
});

/** The files that check out, in order, up to the first that does not (`bad`). */
async function checkFiles(
  dir: string,
  publicKey: KeyObject,
): Promise<{ good: Checkpoint[]; bad: Contradiction | null }> {
  const fingerprint = keyFingerprint(publicKey);
  const good: Checkpoint[] = [];
  let prevBytes: Buffer | null = null;
  for (const name of await listCheckpoints(dir)) {
    const bytes = await readFile(join(dir, name));
    const parsed = parseCheckpoint(bytes);
    const prev = good.at(-1) ?? null;
    const problem =
      typeof parsed === 'string'
        ? `is not a valid checkpoint: ${parsed}`
        : (fileProblem(name, parsed, fingerprint, publicKey) ??
          linkProblem(parsed, prev, prevBytes));
    if (problem !== null || typeof parsed === 'string') {
      return { good, bad: { name, problem: problem ?? 'is not a valid checkpoint' } };
    }
    good.push({ name, file: parsed });
    prevBytes = bytes;
  }
  return { good, bad: null };
}

function fileProblem(
  name: string,
  f: CheckpointFile,
  fingerprint: string,
  publicKey: KeyObject,
): string | null {
  if (f.key !== fingerprint) return `is signed by another key (${f.key}) (forged or edited)`;
  if (!signatureValid(f, publicKey)) return 'signature does not verify (forged or edited)';
  if (checkpointName(f.seq, f.time) !== name) {
    return 'its name does not match its signed seq and time (renamed)';
  }
  return null;
}

function linkProblem(
  f: CheckpointFile,
  prev: Checkpoint | null,
  prevBytes: Buffer | null,
): string | null {
  if (!prev || !prevBytes) {
    return f.prev === null ? null : `its previous checkpoint ${f.prev} is missing (removed)`;
  }
  if (f.prev !== prev.name) {
    return f.prev === null
      ? `it starts a new sequence after ${prev.name}`
      : `it follows ${f.prev}, which is missing (removed); the file before it is ${prev.name}`;
  }
  if (f.prevSha256 !== sha256Hex(prevBytes)) {
    return `the previous checkpoint ${prev.name} is not the file it signed (replaced)`;
  }
  // Not the time: it is the writing replica's clock, and replicas' clocks differ a little.
  if (f.seq <= prev.file.seq || f.entries <= prev.file.entries) {
    return `it does not come after ${prev.name} (seq or entries go backwards)`;
  }
  return null;
}
