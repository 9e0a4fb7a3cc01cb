import { GRAPHQL_LIMITS } from '../../src/observability/graphql-limits';
import { GatewayHarness, startGateway } from '../support/gateway';

/** Abusive GraphQL documents are refused before any resolver runs, in the gateway's error shape. */
let gw: GatewayHarness;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.close();
});
beforeEach(() => gw.simulator.resetRequests());

async function refused(query: string): Promise<string[]> {
  const res = await gw.graphql(query, undefined, gw.tokens.operator);
  expect(res.json.data ?? null).toBeNull();
  expect(gw.simulator.requests).toHaveLength(0);
  return (res.json.errors as Array<{ message: string; extensions: { code: string } }>).map((e) => {
    expect(e.extensions.code).toBe('BAD_USER_INPUT');
    return e.message;
  });
}

it('refuses more aliases than allowed (no fan-out of terminations in one document)', async () => {
  const fields = Array.from(
    { length: GRAPHQL_LIMITS.maxAliases + 1 },
    (_, i) => `t${i}: terminateSession(id: "abc${i}") { terminated }`,
  ).join('\n');
  const messages = await refused(`mutation { ${fields} }`);
  expect(messages.join(' ')).toMatch(/alias/i);
});

it('refuses more root fields than allowed', async () => {
  const fields = Array.from({ length: GRAPHQL_LIMITS.maxRootFields + 1 }, () => `__typename`).join(
    ' ',
  );
  const messages = await refused(`query { ${fields} }`);
  expect(messages.join(' ')).toMatch(/root fields/i);
});

it('refuses documents longer than the token limit (checked while parsing)', async () => {
  const res = await gw.graphql(
    `query { ${Array.from({ length: GRAPHQL_LIMITS.maxTokens }, () => '__typename').join(' ')} }`,
    undefined,
    gw.tokens.operator,
  );
  expect(res.json.data ?? null).toBeNull();
  expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  expect(res.json.errors[0].message).toMatch(/token/i);
});

it('refuses batched requests', async () => {
  const res = await gw.request('POST', '/graphql', {
    token: gw.tokens.operator,
    body: [{ query: '{ __typename }' }, { query: '{ __typename }' }],
  });
  expect(res.status).toBe(400);
});

it('requires a preflight-forcing header on GraphQL GET requests (CSRF prevention)', async () => {
  const res = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
    headers: { authorization: `Bearer ${gw.tokens.operator}` },
  });
  expect(res.status).toBe(400);
  expect(await res.text()).toMatch(/CSRF|preflight/i);
});
