import { readAuditRecords } from '../support/audit-reader';
import { GatewayHarness, startGateway } from '../support/gateway';

/**
 * What the HTTP server itself decides before any handler runs (src/app.factory.ts on Fastify):
 * which bodies count as JSON, URLs the router cannot decode, the first hook's request id, and
 * whose address the audit record names behind a proxy.
 */
let gw: GatewayHarness;
let proxied: GatewayHarness;

beforeAll(async () => {
  gw = await startGateway({ env: { CORS_ORIGINS: 'https://console.example' } });
  proxied = await startGateway({ env: { TRUST_PROXY: 'loopback' }, issuer: gw.issuer });
});
afterAll(async () => {
  await proxied?.close();
  await gw?.close();
});
beforeEach(() => {
  gw.simulator.resetRequests();
});

const terminatePath = (id: string) => `/api/v1/sessions/${id}/terminate`;

describe('request bodies', () => {
  it.each([
    ['a string', '"reason"'],
    ['a number', '42'],
    ['null', 'null'],
    ['a prototype-poisoning key', '{"reason":"x","__proto__":{"admin":true}}'],
    ['a truncated document', '{"reason": '],
  ])('refuses %s as the JSON body (400, no upstream call)', async (_name, body) => {
    const { sessionId } = gw.simulator.addSession();
    const res = await gw.request('POST', terminatePath(sessionId), {
      token: gw.tokens.operator,
      body,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json).toMatchObject({
      code: 'BAD_USER_INPUT',
      requestId: res.headers.get('x-request-id'),
    });
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('takes application/*+json like application/json', async () => {
    const { sessionId } = gw.simulator.addSession();
    const res = await gw.request('POST', terminatePath(sessionId), {
      token: gw.tokens.operator,
      body: { reason: 'vendor media type' },
      headers: { 'content-type': 'application/vnd.pam+json; charset=utf-8' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ sessionId, terminated: true });
  });

  it('treats an empty JSON body as no body', async () => {
    const { sessionId } = gw.simulator.addSession();
    const res = await gw.request('POST', terminatePath(sessionId), {
      token: gw.tokens.operator,
      headers: { 'content-type': 'application/json', 'content-length': '0' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ sessionId, terminated: true });
  });
});

describe('URLs the router refuses', () => {
  it('answers a malformed %-encoding as BAD_USER_INPUT in the gateway shape', async () => {
    const res = await gw.request('POST', '/api/v1/sessions/%E0%A4%A/terminate', {
      token: gw.tokens.operator,
      body: { reason: 'x' },
      headers: { 'x-request-id': 'bad-url-1' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('x-request-id')).toBe('bad-url-1');
    expect(res.json).toMatchObject({ code: 'BAD_USER_INPUT', requestId: 'bad-url-1' });
    expect(gw.simulator.requests).toHaveLength(0);
  });
});

describe('the request id comes first', () => {
  it('is on a CORS preflight answered before any middleware', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://console.example',
        'access-control-request-method': 'POST',
        'x-request-id': 'preflight-1',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://console.example');
    expect(res.headers.get('x-request-id')).toBe('preflight-1');
  });
});

describe('the actor address behind a proxy', () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.7' };

  it.each([
    ['the socket peer unless TRUST_PROXY says who may forward', () => gw, '127.0.0.1'],
    ['the forwarded client when the peer is a trusted proxy', () => proxied, '203.0.113.7'],
  ])('is %s', async (_name, harness, ip) => {
    const h = harness();
    const { sessionId } = h.simulator.addSession();
    const res = await h.request('POST', terminatePath(sessionId), {
      token: h.tokens.operator,
      headers: forwarded,
    });
    expect(res.status).toBe(200);
    const [record] = await readAuditRecords(h.url, { token: h.tokens.auditor }, { sessionId });
    expect(record.actor.ip).toBe(ip);
  });
});

describe('caching', () => {
  it('marks GraphQL answers no-store, with or without errors', async () => {
    const ok = await gw.graphql('{ __typename }', undefined, gw.tokens.operator);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const bad = await gw.graphql('{ nope }', undefined, gw.tokens.operator);
    expect(bad.json.errors).toBeDefined();
    expect(bad.headers.get('cache-control')).toBe('no-store');
  });
});
