import { randomBytes } from 'node:crypto';
import { access, link, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_NAME } from './checkpoint-file';

/** Checkpoint file names in `dir`, oldest first (names sort by head seq). Others are ignored. */
export async function listCheckpoints(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((n) => CHECKPOINT_NAME.test(n)).sort();
}

export interface StoredCheckpoint {
  name: string;
  bytes: Buffer;
}

/** The newest checkpoint file in `dir`, or null when there is none. */
export async function readNewest(dir: string): Promise<StoredCheckpoint | null> {
  const names = await listCheckpoints(dir);
  const name = names[names.length - 1];
  return name === undefined ? null : { name, bytes: await readFile(join(dir, name)) };
}

// Where hard links are not supported (some network and FUSE file systems).
const NO_LINK = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/**
 * Writes `bytes` as `dir/name` unless that name exists; false when it does. The bytes go to a
 * temporary name first and are flushed, then linked to the final name (link never replaces an
 * existing file); where links are unsupported, renamed after checking the name is free (the
 * caller holds the checkpoint lock, so no other gateway takes the name in between).
 */
export async function writeOnce(dir: string, name: string, bytes: Buffer): Promise<boolean> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    try {
      await link(tmp, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_LINK.has(code)) throw err;
      if (await exists(target)) return false;
      await rename(tmp, target);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncDir(dir);
  return true;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Makes the new directory entry durable; not every platform can open a directory. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Best effort: the file itself was flushed before it was linked.
  }
}
