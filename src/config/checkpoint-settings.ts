import { createPrivateKey, type KeyObject } from 'node:crypto';
import { resolveFiles } from './app-config';

/** Signed audit checkpoints (README, "Signed checkpoints"); absent: the feature is off. */
export interface CheckpointSettings {
  /** The Ed25519 private key (AUDIT_CHECKPOINT_KEY); a KeyObject never prints its material. */
  key: KeyObject;
  /** AUDIT_CHECKPOINT_DIR: shared by every replica writing the same chain. */
  dir: string;
  intervalS: number;
}

export interface CheckpointEnv {
  AUDIT_DATABASE_URL: string;
  AUDIT_CHECKPOINT_KEY?: string;
  AUDIT_CHECKPOINT_DIR?: string;
  AUDIT_CHECKPOINT_INTERVAL_S: number;
}

/** The settings from validated variables, or undefined (off, or a problem pushed to `errors`). */
export function checkpointSettings(
  e: CheckpointEnv,
  errors: string[],
): CheckpointSettings | undefined {
  if (e.AUDIT_CHECKPOINT_KEY === undefined) {
    if (e.AUDIT_CHECKPOINT_DIR !== undefined) {
      errors.push('AUDIT_CHECKPOINT_DIR: is set but AUDIT_CHECKPOINT_KEY is not (no checkpoints)');
    }
    return undefined;
  }
  const key = parseCheckpointKey(e.AUDIT_CHECKPOINT_KEY, errors);
  if (e.AUDIT_CHECKPOINT_DIR === undefined) {
    errors.push('AUDIT_CHECKPOINT_DIR: is required when AUDIT_CHECKPOINT_KEY is set');
  }
  if (/^sqlite:(\/\/)?:memory:$/.test(e.AUDIT_DATABASE_URL)) {
    errors.push(
      'AUDIT_CHECKPOINT_KEY: checkpoints need a durable AUDIT_DATABASE_URL, not :memory:',
    );
  }
  if (!key || e.AUDIT_CHECKPOINT_DIR === undefined) return undefined;
  return { key, dir: e.AUDIT_CHECKPOINT_DIR, intervalS: e.AUDIT_CHECKPOINT_INTERVAL_S };
}

/**
 * An Ed25519 private key from PEM (PKCS#8). A key pasted into a one-line variable with literal
 * "\n" is accepted. Problems name the variable, never the value.
 */
export function parseCheckpointKey(pem: string, errors: string[]): KeyObject | undefined {
  const text = pem.includes('\n') ? pem : pem.replace(/\\n/g, '\n');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    errors.push('AUDIT_CHECKPOINT_KEY: must be an unencrypted Ed25519 private key in PEM (PKCS#8)');
    return undefined;
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    errors.push(
      `AUDIT_CHECKPOINT_KEY: must be an Ed25519 key (this one is ${key.asymmetricKeyType ?? 'of unknown type'})`,
    );
    return undefined;
  }
  return key;
}

/** AUDIT_CHECKPOINT_KEY (or _FILE) alone, for the CLI's public-key command. */
export function loadCheckpointKey(
  env: NodeJS.ProcessEnv,
): { ok: true; key: KeyObject } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const value = resolveFiles(env, errors, ['AUDIT_CHECKPOINT_KEY']).AUDIT_CHECKPOINT_KEY?.trim();
  if (errors.length > 0) return { ok: false, errors };
  if (!value) return { ok: false, errors: ['AUDIT_CHECKPOINT_KEY: is required (or _FILE)'] };
  const key = parseCheckpointKey(value, errors);
  return key ? { ok: true, key } : { ok: false, errors };
}
