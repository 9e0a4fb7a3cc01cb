import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, type GatewayHarness } from '../support/gateway';
import { checkpointKey, readCheckpoints, TempDirs } from './support/checkpoints';
import { runCli } from './support/verify-cli';

jest.setTimeout(60_000);

/** The whole gateway with checkpoints on: the module is wired, timed, logged and measured. */
describe('checkpoints in a running gateway', () => {
  const dirs = new TempDirs();
  let gw: GatewayHarness | undefined;
  afterAll(async () => {
    await gw?.close();
    dirs.removeAll();
  });

  const terminate = (g: GatewayHarness) =>
    g.request('POST', `/api/v1/sessions/${g.simulator.addSession().sessionId}/terminate`, {
      token: g.tokens.operator,
      body: { reason: 'checkpoint test' },
    });

  it('writes one every interval while the head moves, and a last one at shutdown', async () => {
    const work = dirs.make('cp-gateway-');
    const dir = join(work, 'checkpoints');
    const { pem, publicKeyFile } = checkpointKey(work);
    const env = { AUDIT_CHECKPOINT_KEY: pem, AUDIT_CHECKPOINT_DIR: dir };
    mkdirSync(dir);
    const g = await startGateway({
      env: {
        ...env,
        AUDIT_CHECKPOINT_INTERVAL_S: '1',
        METRICS_PUBLIC: 'true',
      },
    });
    gw = g;
    expect((await terminate(g)).status).toBe(200);
    while (readCheckpoints(dir).length === 0) await sleep(100);
    const first = readCheckpoints(dir)[0];
    expect(first.file).toMatchObject({ seq: 2, entries: 2, prev: null });
    const metrics = await g.request('GET', '/metrics');
    expect(metrics.text).toMatch(/pam_gateway_audit_checkpoints_total\{result="written"\} [1-9]/);
    expect(metrics.text).toContain(
      `pam_gateway_audit_checkpoint_last_timestamp_seconds ${Date.parse(first.file.time) / 1000}`,
    );
    expect(g.logs.some((l) => l.includes(`"checkpoint":"${first.name}"`))).toBe(true);

    expect((await terminate(g)).status).toBe(200);
    await g.close();
    gw = undefined;
    const files = readCheckpoints(dir);
    expect(files.at(-1)?.file).toMatchObject({ seq: 4, entries: 4 });
    const run = await runCli({ AUDIT_DATABASE_URL: `sqlite:${join(g.dir, 'audit.db')}` }, [
      '--checkpoints',
      dir,
      '--public-key',
      publicKeyFile,
    ]);
    expect(run.stdout).toContain('audit chain intact: 4 entries');
    expect(run.code).toBe(0);
    expect(g.logs.join('\n')).not.toContain('PRIVATE KEY');
  });
});
