import { type GatewayHarness, startGateway } from '../support/gateway';
import { ensureConsoleBuilt } from './support/browser';

const ME = '{ me { id name roles permissions requireReason bulkMax } }';
const POLICY = `roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
  auditor: [audit:read]
  bulk-operator: [session:terminate, session:read, session:terminate:bulk]
options:
  requireReason: true
  bulkMax: 7
`;

// First in the file: start-up log lines reach the harness of the first gateway a process
// creates (Nest's logger is process-wide), so only this one checks them.
describe('serving the console', () => {
  it('is off without CONSOLE_OIDC_CLIENT_ID, and the start log says why', async () => {
    const gw = await startGateway();
    try {
      expect(
        gw.logs.some((l) => l.includes('console off: CONSOLE_OIDC_CLIENT_ID is not set')),
      ).toBe(true);
      expect((await gw.request('GET', '/console/')).status).toBe(404);
      expect((await gw.request('GET', '/console/config.json')).status).toBe(404);
    } finally {
      await gw.close();
    }
  });

  it('is off with CONSOLE=false even with a client id', async () => {
    const gw = await startGateway({ env: { CONSOLE: 'false', CONSOLE_OIDC_CLIENT_ID: 'c' } });
    try {
      expect((await gw.request('GET', '/console/config.json')).status).toBe(404);
    } finally {
      await gw.close();
    }
  });

  it('serves only files of the build: no path leaves it', async () => {
    ensureConsoleBuilt();
    const gw = await startGateway({ env: { CONSOLE_OIDC_CLIENT_ID: 'pam-console' } });
    try {
      for (const path of [
        '/console/../package.json',
        '/console/%2e%2e/package.json',
        '/console/assets/..%2f..%2fpackage.json',
        '/console/%E0%A4%A',
        '/console/index.html.map',
      ]) {
        const res = await gw.request('GET', path);
        expect([400, 404]).toContain(res.status);
        expect(res.text).not.toContain('"name": "pam-gateway"');
      }
      const index = await gw.request('GET', '/console/');
      const etag = index.headers.get('etag')!;
      const again = await gw.request('GET', '/console/', { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    } finally {
      await gw.close();
    }
  });
});

describe('me (any authenticated caller, no permission)', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ policy: POLICY });
  });
  afterAll(() => gw?.close());

  it('answers identity, permissions and the policy options that matter', async () => {
    const res = await gw.graphql(ME, {}, gw.tokens.operator);
    expect(res.json.data.me).toEqual({
      id: 'alice',
      name: 'alice',
      roles: ['session-operator'],
      permissions: ['session:terminate', 'session:read'],
      requireReason: true,
      bulkMax: 7,
    });
  });

  it('answers a caller without roles too: authentication is all it needs', async () => {
    const res = await gw.graphql(ME, {}, gw.tokens.noRoles);
    expect(res.json.data.me).toMatchObject({ id: 'dave', roles: [], permissions: [] });
  });

  it('has no bulk maximum for a holder of session:terminate:bulk', async () => {
    const token = await gw.issuer.token({
      payload: { aud: 'pam-gateway', sub: 'erin', roles: ['bulk-operator'] },
    });
    const res = await gw.graphql(ME, {}, token);
    expect(res.json.data.me.bulkMax).toBeNull();
  });

  it('refuses a caller without credentials', async () => {
    const res = await gw.graphql(ME);
    expect(res.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.json.data).toBeNull();
  });

  it('tells per listed session whether the caller may terminate it', async () => {
    const q = '{ remoteSessions(filter: {active: true}, first: 3) { nodes { canTerminate } } }';
    const operator = await gw.graphql(q, {}, gw.tokens.operator);
    const viewer = await gw.graphql(q, {}, gw.tokens.viewer);
    const canOf = (r: typeof operator) =>
      r.json.data.remoteSessions.nodes.map((n: { canTerminate: boolean }) => n.canTerminate);
    expect(canOf(operator)).toEqual([true, true, true]);
    expect(canOf(viewer)).toEqual([false, false, false]);
  });
});
