import { type GatewayHarness, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

/**
 * API_DOCS decides whether the OpenAPI document and its UI are served. An internet-facing
 * deployment turns them off: a map of every route is then no longer handed to anyone who asks,
 * and the paths answer like any unknown route.
 */
let issuer: IssuerHandle;
beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer?.stop();
});

const DOC_PATHS = ['/api/docs', '/api/docs/', '/api/docs-json'];

describe('API_DOCS=false', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ issuer, env: { API_DOCS: 'false' } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it.each(DOC_PATHS)('%s is a 404 problem, as an unknown route', async (path) => {
    const res = await gw.request('GET', path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.json).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(res.json.requestId).toBe(res.headers.get('x-request-id'));
    expect(res.text).not.toMatch(/openapi|swagger/i);
  });

  it('the API itself is unchanged', async () => {
    const res = await gw.request('GET', '/api/v1/sessions?limit=1', { token: gw.tokens.viewer });
    expect(res.status).toBe(200);
  });
});

describe('API_DOCS=true (the default)', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ issuer, env: { API_DOCS: 'true' } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('serves the OpenAPI document and its UI', async () => {
    const json = await gw.request('GET', '/api/docs-json');
    expect(json.status).toBe(200);
    expect(json.json.openapi).toMatch(/^3\./);
    expect(Object.keys(json.json.paths)).toContain('/api/v1/sessions/{id}/terminate');
    const ui = await gw.request('GET', '/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
  });
});
