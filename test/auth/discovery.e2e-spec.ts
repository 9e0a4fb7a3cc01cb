import { SigningKeyService } from '../../src/auth/signing-key.service';
import { AUDIENCE, logs, startAuthTestApp, type AuthTestApp } from './support/auth-test-app';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

// Where the keys come from: discovery on first use (outages tolerated) or AUTH_JWKS_URL.
let issuer: IssuerHandle;
const apps: AuthTestApp[] = [];
const payload = {
  sub: 'u-dana',
  aud: AUDIENCE,
  preferred_username: 'dana',
  roles: ['session-viewer'],
};

beforeAll(async () => {
  issuer = await startIssuer();
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await issuer?.stop();
});

async function start(
  env: Record<string, string> = {},
  issuerUrl = issuer.url,
): Promise<AuthTestApp> {
  const app = await startAuthTestApp(issuerUrl, { env });
  apps.push(app);
  return app;
}

const whoami = (gw: AuthTestApp, token: string, requestId = 'rid') =>
  fetch(`${gw.url}/t/whoami`, {
    headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId },
  });

it('uses AUTH_JWKS_URL when given', async () => {
  const gw = await start({ AUTH_JWKS_URL: `${issuer.url}/jwks` });
  expect((await whoami(gw, await issuer.token({ payload }))).status).toBe(200);
});

it('starts while the issuer is down, refuses tokens meanwhile, and recovers without a restart', async () => {
  const token = await issuer.token({ payload });
  await issuer.pause();
  let paused = true;
  try {
    const gw = await start();
    gw.app.get(SigningKeyService).discoveryRetryMs = 0;
    const res = await whoami(gw, token, 'rid-idp-down');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Authentication required',
    });
    expect(logs.lines.some((l) => l.startsWith('error OIDC discovery failed'))).toBe(true);
    expect(logs.lines.find((l) => l.includes('rid-idp-down'))).toMatch(
      /^warn oidc discovery failed/,
    );
    expect((await fetch(`${gw.url}/t/public`)).status).toBe(200);

    await issuer.resume();
    paused = false;
    expect((await whoami(gw, token)).status).toBe(200);
  } finally {
    if (paused) await issuer.resume();
  }
});

it('refuses a discovery document whose issuer differs from AUTH_ISSUER, trailing slash included', async () => {
  const gw = await start({}, `${issuer.url}/`);
  expect((await whoami(gw, await issuer.token({ payload }), 'rid-slash')).status).toBe(401);
  expect(
    logs.lines.some(
      (l) => l.startsWith('error OIDC discovery failed') && l.includes('must match exactly'),
    ),
  ).toBe(true);
});
