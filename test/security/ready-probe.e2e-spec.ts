import { AuditService } from '../../src/audit/audit.service';
import { type GatewayHarness, httpCall, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { terminate } from '../support/termination';

/**
 * /health/ready answers without authentication, so anyone can send a flood of probes. Its
 * PAM Core part is cached for 5 s and shared while in flight: a flood makes at most one
 * Segura call per 5 s, whether Segura answers or hangs. Counted with the simulator's control
 * API. The audit-store part is not cached: the gateway's own store is cheap to check and a
 * lost one must show at once.
 */
const CACHE_MS = 5000;

let issuer: IssuerHandle;
beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer?.stop();
});

/** The methods of the requests Segura received, as the simulator's control API reports them. */
async function upstreamRequests(gw: GatewayHarness): Promise<string[]> {
  const origin = new URL(gw.simulator.url).origin;
  const res = await httpCall(origin, 'GET', '/__sim/requests');
  return (res.json as Array<{ method: string }>).map((r) => r.method);
}

async function forgetRequests(gw: GatewayHarness): Promise<void> {
  await httpCall(new URL(gw.simulator.url).origin, 'DELETE', '/__sim/requests');
}

const probe = (gw: GatewayHarness) => gw.request('GET', '/health/ready');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Segura answering', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ issuer });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('100 concurrent probes, then more within 5 s, make one Segura call; after 5 s one more', async () => {
    await forgetRequests(gw);
    const flood = await Promise.all(Array.from({ length: 100 }, () => probe(gw)));
    expect(new Set(flood.map((a) => a.status))).toEqual(new Set([200]));
    expect(flood[0].json.details.pamCore).toEqual({ status: 'up' });
    for (let i = 0; i < 20; i++) expect((await probe(gw)).status).toBe(200);
    await Promise.all(Array.from({ length: 50 }, () => probe(gw)));
    expect(await upstreamRequests(gw)).toEqual(['POST']); // the token request: Segura answers

    await sleep(CACHE_MS + 500);
    const again = await Promise.all(Array.from({ length: 50 }, () => probe(gw)));
    expect(new Set(again.map((a) => a.status))).toEqual(new Set([200]));
    expect(await upstreamRequests(gw)).toEqual(['POST', 'HEAD']); // token cached: a HEAD
  });

  it('does not cache the audit-store part: a lost store shows at once', async () => {
    expect((await probe(gw)).status).toBe(200);
    await gw.app.get(AuditService).onModuleDestroy();
    const ready = await probe(gw);
    expect(ready.status).toBe(503);
    expect(ready.json.details.audit).toEqual({ status: 'down', reason: 'AUDIT_UNAVAILABLE' });
    expect(ready.json.details.pamCore).toEqual({ status: 'up' });
  });
});

describe('Segura hanging', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ issuer });
  });
  afterAll(async () => {
    gw?.simulator.release();
    await gw?.close();
  });

  it('a flood of probes is answered 503 with one Segura call, the failure cached too', async () => {
    // A token is cached (from a termination), so the probe is one HEAD. (A probe that needs a
    // token shares the token manager's request, which is retried like any token request.)
    const id = gw.simulator.addSession().sessionId;
    expect((await terminate(gw.url, 'rest', id, { token: gw.tokens.operator })).status).toBe(200);
    gw.simulator.injectFault({ kind: 'hang' }, { path: 'any' }, Infinity);
    await forgetRequests(gw);
    const flood = await Promise.all(Array.from({ length: 100 }, () => probe(gw)));
    expect(new Set(flood.map((a) => a.status))).toEqual(new Set([503]));
    expect(flood[0].json.details.pamCore.status).toBe('down');
    // Segura is back, but the failed probe stands for its 5 s: still no new call.
    gw.simulator.clearFaults();
    gw.simulator.release();
    for (let i = 0; i < 10; i++) expect((await probe(gw)).status).toBe(503);
    expect(await upstreamRequests(gw)).toEqual(['HEAD']);
  });
});
