import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditService } from '../../src/audit/audit.service';
import { DEFAULT_POLICY, type GatewayHarness, httpCall, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { terminate } from '../support/termination';

/**
 * Probes and metrics. Readiness answers (503, naming what is down) while Segura hangs or the
 * audit store is gone, liveness stays 200; /metrics needs metrics:read unless METRICS_PUBLIC,
 * and shows what an operator alerts on after real traffic.
 */
let issuer: IssuerHandle;
beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer?.stop();
});

describe('health probes', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    // Each case probes right after changing Segura's state: no cached probe result between them
    // (test/security/ready-probe.e2e-spec.ts covers the cache).
    gw = await startGateway({ issuer, pamCorePolicy: { probeCacheMs: 0 } });
  });
  afterAll(async () => {
    gw?.simulator.release();
    await gw?.close();
  });

  it('ready when the audit store and Segura answer', async () => {
    const id = gw.simulator.addSession().sessionId;
    expect((await terminate(gw.url, 'rest', id, { token: gw.tokens.operator })).status).toBe(200);
    const ready = await gw.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.details).toEqual({ audit: { status: 'up' }, pamCore: { status: 'up' } });
  });

  it('answers 503 while Segura hangs, even with a token cached, and live stays 200', async () => {
    gw.simulator.injectFault({ kind: 'hang' }, { path: 'any' }, Infinity);
    // No timing assertion: it must answer at all, inside the test's timeout, while Segura hangs.
    const ready = await gw.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.json.details.pamCore.status).toBe('down');
    expect(ready.json.details.audit.status).toBe('up');
    expect((await gw.request('GET', '/health/live')).status).toBe(200);
    gw.simulator.clearFaults();
    gw.simulator.release();
    expect((await gw.request('GET', '/health/ready')).status).toBe(200);
  });

  it('answers 503 when the audit store is down, and live stays 200', async () => {
    await gw.app.get(AuditService).onModuleDestroy();
    const ready = await gw.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.json.details.audit).toEqual({ status: 'down', reason: 'AUDIT_UNAVAILABLE' });
    expect(ready.json.details.pamCore.status).toBe('up');
    expect((await gw.request('GET', '/health/live')).status).toBe(200);
  });
});

/** The value of one sample whose labels include `labels`, or undefined. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  let gw: GatewayHarness;
  let dir: string;
  const scraperKey = `scrape-${randomBytes(12).toString('hex')}`;
  const operatorKey = `op-${randomBytes(12).toString('hex')}`;
  const scrape = (headers: Record<string, string> = {}, token?: string) =>
    httpCall(gw.url, 'GET', '/metrics', { headers, token });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pam-gw-metrics-'));
    const keysFile = join(dir, 'keys.yaml');
    const sha = (k: string) => createHash('sha256').update(k).digest('hex');
    writeFileSync(
      keysFile,
      `- {id: prometheus, sha256: ${sha(scraperKey)}, roles: [metrics-scraper]}\n` +
        `- {id: ir-bot, sha256: ${sha(operatorKey)}, roles: [session-operator]}\n`,
    );
    gw = await startGateway({
      issuer,
      policy: DEFAULT_POLICY.replace('roles:\n', 'roles:\n  metrics-scraper: [metrics:read]\n'),
      env: { AUTH_API_KEYS_FILE: keysFile, RATE_LIMIT_TERMINATIONS_PER_MINUTE: '10' },
      pamCorePolicy: { breakerCooldownMs: 60_000 },
    });
  });
  afterAll(async () => {
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('needs a credential with metrics:read', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape({}, gw.tokens.operator)).status).toBe(403);
    expect((await scrape({ 'x-api-key': operatorKey })).status).toBe(403);
    const ok = await scrape({ 'x-api-key': scraperKey });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
  });

  it('shows requests by channel and result, upstream latency, tokens, circuit, audit writes, rate limits', async () => {
    const op = gw.tokens.operator;
    const fresh = () => gw.simulator.addSession().sessionId;
    expect((await terminate(gw.url, 'rest', fresh(), { token: op })).status).toBe(200);
    gw.simulator.injectFault({ kind: 'preset', preset: 'not-found' }, { path: 'drop' }, 1);
    expect((await terminate(gw.url, 'graphql', fresh(), { token: op })).code).toBe(
      'SESSION_NOT_FOUND',
    );
    // A storm that opens the circuit (5 consecutive failures), from the service key.
    gw.simulator.injectFault({ kind: 'html', status: 503 }, { path: 'drop' }, 5);
    for (let i = 0; i < 5; i++) await terminate(gw.url, 'rest', fresh(), { apiKey: operatorKey });
    // A flooder past its 10 per minute.
    const flooder = await issuer.token({
      payload: { aud: 'pam-gateway', sub: 'flooder', roles: ['session-operator'] },
    });
    for (let i = 0; i < 11; i++) await terminate(gw.url, 'rest', '-bad', { token: flooder });

    const text = (await scrape({ 'x-api-key': scraperKey })).text;
    const requests = 'pam_gateway_requests_total';
    expect(sample(text, requests, { channel: 'rest', operation: 'terminate', result: 'OK' })).toBe(
      1,
    );
    expect(sample(text, requests, { channel: 'graphql', result: 'SESSION_NOT_FOUND' })).toBe(1);
    expect(sample(text, requests, { channel: 'rest', result: 'UPSTREAM_UNAVAILABLE' })).toBe(5);
    expect(sample(text, requests, { channel: 'rest', result: 'RATE_LIMITED' })).toBe(1);
    // Rejections no service saw (guards) are counted too, labelled by route pattern.
    const metricsRoute = { channel: 'rest', operation: 'GET /metrics' };
    expect(sample(text, requests, { ...metricsRoute, result: 'UNAUTHENTICATED' })).toBe(1);
    expect(sample(text, requests, { ...metricsRoute, result: 'FORBIDDEN' })).toBe(2);
    expect(
      sample(text, 'pam_gateway_upstream_duration_seconds_count', {
        operation: 'terminate',
        result: 'OK',
      }),
    ).toBe(1);
    expect(
      sample(text, 'pam_gateway_upstream_duration_seconds_bucket', {
        operation: 'terminate',
        le: '+Inf',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'pam_gateway_token_refreshes_total')).toBe(1);
    expect(sample(text, 'pam_gateway_circuit_state')).toBe(2); // open
    expect(
      sample(text, 'pam_gateway_audit_write_duration_seconds_count', {
        kind: 'intent',
        result: 'ok',
      }),
    ).toBeGreaterThanOrEqual(7);
    expect(
      sample(text, 'pam_gateway_audit_write_duration_seconds_count', {
        kind: 'outcome',
        result: 'ok',
      }),
    ).toBeGreaterThanOrEqual(7);
    expect(sample(text, 'pam_gateway_rate_limited_total', { scope: 'principal' })).toBe(1);
  });
});

describe('/metrics with METRICS_PUBLIC=true', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ issuer, env: { METRICS_PUBLIC: 'true' } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('is served without a credential', async () => {
    const res = await httpCall(gw.url, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('pam_gateway_circuit_state 0');
  });
});
