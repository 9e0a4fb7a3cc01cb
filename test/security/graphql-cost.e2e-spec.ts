import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getNamedType, type GraphQLObjectType, isLeafType } from 'graphql';
import { GRAPHQL_LIMITS } from '../../src/observability/graphql-limits';
import { type GatewayHarness, startGateway } from '../support/gateway';

/**
 * The GraphQL cost limit lets every documented maximum page through, with every field, and
 * refuses what is over budget whether the page size is written in the document or passed as a
 * variable: the cost is computed once the variables are known.
 */
const POLICY = `roles:
  session-viewer: [session:read]
  auditor: [audit:read]
  incident-commander: [session:terminate, session:read, session:terminate:bulk]
`;

// "Every field" from the committed schema, so the test follows the contract as it grows.
const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema.gql'), 'utf8'));
function everyField(typeName: string): string {
  const type = schema.getType(typeName) as GraphQLObjectType;
  return Object.values(type.getFields())
    .map((f) => {
      const named = getNamedType(f.type);
      return isLeafType(named) ? f.name : `${f.name} { ${everyField(named.name)} }`;
    })
    .join(' ');
}
const SESSIONS = everyField('RemoteSessionConnection');
const AUDIT = everyField('AuditEventConnection');
const BULK = everyField('TerminateSessionsPayload');

// The README's own example ("Finding sessions"), as written there.
const README_EXAMPLE = `query {
  remoteSessions(filter: { user: "admin-x", active: true }, first: 50) {
    totalCount
    stale
    ageSeconds
    fetchedAt
    nextCursor
    nodes {
      sessionId
      recordId
      user
      originIp
      credential
      device
      deviceHost
      devicePort
      protocol
      proxy
      start
      end
      durationSeconds
      active
      itsm
    }
  }
}`;

const FIVE_PAGES_LITERAL = `query { ${[0, 1, 2, 3, 4]
  .map((i) => `p${i}: remoteSessions(first: 500) { ${SESSIONS} }`)
  .join(' ')} }`;
const FIVE_PAGES_VARIABLE = `query Q($n: Int) { ${[0, 1, 2, 3, 4]
  .map((i) => `p${i}: remoteSessions(first: $n) { ${SESSIONS} }`)
  .join(' ')} }`;
const FIVE_PAGES_FRAGMENT = `query Q($n: Int = 500) { ${[0, 1, 2, 3, 4]
  .map((i) => `p${i}: remoteSessions(first: $n) { ...Page }`)
  .join(' ')} }
  fragment Page on RemoteSessionConnection { totalCount ... on RemoteSessionConnection { nodes { ...S } } }
  fragment S on RemoteSession { ${everyField('RemoteSession')} }`;

let gw: GatewayHarness;
let commander: string;
beforeAll(async () => {
  gw = await startGateway({ policy: POLICY, simulator: { seed: 600 } });
  commander = await gw.issuer.token({
    payload: { aud: 'pam-gateway', sub: 'frank', roles: ['incident-commander'] },
  });
});
afterAll(async () => {
  await gw?.close();
});

async function answered(query: string, variables: Record<string, unknown>, token: string) {
  const res = await gw.graphql(query, variables, token);
  expect({ status: res.status, errors: res.json.errors }).toEqual({
    status: 200,
    errors: undefined,
  });
  return res.json.data;
}

describe('within budget', () => {
  it("answers the README's example with all its fields", async () => {
    const data = await answered(README_EXAMPLE, {}, gw.tokens.viewer);
    expect(data.remoteSessions.nodes.length).toBeGreaterThan(0);
  });

  it('answers remoteSessions(first: 500) with every field, written in the document', async () => {
    const data = await answered(
      `query { remoteSessions(first: 500) { ${SESSIONS} } }`,
      {},
      gw.tokens.viewer,
    );
    expect(data.remoteSessions.nodes).toHaveLength(500);
  });

  it('answers remoteSessions(first: 500) with every field, passed as a variable', async () => {
    const data = await answered(
      `query Q($n: Int) { remoteSessions(first: $n) { ${SESSIONS} } }`,
      { n: 500 },
      gw.tokens.viewer,
    );
    expect(data.remoteSessions.nodes).toHaveLength(500);
  });

  it('answers auditEvents at its largest page with every field, literal and variable', async () => {
    const literal = await answered(
      `query { auditEvents(first: 200) { ${AUDIT} } }`,
      {},
      gw.tokens.auditor,
    );
    expect(literal.auditEvents.nodes.length).toBeGreaterThan(0);
    const variable = await answered(
      `query Q($n: Int) { auditEvents(first: $n) { ${AUDIT} } }`,
      { n: 200 },
      gw.tokens.auditor,
    );
    expect(variable.auditEvents.nodes.length).toBeGreaterThan(0);
  });

  it('answers a bulk dry run with every field of its results', async () => {
    const data = await answered(
      `mutation { terminateSessions(filter: { all: true }, dryRun: true) { ${BULK} } }`,
      {},
      commander,
    );
    expect(data.terminateSessions.results.length).toBeGreaterThan(100);
  });
});

describe('over budget', () => {
  /** The refusal in the shape of the other request-level refusals (alias limit: HTTP 400). */
  async function refused(query: string, variables: Record<string, unknown> = {}) {
    const aliasRefusal = await gw.graphql(
      `query { ${[0, 1, 2, 3, 4, 5].map((i) => `a${i}: __typename`).join(' ')} }`,
      {},
      gw.tokens.viewer,
    );
    gw.simulator.resetRequests();
    const reads = await sessionReads();
    const res = await gw.graphql(query, variables, gw.tokens.viewer);
    expect(res.json.data ?? null).toBeNull();
    expect(res.json.errors).toHaveLength(1);
    const [error] = res.json.errors as Array<{ message: string; extensions: { code: string } }>;
    expect({ status: res.status, code: error.extensions.code }).toEqual({
      status: aliasRefusal.status,
      code: 'BAD_USER_INPUT',
    });
    expect(aliasRefusal.status).toBe(400);
    expect(Object.keys(error.extensions).sort()).toEqual(['code', 'requestId']);
    const m = /^Query cost (\d+) exceeds the limit of (\d+)$/.exec(error.message);
    expect({ message: error.message, clear: m !== null }).toEqual({
      message: error.message,
      clear: true,
    });
    expect(Number(m![2])).toBe(GRAPHQL_LIMITS.maxCost);
    expect(Number(m![1])).toBeGreaterThan(GRAPHQL_LIMITS.maxCost);
    // Nothing ran: no list fetched, no read recorded.
    expect(gw.simulator.requests).toHaveLength(0);
    expect(await sessionReads()).toBe(reads);
  }

  async function sessionReads(): Promise<number> {
    const res = await gw.request('GET', '/api/v1/audit-events?action=session.read&limit=200', {
      token: gw.tokens.auditor,
    });
    expect(res.status).toBe(200);
    return (res.json.items as unknown[]).length;
  }

  it('refuses five aliased maximum pages written in the document', async () => {
    await refused(FIVE_PAGES_LITERAL);
  });

  it('refuses five aliased maximum pages whose size is a variable', async () => {
    await refused(FIVE_PAGES_VARIABLE, { n: 500 });
  });

  it("refuses them through fragments, with the variable's default", async () => {
    await refused(FIVE_PAGES_FRAGMENT);
  });
});
