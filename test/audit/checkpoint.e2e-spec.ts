import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  checkpointName,
  keyFingerprint,
  sha256Hex,
  signCheckpoint,
  signedText,
  type CheckpointBody,
} from '../../src/audit/checkpoint/checkpoint-file';
import { describePg } from '../support/postgres';
import { Services, terminateIntent } from './support/audit-fixtures';
import { checkpointKey, Checkpointers, readCheckpoints, TempDirs } from './support/checkpoints';
import { postgresTarget, sqliteTarget, type StoreTarget } from './support/store-targets';
import { runCli } from './support/verify-cli';

jest.setTimeout(60_000);

const HMAC = 'checkpoint-test-hmac-key';

interface Seeded {
  url: string;
  key: KeyObject;
  dir: string;
  publicKeyFile: string;
  /** The three checkpoint files: heads at seq 2, 5 and 7 (the last written at shutdown). */
  names: string[];
  env: Record<string, string>;
  args: string[];
}

function defineCheckpointSuite(target: StoreTarget): void {
  describe(`signed checkpoints on ${target.name}`, () => {
    const services = new Services();
    const checkpointers = new Checkpointers();
    const dirs = new TempDirs();
    beforeAll(() => Logger.overrideLogger(false));
    afterEach(async () => {
      await checkpointers.stopAll();
      await services.stopAll();
      dirs.removeAll();
    });
    afterAll(() => target.cleanup());

    /** Seven entries with checkpoints after entries 2 and 5, and one at shutdown (7). */
    async function seed(): Promise<Seeded> {
      const url = await target.freshUrl();
      const work = dirs.make('audit-cp-');
      const dir = join(work, 'checkpoints');
      const { key, publicKeyFile } = checkpointKey(work);
      const audit = await services.start(url, { hmacKey: HMAC });
      const cp = await checkpointers.start(url, key, dir);
      const r1 = await audit.recordIntent(terminateIntent());
      await audit.recordOutcome(r1.id, { outcome: 'succeeded' });
      expect(await cp.checkpoint(0)).toMatchObject({ written: true, body: { seq: 2 } });
      const r2 = await audit.recordIntent(terminateIntent());
      await audit.recordOutcome(r2.id, { outcome: 'failed' });
      await audit.recordIntent(terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }));
      expect(await cp.checkpoint(0)).toMatchObject({ written: true, body: { seq: 5 } });
      const r4 = await audit.recordIntent(terminateIntent());
      await audit.recordOutcome(r4.id, { outcome: 'succeeded' });
      await services.stopAll();
      await checkpointers.stopAll();
      const names = readCheckpoints(dir).map((c) => c.name);
      return {
        url,
        key,
        dir,
        publicKeyFile,
        names,
        env: { AUDIT_DATABASE_URL: url, AUDIT_HMAC_KEY: HMAC },
        args: ['--checkpoints', dir, '--public-key', publicKeyFile],
      };
    }

    it('an intact chain with its checkpoints verifies; each links to the one before', async () => {
      const s = await seed();
      const files = readCheckpoints(s.dir);
      expect(files.map((c) => [c.file.seq, c.file.entries])).toEqual([
        [2, 2],
        [5, 5],
        [7, 7],
      ]);
      expect(files[0].file).toMatchObject({ prev: null, prevSha256: null });
      expect(files[2].file.prev).toBe(s.names[1]);
      expect(files[2].file.prevSha256).toBe(sha256Hex(readFileSync(join(s.dir, s.names[1]))));
      const run = await runCli(s.env, s.args);
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\n')).toEqual([
        'audit chain intact: 7 entries',
        `checkpoints intact: 3, the newest ${s.names[2]} at seq 7 (0 entries after it, covered by no checkpoint yet)`,
        '',
      ]);
      expect(run.code).toBe(0);
    });

    it('writes nothing when the head has not moved', async () => {
      const s = await seed();
      const cp = await checkpointers.start(s.url, s.key, s.dir);
      expect(await cp.checkpoint(0)).toMatchObject({
        written: false,
        reason: 'the head has not moved',
      });
      await checkpointers.stopAll();
      expect(readCheckpoints(s.dir).map((c) => c.name)).toEqual(s.names);
    });

    it('names the checkpoint that covered deleted entries', async () => {
      const s = await seed();
      await target.dropGuards(s.url);
      await target.sql(s.url, 'delete from audit_chain where seq >= ?', [6]);
      const run = await runCli(s.env, s.args);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('audit chain intact: 5 entries');
      expect(run.stdout).toContain(
        `checkpoint ${s.names[2]} CONTRADICTED: the chain ends at seq 5; the checkpoint covers seq 7 (entries 6..7 deleted)`,
      );
    });

    it('names the first checkpoint of a tail rewritten with the right HMAC key', async () => {
      const s = await seed();
      await target.dropGuards(s.url);
      await target.sql(s.url, 'delete from audit_chain where seq >= ?', [4]);
      // The forger's gateway: recovery closes record 2 again (seq 4), then new entries 5..7.
      const forger = await services.start(s.url, { hmacKey: HMAC });
      await forger.recordIntent(terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }));
      const r = await forger.recordIntent(terminateIntent());
      await forger.recordOutcome(r.id, { outcome: 'succeeded' });
      await services.stopAll();
      const run = await runCli(s.env, s.args);
      expect(run.stdout).toContain('audit chain intact: 7 entries');
      expect(run.stdout).toContain(
        `checkpoint ${s.names[1]} CONTRADICTED: the chain's entry 5 has another hash (rewritten)`,
      );
      expect(run.code).toBe(1);
      // A gateway writing checkpoints refuses to continue the sequence over the rewritten tail.
      const cp = await checkpointers.start(s.url, s.key, s.dir);
      expect(await cp.checkpoint(0)).toMatchObject({ written: false, problem: true });
    });

    it('names the checkpoint whose link is broken when one was removed', async () => {
      const s = await seed();
      rmSync(join(s.dir, s.names[1]));
      const middle = await runCli(s.env, s.args);
      expect(middle.code).toBe(1);
      expect(middle.stdout).toContain(
        `checkpoint ${s.names[2]} CONTRADICTED: it follows ${s.names[1]}, which is missing (removed); the file before it is ${s.names[0]}`,
      );
      rmSync(join(s.dir, s.names[0]));
      const oldest = await runCli(s.env, s.args);
      expect(oldest.code).toBe(1);
      expect(oldest.stdout).toContain(
        `checkpoint ${s.names[2]} CONTRADICTED: its previous checkpoint ${s.names[1]} is missing (removed)`,
      );
    });

    it('names an edited checkpoint and one forged with another key', async () => {
      const s = await seed();
      const edited = join(s.dir, s.names[1]);
      const original = readFileSync(edited);
      const body = JSON.parse(original.toString()) as CheckpointBody;
      writeFileSync(edited, JSON.stringify({ ...body, entries: 4 }, null, 2));
      const run = await runCli(s.env, s.args);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        `checkpoint ${s.names[1]} CONTRADICTED: signature does not verify (forged or edited)`,
      );
      writeFileSync(edited, original);
      // A newer checkpoint, correctly linked, signed by a key that is not the auditors'.
      const other = generateKeyPairSync('ed25519').privateKey;
      const last = readFileSync(join(s.dir, s.names[2]));
      const time = new Date().toISOString();
      const forged: CheckpointBody = {
        ...(JSON.parse(last.toString()) as CheckpointBody),
        seq: 9,
        entries: 9,
        time,
        prev: s.names[2],
        prevSha256: sha256Hex(last),
        key: keyFingerprint(other),
      };
      const forgedName = checkpointName(9, time);
      writeFileSync(join(s.dir, forgedName), signCheckpoint(forged, other));
      const byOther = await runCli(s.env, s.args);
      expect(byOther.code).toBe(1);
      expect(byOther.stdout).toContain(
        `checkpoint ${forgedName} CONTRADICTED: is signed by another key (${forged.key})`,
      );
      // The gateway does not continue a sequence from a checkpoint it did not sign.
      const cp = await checkpointers.start(s.url, s.key, s.dir);
      expect(await cp.checkpoint(0)).toBeNull();
      expect(readCheckpoints(s.dir)).toHaveLength(4);
      // The same with the right key's fingerprint claimed: the signature gives it away.
      const claimed = { ...forged, key: readCheckpoints(s.dir)[0].file.key };
      const signature = sign(null, signedText(claimed), other).toString('base64');
      writeFileSync(join(s.dir, forgedName), JSON.stringify({ ...claimed, signature }));
      const claiming = await runCli(s.env, s.args);
      expect(claiming.code).toBe(1);
      expect(claiming.stdout).toContain(
        `checkpoint ${forgedName} CONTRADICTED: signature does not verify (forged or edited)`,
      );
    });
  });
}

defineCheckpointSuite(sqliteTarget());

describePg('signed checkpoints against postgres', () => {
  defineCheckpointSuite(postgresTarget());
});
