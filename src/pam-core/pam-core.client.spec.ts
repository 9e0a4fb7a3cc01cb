import { Logger } from '@nestjs/common';
import { closedPort, HttpStub, StubReply, tokenReply } from '../../test/pam-core/http-stub';
import { AppConfig, loadConfigOrThrow } from '../config';
import { GatewayError } from '../errors';
import { undiciHttpService } from '../http';
import { PamCoreClient } from './pam-core.client';
import type { PamCoreObserver } from './pam-core.observer';
import type { PamCorePolicyOptions } from './pam-core.policy';
import { pamCoreTransport } from './upstream-http';

const ID = 'e7acacb6aedbab70073456da5744166939b77527';
const DROP_OK: StubReply = {
  status: 200,
  body: JSON.stringify({
    code: 200,
    response: {
      status: 200,
      message: 'Session dropped successfully',
      error: false,
      mensagem: 'Sessão encerrada com sucesso',
      erro: false,
    },
  }),
};
const ACCESS_DENIED: StubReply = {
  status: 401,
  body: JSON.stringify({ error: 'access_denied', error_description: 'denied', message: 'denied' }),
};

function config(url: string, extra: Record<string, string> = {}): AppConfig {
  return loadConfigOrThrow({
    PAM_CORE_URL: url,
    PAM_CORE_CLIENT_ID: 'gw',
    PAM_CORE_CLIENT_SECRET: 'gw-secret',
    AUTH_ISSUER: 'https://issuer.example',
    AUTH_AUDIENCE: 'pam-gateway',
    RBAC_POLICY_FILE: '/dev/null',
    ...extra,
  });
}

const caught = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a GatewayError');
    },
    (e: unknown) => e as GatewayError,
  );

