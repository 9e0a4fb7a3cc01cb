import { Test } from '@nestjs/testing';
import { ConfigModule } from '../../src/config';
import { RbacModule } from '../../src/rbac/rbac.module';
import {
  AUDIENCE,
  logs,
  startAuthTestApp,
  testConfig,
  type AuthTestApp,
} from './support/auth-test-app';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

// The RBAC guard behind the auth guard: deny by default, denied attempts reported for audit.
let issuer: IssuerHandle;
let gw: AuthTestApp;
let operator: string;
let viewer: string;

beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startAuthTestApp(issuer.url);
  const token = (name: string, roles: string[]) =>
    issuer.token({ payload: { sub: `u-${name}`, aud: AUDIENCE, preferred_username: name, roles } });
  operator = await token('olga', ['session-operator']);
  viewer = await token('victor', ['session-viewer', 'not-in-policy']);
});

afterAll(async () => {
  await gw?.close();
  await issuer?.stop();
});

beforeEach(() => {
  gw.recorder.calls.length = 0;
  gw.recorder.failWith = undefined;
});

const terminate = (token: string, body: unknown, requestId = 'rid-terminate') =>
  fetch(`${gw.url}/t/sessions/S-42/terminate`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-request-id': requestId,
    },
    body: JSON.stringify(body),
  });

it('allows a role that grants the permission, without recording anything', async () => {
  const res = await terminate(operator, { reason: 'incident 7' });
  expect(res.status).toBe(201);
  expect(gw.recorder.calls).toHaveLength(0);
});

it('denies a viewer and records the attempt once, with the facts of the request', async () => {
  const res = await terminate(viewer, { reason: 'curious' }, 'rid-denied-1');
  expect(res.status).toBe(403);
  expect(await res.json()).toEqual({
    code: 'FORBIDDEN',
    message: 'Forbidden',
    requestId: 'rid-denied-1',
  });
  expect(gw.recorder.calls).toEqual([
    {
      principal: expect.objectContaining({
        id: 'u-victor',
        kind: 'user',
        name: 'victor',
        roles: ['session-viewer', 'not-in-policy'],
      }),
      channel: 'rest',
      requestId: 'rid-denied-1',
      action: 'session.terminate',
      sessionId: 'S-42',
      reason: 'curious',
    },
  ]);
});

it('leaves out a reason that is not a string', async () => {
  expect((await terminate(viewer, { reason: 42 })).status).toBe(403);
  expect(gw.recorder.calls).toHaveLength(1);
  expect(gw.recorder.calls[0].reason).toBeUndefined();
  expect(gw.recorder.calls[0].sessionId).toBe('S-42');
});

it('still denies when the recorder fails, and logs the failure', async () => {
  gw.recorder.failWith = new Error('audit store down');
  expect((await terminate(viewer, {}, 'rid-recorder-down')).status).toBe(403);
  expect(gw.recorder.calls).toHaveLength(1);
  expect(
    logs.lines.some((l) =>
      l.startsWith('error could not record denied session.terminate (requestId=rid-recorder-down)'),
    ),
  ).toBe(true);
});

it('denies a route that declares no permission, even to the most privileged caller, and says which', async () => {
  const res = await fetch(`${gw.url}/t/undeclared`, {
    headers: { authorization: `Bearer ${operator}` },
  });
  expect(res.status).toBe(403);
  expect(
    logs.lines.some((l) =>
      l.startsWith('error ProbeController.undeclared declares no @RequirePermission'),
    ),
  ).toBe(true);
  expect(gw.recorder.calls).toHaveLength(0);
});

it('answers an anonymous caller on an undeclared route with 401, not 403', async () => {
  // AuthGuard runs first, so an anonymous caller learns nothing about the route's permissions.
  expect((await fetch(`${gw.url}/t/undeclared`)).status).toBe(401);
});

describe('a malformed policy stops start-up', () => {
  const compile = (policy: string) =>
    Test.createTestingModule({
      imports: [ConfigModule.forRoot(testConfig(issuer.url, { policy })), RbacModule],
    }).compile();

  it.each([
    [
      'unknown permission',
      'roles:\n  viewer: [session:read, session:kill]\n',
      /roles\.viewer\.1: unknown permission "session:kill"/,
    ],
    ['unknown top-level key', 'roles: {}\nrole: {}\n', /\(top level\): Unrecognized key: "role"/],
    ['roles missing', 'options: {}\n', /roles: /],
    ['not a mapping', '- session:read\n', /\(top level\): must be a mapping with a "roles" key/],
    [
      'unknown option',
      'roles: {}\noptions:\n  requireReasons: true\n',
      /options: Unrecognized key: "requireReasons"/,
    ],
    [
      'wrong option type',
      'roles: {}\noptions:\n  requireReason: "yes"\n',
      /options\.requireReason: must be true or false/,
    ],
  ])('%s', async (_name, policy, problem) => {
    const err = await compile(policy).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      /^Invalid RBAC policy file \/.*policy\.yaml \(RBAC_POLICY_FILE\):/,
    );
    expect(err?.message).toMatch(problem);
  });
});
