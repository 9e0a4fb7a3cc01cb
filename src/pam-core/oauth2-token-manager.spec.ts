import type { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { closedPort, HttpStub, StubReply, tokenReply } from '../../test/pam-core/http-stub';
import type { OAuth2Settings } from '../config';
import { GatewayError } from '../errors';
import { closeTransportOf, undiciHttpService } from '../http';
import { OAuth2TokenManager, TokenManagerOptions } from './oauth2-token-manager';
import { UpstreamHttp } from './upstream-http';
import { UpstreamPauseError } from './upstream-pause';

const SETTINGS: OAuth2Settings = {
  clientId: 'gw-client',
  clientSecret: 's3cr3t-value',
  tokenPath: '/iso/oauth2/token',
  clientAuth: 'body',
};

describe('OAuth2TokenManager', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  let stub: HttpStub;
  let base: string;
  let http: UpstreamHttp;
  let service: HttpService;
  let issued = 0;

  const manager = (
    settings: Partial<OAuth2Settings> = {},
    opts: Partial<TokenManagerOptions> = {},
    url = base,
  ) =>
    new OAuth2TokenManager(
      http,
      url,
      { ...SETTINGS, ...settings },
      { timeoutMs: 2_000, retryInitialDelayMs: 1, retryMaxDelayMs: 5, ...opts },
    );

  const failure = async (p: Promise<unknown>): Promise<GatewayError> => {
    try {
      await p;
    } catch (err) {
      if (err instanceof GatewayError) return err;
      throw err;
    }
    throw new Error('expected a GatewayError');
  };

  beforeEach(async () => {
    issued = 0;
    stub = new HttpStub(() => tokenReply(`tok-${++issued}`));
    base = `${await stub.start()}/segura`;
    service = undiciHttpService({ tlsInsecure: false, connections: 16, timeoutMs: 2_000 });
    http = new UpstreamHttp(service);
  });

  afterEach(async () => {
    await closeTransportOf(service.axiosRef, 100);
    await stub.stop();
  });

  it('makes exactly one token request for 100 concurrent callers on a cold cache', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    stub.handler = async () => {
      await gate; // hold the answer so all 100 callers arrive while it is in flight
      return tokenReply(`tok-${++issued}`);
    };
    const m = manager();
    const all = Promise.all(Array.from({ length: 100 }, () => m.getToken()));
    await new Promise((r) => setTimeout(r, 50));
    release();
    const tokens = await all;
    expect(stub.requests).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set(['tok-1']));
    expect((await m.getToken()).fromCache).toBe(true);
    expect(stub.requests).toHaveLength(1);
  });

  it('posts client credentials in the body, with the tenant, to the prefixed token path', async () => {
    await manager({ tenant: 'acme' }).getToken();
    const [req] = stub.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/segura/iso/oauth2/token');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'gw-client',
      client_secret: 's3cr3t-value',
      tenant: 'acme',
    });
  });

  it('uses HTTP Basic with form-urlencoded id and secret (RFC 6749 §2.3.1)', async () => {
    await manager({
      clientAuth: 'basic',
      clientId: 'my id:1',
      clientSecret: 'p@ss w+rd/é',
    }).getToken();
    const [req] = stub.requests;
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      grant_type: 'client_credentials',
    });
    const encoded = /^Basic (.+)$/.exec(String(req.headers.authorization))?.[1] ?? '';
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(
      'my+id%3A1:p%40ss+w%2Brd%2F%C3%A9',
    );
  });

  it('refreshes shortly before expiry: margin min(60 s, 10 % of the lifetime)', async () => {
    let now = 1_000_000;
    stub.handler = () => tokenReply(`tok-${++issued}`, 5);
    const m = manager({}, { now: () => now });
    expect((await m.getToken()).value).toBe('tok-1');
    now += 4_400; // 0.6 s before expiry: still outside the 0.5 s margin
    expect(await m.getToken()).toEqual({ value: 'tok-1', fromCache: true });
    now += 200; // 0.4 s before expiry: inside the margin
    expect(await m.getToken()).toEqual({ value: 'tok-2', fromCache: false });
    expect(stub.requests).toHaveLength(2);
  });

  it('caps the margin at 60 s for long-lived tokens', async () => {
    let now = 0;
    const m = manager({}, { now: () => now });
    await m.getToken();
    now = 3_540_000 - 1;
    expect((await m.getToken()).fromCache).toBe(true);
    now = 3_540_000;
    expect((await m.getToken()).fromCache).toBe(false);
  });

  it('invalidate drops only the token it names', async () => {
    const m = manager();
    const first = await m.getToken();
    m.invalidate('something-else');
    expect((await m.getToken()).value).toBe(first.value);
    m.invalidate(first.value);
    expect((await m.getToken()).value).toBe('tok-2');
    expect(stub.requests).toHaveLength(2);
  });

  describe('token endpoint failures', () => {
    const oauthError = (status: number, error: string, message?: string): StubReply => ({
      status,
      body: JSON.stringify({
        error,
        error_description: message ?? error,
        ...(message ? { message } : {}),
      }),
    });

    it.each([
      [
        '401 invalid_client "Client authentication failed"',
        'UPSTREAM_AUTH_FAILED',
        oauthError(401, 'invalid_client', 'Client authentication failed'),
      ],
      [
        '400 unsupported_grant_type',
        'UPSTREAM_AUTH_FAILED',
        oauthError(400, 'unsupported_grant_type'),
      ],
      ['400 invalid_request', 'UPSTREAM_AUTH_FAILED', oauthError(400, 'invalid_request')],
      [
        '200 without access_token',
        'UPSTREAM_ERROR',
        { status: 200, body: '{"token_type":"Bearer","expires_in":3600}' },
      ],
      [
        '200 with a numeric access_token',
        'UPSTREAM_ERROR',
        { status: 200, body: '{"access_token":42,"expires_in":3600}' },
      ],
      ['200 with a header-breaking access_token', 'UPSTREAM_ERROR', tokenReply('abc\r\nX-Evil: 1')],
      ['200 with a negative expires_in', 'UPSTREAM_ERROR', tokenReply('t', -5)],
      ['200 with a non-numeric expires_in', 'UPSTREAM_ERROR', tokenReply('t', 'soon')],
      [
        '200 with token_type mac',
        'UPSTREAM_ERROR',
        { status: 200, body: '{"access_token":"t","token_type":"mac","expires_in":60}' },
      ],
      [
        '200 HTML',
        'UPSTREAM_ERROR',
        { status: 200, body: '<html>login</html>', contentType: 'text/html' },
      ],
    ] as Array<[string, string, StubReply]>)('%s → %s, asked once', async (_name, code, reply) => {
      stub.handler = () => reply;
      const err = await failure(manager().getToken());
      expect(err.code).toBe(code);
      expect(err.outcomeUnknown).toBe(false);
      expect(stub.requests).toHaveLength(1);
      expect(JSON.stringify({ ...err, message: err.message })).not.toContain('s3cr3t-value');
    });

    it.each([
      ['500 HTML', { status: 500, body: '<html>boom</html>', contentType: 'text/html' }],
      ['503 empty', { status: 503, body: '' }],
      [
        '500 "Unexpected error."',
        {
          status: 500,
          body: '{"code":500,"response":{"error":true,"message":"Unexpected error."}}',
        },
      ],
    ] as Array<[string, StubReply]>)(
      '%s → UPSTREAM_UNAVAILABLE after retries with backoff',
      async (_name, reply) => {
        stub.handler = () => reply;
        const err = await failure(manager({}, { retries: 2 }).getToken());
        expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
        expect(stub.requests).toHaveLength(3);
      },
    );

    it("Segura's 429 → UPSTREAM_UNAVAILABLE with its Retry-After, never retried", async () => {
      stub.handler = () => ({
        status: 429,
        body: '{"code":429,"response":{"error":true,"message":"Too Many Requests"}}',
        headers: { 'retry-after': '42' },
      });
      const err = await failure(manager({}, { retries: 2 }).getToken());
      expect(err).toBeInstanceOf(UpstreamPauseError);
      expect(err).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryAfterSeconds: 42,
        outcomeUnknown: false,
        upstream: { status: 429 },
      });
      expect(stub.requests).toHaveLength(1);
    });

    it('a 5xx with an unexpected text is UPSTREAM_UNAVAILABLE with that code’s generic message', async () => {
      stub.handler = () => ({
        status: 500,
        body: '{"code":500,"response":{"error":true,"message":"PDOException in /srv/app/Db.php"}}',
      });
      const err = await failure(manager({}, { retries: 0 }).getToken());
      expect(err).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        detail: 'Segura is unavailable',
        upstream: { status: 500, message: 'Segura is unavailable' },
      });
    });

    it('recovers when a retry succeeds', async () => {
      stub.handler = () =>
        stub.requests.length === 1 ? { status: 503, body: '' } : tokenReply('tok-ok');
      expect((await manager().getToken()).value).toBe('tok-ok');
      expect(stub.requests).toHaveLength(2);
    });

    it('connection refused → UPSTREAM_UNAVAILABLE', async () => {
      const err = await failure(
        manager({}, {}, `http://127.0.0.1:${await closedPort()}`).getToken(),
      );
      expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcomeUnknown: false });
    });

    it('no answer within the timeout → UPSTREAM_TIMEOUT', async () => {
      stub.handler = () => 'hang';
      const err = await failure(manager({}, { timeoutMs: 200, retries: 0 }).getToken());
      expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT', outcomeUnknown: false });
    });

    it('does not cache a failure: the next call asks again', async () => {
      stub.handler = () => oauthError(401, 'invalid_client', 'Client authentication failed');
      const m = manager();
      await failure(m.getToken());
      stub.handler = () => tokenReply('tok-later');
      expect((await m.getToken()).value).toBe('tok-later');
      expect(stub.requests).toHaveLength(2);
    });
  });
});
