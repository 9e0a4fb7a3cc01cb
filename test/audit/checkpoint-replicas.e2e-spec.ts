import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { describePg } from '../support/postgres';
import { Services, terminateIntent } from './support/audit-fixtures';
import { checkpointKey, Checkpointers, readCheckpoints, TempDirs } from './support/checkpoints';
import { postgresTarget } from './support/store-targets';
import { runCli } from './support/verify-cli';

jest.setTimeout(120_000);

describePg('checkpoints of two replicas on one PostgreSQL chain', () => {
  const target = postgresTarget();
  const services = new Services();
  const checkpointers = new Checkpointers();
  const dirs = new TempDirs();
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(async () => {
    await checkpointers.stopAll();
    await services.stopAll();
    dirs.removeAll();
    await target.cleanup();
  });

  it('write one checkpoint sequence into the shared directory', async () => {
    const url = await target.freshUrl();
    const work = dirs.make('audit-cp-replicas-');
    const dir = join(work, 'shared');
    const { key, publicKeyFile } = checkpointKey(work);
    const gateways = [await services.start(url), await services.start(url)];
    // Both replicas' timers run (1 s) while the test also makes them race on purpose.
    const replicas = [
      await checkpointers.start(url, key, dir, 1),
      await checkpointers.start(url, key, dir, 1),
    ];
    for (let round = 0; round < 12; round++) {
      const gw = gateways[round % 2];
      const r = await gw.recordIntent(terminateIntent());
      await gw.recordOutcome(r.id, { outcome: 'succeeded' });
      if (round % 3 === 0) {
        // Racing for one head move: at most one of them writes (a timer may have been first),
        // and afterwards the newest checkpoint holds the head.
        const results = await Promise.all(replicas.map((c) => c.checkpoint(0)));
        expect(results.filter((x) => x?.written).length).toBeLessThanOrEqual(1);
        expect(readCheckpoints(dir).at(-1)?.file.seq).toBe(2 * (round + 1));
      }
      await sleep(300); // lets the interval timers fire between appends
    }
    await checkpointers.stopAll();
    await services.stopAll();

    const files = readCheckpoints(dir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < files.length; i++) {
      expect(files[i].file.prev).toBe(files[i - 1].name);
      expect(files[i].file.seq).toBeGreaterThan(files[i - 1].file.seq);
    }
    expect(files[files.length - 1].file.seq).toBe(24);
    const run = await runCli({ AUDIT_DATABASE_URL: url }, [
      '--checkpoints',
      dir,
      '--public-key',
      publicKeyFile,
    ]);
    expect(run.stdout).toContain(`checkpoints intact: ${files.length}, the newest`);
    expect(run.code).toBe(0);
  });
});
