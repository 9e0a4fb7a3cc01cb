import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointService } from '../../../src/audit/checkpoint/checkpoint.service';
import {
  CHECKPOINT_NAME,
  type CheckpointFile,
} from '../../../src/audit/checkpoint/checkpoint-file';

/** An Ed25519 key pair, the public half also written as PEM to `<dir>/public.pem`. */
export function checkpointKey(dir: string): { key: KeyObject; publicKeyFile: string; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyFile = join(dir, 'public.pem');
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key: privateKey, publicKeyFile, pem };
}

/** Checkpoint services started by a test, all stopped (final checkpoint included) at the end. */
export class Checkpointers {
  private readonly started: CheckpointService[] = [];

  async start(
    databaseUrl: string,
    key: KeyObject,
    dir: string,
    intervalS = 3600,
  ): Promise<CheckpointService> {
    mkdirSync(dir, { recursive: true });
    const service = new CheckpointService({
      audit: { databaseUrl },
      checkpoints: { key, dir, intervalS },
    });
    this.started.push(service);
    await service.onModuleInit();
    return service;
  }

  async stopAll(): Promise<void> {
    for (const s of this.started.splice(0)) await s.onModuleDestroy();
  }
}

/** The checkpoint files in `dir`, oldest first, parsed. */
export function readCheckpoints(dir: string): Array<{ name: string; file: CheckpointFile }> {
  return readdirSync(dir)
    .filter((n) => CHECKPOINT_NAME.test(n))
    .sort()
    .map((name) => ({
      name,
      file: JSON.parse(readFileSync(join(dir, name), 'utf8')) as CheckpointFile,
    }));
}

/** Temporary directories removed at the end. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
