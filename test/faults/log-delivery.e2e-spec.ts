import { join } from 'node:path';
import { httpCall } from '../support/gateway';
import {
  baseEnv,
  killAllGateways,
  spawnGateway,
  unusedPort,
  until,
} from '../support/gateway-process';

/**
 * The production gateway buffers stdout for speed (logger.options.ts). A quiet gateway must
 * still deliver its lines promptly (a log shipper, a SIEM and an operator read them), not when
 * 4 KiB have piled up or at exit: here one warning, far below the buffer size, must show up
 * while the process runs.
 */
afterAll(killAllGateways);

it('delivers a lone log line while running, without waiting for the buffer to fill', async () => {
  const gateway = await spawnGateway({
    ...baseEnv({
      simulatorUrl: `http://127.0.0.1:${await unusedPort()}`,
      issuerUrl: `http://127.0.0.1:${await unusedPort()}`,
      policyFile: join(__dirname, '..', 'fixtures', 'policy.yaml'),
      auditUrl: 'sqlite::memory:',
    }),
    LOG_LEVEL: 'warn', // nothing logged at start: the buffer holds only the line below
  });
  const res = await httpCall(gateway.url, 'POST', '/api/v1/sessions/abc/terminate', {
    headers: { 'x-request-id': 'lone-warning' },
  });
  expect(res.status).toBe(401);
  await until(() =>
    gateway.lines.some((l) => l.includes('no credentials (requestId=lone-warning)')),
  );
  expect(gateway.lines.every((l) => l.length < 4096)).toBe(true);
  await gateway.kill();
}, 60_000);