describe('PamCoreClient (against an in-test HTTP server)', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  let stub: HttpStub;
  let base: string;
  let client: PamCoreClient | undefined;
  let valid: string | undefined;
  let issued: number;
  const calls: string[] = [];
  const observer: PamCoreObserver = {
    upstreamCall: (op, result) => calls.push(`${op}:${result}`),
    tokenRefreshed: () => calls.push('refreshed'),
    circuitStateChanged: (s) => calls.push(`circuit:${s}`),
  };
  const make = (extra: Record<string, string> = {}, policy: PamCorePolicyOptions = {}) => {
    const cfg = config(base, extra);
    const http = undiciHttpService(pamCoreTransport(cfg.pamCore));
    return (client = new PamCoreClient(cfg, http, observer, {
      retryInitialDelayMs: 1,
      retryMaxDelayMs: 5,
      ...policy,
    }));
  };
  const drops = () => stub.requests.filter((r) => r.method === 'DELETE');
  const tokens = () => stub.requests.filter((r) => r.url.endsWith('/oauth2/token'));

  beforeEach(async () => {
    calls.length = 0;
    issued = 0;
    valid = undefined;
    stub = new HttpStub((req) => {
      if (req.url.endsWith('/oauth2/token')) {
        valid = `tok-${++issued}`;
        return tokenReply(valid);
      }
      return req.headers.authorization === `Bearer ${valid}` ? DROP_OK : ACCESS_DENIED;
    });
    base = `${await stub.start()}/segura`;
  });

  afterEach(async () => {
    await stub.stop();
    await client?.onModuleDestroy();
    client = undefined;
  });

  it('terminates with a cached token and reports to the observer', async () => {
    const c = make();
    expect(await c.terminateSession(ID)).toMatchObject({
      sessionId: ID,
      message: 'Session dropped successfully',
      upstreamStatus: 200,
    });
    await c.terminateSession(ID);
    expect(tokens()).toHaveLength(1);
    expect(drops().map((r) => r.url)).toEqual([
      `/segura/api/pam/session/drop/${ID}`,
      `/segura/api/pam/session/drop/${ID}`,
    ]);
    expect(calls).toEqual(['token:OK', 'refreshed', 'terminate:OK', 'terminate:OK']);
  });

  it('a 401 to a cached token refreshes it once and retries once', async () => {
    const c = make();
    await c.terminateSession(ID);
    valid = 'revoked-by-segura';
    expect(await c.terminateSession(ID)).toMatchObject({ upstreamStatus: 200 });
    expect(tokens()).toHaveLength(2);
    expect(drops()).toHaveLength(3);
  });

  it('a second 401 is classified, never a loop', async () => {
    stub.handler = (req) =>
      req.url.endsWith('/oauth2/token') ? tokenReply(`tok-${++issued}`) : ACCESS_DENIED;
    const c = make();
    // Cold cache: the token is fresh, so its 401 is not retried at all.
    expect((await caught(c.terminateSession(ID))).code).toBe('UPSTREAM_AUTH_FAILED');
    expect(drops()).toHaveLength(1);
    // Warm cache: one refresh, one retry, then the classified error.
    const err = await caught(c.terminateSession(ID));
    expect(err).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', upstream: { status: 401 } });
    expect(drops()).toHaveLength(3);
    expect(tokens()).toHaveLength(2);
  });

  it('a 404 "no Route matched" is an auth failure and does not refresh', async () => {
    const c = make();
    await c.terminateSession(ID);
    stub.handler = () => ({
      status: 404,
      body: '{"message":"no Route matched with those values","request_id":"x"}',
    });
    expect((await caught(c.terminateSession(ID))).code).toBe('UPSTREAM_AUTH_FAILED');
    expect(tokens()).toHaveLength(1);
  });

  it('rejects an invalid id before any network activity', async () => {
    const c = make();
    expect(await caught(c.terminateSession('../x'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect(await caught(c.getSession('a/b'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect(stub.requests).toHaveLength(0);
  });

  it('an answer over the body limit is UPSTREAM_ERROR, not a crash', async () => {
    const c = make({}, { maxBodyBytes: 64 });
    stub.handler = (req) =>
      req.url.endsWith('/oauth2/token')
        ? tokenReply('t')
        : {
            status: 200,
            body: JSON.stringify({ response: { error: false, message: 'x'.repeat(500) } }),
          };
    expect(await caught(c.terminateSession(ID))).toMatchObject({
      code: 'UPSTREAM_ERROR',
      outcomeUnknown: true,
    });
  });

  it('signs with OAuth 1.0a when configured', async () => {
    stub.handler = () => DROP_OK;
    const c = make({
      PAM_CORE_AUTH: 'oauth1',
      PAM_CORE_CONSUMER_KEY: 'ck',
      PAM_CORE_CONSUMER_SECRET: 'cs',
      PAM_CORE_TOKEN_KEY: 'tk',
      PAM_CORE_TOKEN_SECRET: 'ts',
    });
    await c.terminateSession(ID);
    await c.terminateSession(ID);
    const headers = stub.requests.map((r) => String(r.headers.authorization));
    expect(headers[0]).toMatch(
      /^OAuth .*oauth_consumer_key="ck".*oauth_signature="[^"]+".*oauth_token="tk"/,
    );
    const nonce = (h: string) => /oauth_nonce="([^"]+)"/.exec(h)?.[1];
    expect(nonce(headers[0])).not.toBe(nonce(headers[1]));
    expect(headers.join()).not.toMatch(/cs|ts"/);
  });

  describe('checkReachable', () => {
    it('oauth2: obtains a token, then reuses it (and asks Segura with a HEAD)', async () => {
      const c = make({}, { probeCacheMs: 0 });
      await c.checkReachable();
      await c.checkReachable();
      expect(tokens()).toHaveLength(1);
      expect(stub.requests.map((r) => r.method)).toEqual(['POST', 'HEAD']);
    });

    it('reuses the last result for probeCacheMs (5 s by default): no call at all', async () => {
      const c = make();
      await c.checkReachable();
      await c.checkReachable();
      await Promise.all([c.checkReachable(), c.checkReachable()]);
      expect(stub.requests.map((r) => r.method)).toEqual(['POST']);
    });

    it('oauth2: a hanging token endpoint is bounded by the probe timeout', async () => {
      stub.handler = () => 'hang';
      const c = make({}, { probeTimeoutMs: 200, tokenRetries: 0 });
      expect((await caught(c.checkReachable())).code).toBe('UPSTREAM_TIMEOUT');
      expect(calls).toContain('probe:UPSTREAM_TIMEOUT');
    });

    const OAUTH1 = {
      PAM_CORE_AUTH: 'oauth1',
      PAM_CORE_CONSUMER_KEY: 'a',
      PAM_CORE_CONSUMER_SECRET: 'b',
      PAM_CORE_TOKEN_KEY: 'c',
      PAM_CORE_TOKEN_SECRET: 'd',
    };

    it('oauth1: any HTTP answer from the base URL counts', async () => {
      stub.handler = () => ({ status: 404, body: '' });
      const c = make(OAUTH1);
      await c.checkReachable();
      expect(stub.requests[0]).toMatchObject({ method: 'HEAD', url: '/segura' });
    });

    it('oauth1: a closed port is UPSTREAM_UNAVAILABLE', async () => {
      base = `http://127.0.0.1:${await closedPort()}`;
      const c = make(OAUTH1);
      expect((await caught(c.checkReachable())).code).toBe('UPSTREAM_UNAVAILABLE');
    });
  });
});
