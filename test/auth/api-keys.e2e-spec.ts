import { createHash } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { AuthModule } from '../../src/auth/auth.module';
import { ConfigModule } from '../../src/config';
import { AUDIENCE, startAuthTestApp, testConfig, type AuthTestApp } from './support/auth-test-app';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

// Service keys (X-Api-Key) from AUTH_API_KEYS_FILE, next to bearer tokens from a real issuer.
const KEY = 'k_live_7Qe3pY2w9ZsVb81xN4tH';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let issuer: IssuerHandle;
let gw: AuthTestApp;
let noKeysGw: AuthTestApp;

beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startAuthTestApp(issuer.url, {
    apiKeys: `- id: billing-svc\n  sha256: ${sha256(KEY)}\n  roles: [session-operator]\n- id: reporting\n  sha256: ${sha256('another-key')}\n  roles: []\n`,
  });
  noKeysGw = await startAuthTestApp(issuer.url);
});

afterAll(async () => {
  await gw?.close();
  await noKeysGw?.close();
  await issuer?.stop();
});

const get = async (base: string, path: string, headers: Record<string, string>) => {
  const res = await fetch(`${base}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
};

it('a valid key authenticates as a service with the entry roles', async () => {
  const res = await get(gw.url, '/t/whoami', { 'x-api-key': KEY });
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({
    id: 'billing-svc',
    kind: 'service',
    name: 'billing-svc',
    roles: ['session-operator'],
  });
});

it('a key whose entry has no roles authenticates but is forbidden', async () => {
  expect((await get(gw.url, '/t/whoami', { 'x-api-key': 'another-key' })).status).toBe(403);
});

it('an unknown key is refused with the generic answer, and the key is not echoed', async () => {
  const res = await get(gw.url, '/t/whoami', { 'x-api-key': `${KEY}x` });
  expect(res.status).toBe(401);
  expect(res.json).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Authentication required' });
  expect(res.text).not.toContain(KEY);
});

it('a key is refused when no keys file is configured', async () => {
  expect((await get(noKeysGw.url, '/t/whoami', { 'x-api-key': KEY })).status).toBe(401);
});

it('both a bearer token and a key are refused as ambiguous, even when both are valid', async () => {
  const token = await issuer.token({
    payload: { sub: 'u-1', aud: AUDIENCE, roles: ['session-operator'] },
  });
  expect((await get(gw.url, '/t/whoami', { authorization: `Bearer ${token}` })).status).toBe(200);
  const res = await get(gw.url, '/t/whoami', {
    authorization: `Bearer ${token}`,
    'x-api-key': KEY,
  });
  expect(res.status).toBe(401);
  expect(res.json).toMatchObject({ message: 'Authentication required' });
});

describe('a malformed keys file stops start-up', () => {
  const compile = (apiKeys: string) =>
    Test.createTestingModule({
      imports: [ConfigModule.forRoot(testConfig(issuer.url, { apiKeys })), AuthModule],
    }).compile();

  it.each([
    ['not a list', 'id: x\n', /must be a list/],
    [
      'bad hash',
      '- id: a\n  sha256: abc\n  roles: []\n',
      /\[0\]\.\[sha256\]: must be the hex SHA-256/,
    ],
    ['missing roles', `- id: a\n  sha256: ${sha256('a')}\n`, /\[0\]\.\[roles\]/],
    [
      'unknown field',
      `- id: a\n  sha256: ${sha256('a')}\n  roles: []\n  key: plain\n`,
      /Unrecognized key.*"key"/,
    ],
    [
      'duplicate id',
      `- {id: a, sha256: ${sha256('a')}, roles: []}\n- {id: a, sha256: ${sha256('b')}, roles: []}\n`,
      /duplicate id "a"/,
    ],
    ['broken YAML', '- id: [unclosed\n', /not valid YAML\/JSON/],
  ])('%s', async (_name, contents, problem) => {
    const err = await compile(contents).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).toMatch(/^Invalid API keys file \/.*keys\.yaml \(AUTH_API_KEYS_FILE\):/);
    expect(err?.message).toMatch(problem);
  });
});
