import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../audit-hash';

/** The `format` of every checkpoint this gateway writes; part of the signed text. */
export const CHECKPOINT_FORMAT = 'pam-gateway-audit-checkpoint/1';

/** checkpoint-<head seq, 16 digits>-<UTC time, basic ISO 8601 with ms>.json: sorts by seq. */
export const CHECKPOINT_NAME = /^checkpoint-(\d{16})-(\d{8}T\d{9}Z)\.json$/;

/** What a checkpoint states; every field is signed (docs/audit-record.md, "Checkpoints"). */
export interface CheckpointBody {
  format: typeof CHECKPOINT_FORMAT;
  /** The chain head when it was written: seq and hash of the newest entry. */
  seq: number;
  hash: string;
  /** Entries the chain held up to and including `seq`. */
  entries: number;
  /** When it was written, ISO 8601 UTC. */
  time: string;
  /** The previous checkpoint's file name and the SHA-256 (hex) of its bytes; null for the first. */
  prev: string | null;
  prevSha256: string | null;
  /** sha256:<hex of the SPKI DER> of the signing key's public half. */
  key: string;
}

export interface CheckpointFile extends CheckpointBody {
  /** Ed25519 signature (base64) over signedText(body). */
  signature: string;
}

export const sha256Hex = (bytes: Buffer | string): string =>
  createHash('sha256').update(bytes).digest('hex');

/** The file name for a checkpoint of head `seq` written at `time` (ISO 8601). */
export function checkpointName(seq: number, time: string): string {
  const compact = time.replace(/[-:.]/g, '');
  return `checkpoint-${String(seq).padStart(16, '0')}-${compact}.json`;
}

/** The exact bytes signed: canonical JSON (keys sorted, no whitespace) of the body, UTF-8. */
export function signedText(body: CheckpointBody): Buffer {
  const fields: CheckpointBody = {
    format: body.format,
    seq: body.seq,
    hash: body.hash,
    entries: body.entries,
    time: body.time,
    prev: body.prev,
    prevSha256: body.prevSha256,
    key: body.key,
  };
  return Buffer.from(canonicalJson(fields), 'utf8');
}

export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return `sha256:${sha256Hex(pub.export({ type: 'spki', format: 'der' }))}`;
}

/** PEM (SPKI) of the public half, for auditors. */
export function publicKeyPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

/** The file's bytes: the body and its signature as indented JSON. */
export function signCheckpoint(body: CheckpointBody, privateKey: KeyObject): Buffer {
  const signature = sign(null, signedText(body), privateKey).toString('base64');
  const file: CheckpointFile = { ...body, signature };
  return Buffer.from(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
}

const HEX64 = /^[0-9a-f]{64}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Parses a checkpoint file; a string is what is wrong with it. Checks shape, not signature. */
export function parseCheckpoint(bytes: Buffer): CheckpointFile | string {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'is not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'is not a JSON object';
  const o = v as Record<string, unknown>;
  if (o.format !== CHECKPOINT_FORMAT) return `format is not ${CHECKPOINT_FORMAT}`;
  const bad = [
    count(o.seq) && o.seq > 0 ? null : 'seq',
    typeof o.hash === 'string' && HEX64.test(o.hash) ? null : 'hash',
    count(o.entries) ? null : 'entries',
    typeof o.time === 'string' && TIME.test(o.time) ? null : 'time',
    o.prev === null || (typeof o.prev === 'string' && CHECKPOINT_NAME.test(o.prev)) ? null : 'prev',
    (o.prev === null && o.prevSha256 === null) ||
    (o.prev !== null && typeof o.prevSha256 === 'string' && HEX64.test(o.prevSha256))
      ? null
      : 'prevSha256',
    typeof o.key === 'string' && /^sha256:[0-9a-f]{64}$/.test(o.key) ? null : 'key',
    typeof o.signature === 'string' && /^[A-Za-z0-9+/]{86}==$/.test(o.signature)
      ? null
      : 'signature',
  ].filter((f) => f !== null);
  if (bad.length > 0) return `malformed field(s): ${bad.join(', ')}`;
  return o as unknown as CheckpointFile;
}

/** True when `file` carries a valid signature by `publicKey` over its fields. */
export function signatureValid(file: CheckpointFile, publicKey: KeyObject): boolean {
  try {
    return verify(null, signedText(file), publicKey, Buffer.from(file.signature, 'base64'));
  } catch {
    return false;
  }
}
