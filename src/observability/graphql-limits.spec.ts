import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import { GRAPHQL_LIMITS, graphqlLimits, queryCost } from './graphql-limits';

// A recursive schema, so depth can be exceeded (the gateway's own schema is shallow).
const schema = buildSchema(`
  type Node { name: String, child: Node }
  type Query { node: Node, other: String }
`);

function errorsFor(query: string): string[] {
  const { validationRules } = graphqlLimits(true);
  return validate(schema, parse(query), validationRules).map((e) => e.message);
}

function nested(depth: number): string {
  let selection = 'name';
  for (let i = 0; i < depth; i++) selection = `child { ${selection} }`;
  return `{ node { ${selection} } }`;
}

describe('graphqlLimits', () => {
  it('accepts a document within every limit', () => {
    expect(errorsFor(nested(3))).toEqual([]);
  });

  it('refuses a document deeper than the limit', () => {
    expect(errorsFor(nested(GRAPHQL_LIMITS.maxDepth + 1)).join(' ')).toMatch(/depth/i);
  });

  it('refuses more aliases than the limit', () => {
    const aliases = Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: other`);
    expect(errorsFor(`{ ${aliases.join(' ')} }`).join(' ')).toMatch(/alias/i);
  });

  it('refuses more root fields than the limit', () => {
    const fields = Array.from({ length: GRAPHQL_LIMITS.maxRootFields + 1 }, () => 'other').join(
      ' ',
    );
    expect(errorsFor(`{ ${fields} }`).join(' ')).toMatch(/root fields/i);
  });
});

describe('queryCost', () => {
  // The gateway's own contract, as committed.
  const gateway = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema.gql'), 'utf8'));
  const SESSION = `sessionId recordId user originIp credential device deviceHost devicePort
    protocol proxy start end durationSeconds active itsm`;
  const CONNECTION = `totalCount stale ageSeconds fetchedAt nextCursor nodes { ${SESSION} }`;
  const EVENT = `id seq time requestId channel actor { id kind name roles ip userAgent } action
    sessionId reason decision outcome errorCode upstream { status message durationMs } detailsJson
    parentId prevHash hash outcomeSeq outcomeHash outcomeTime`;
  const BULK = `dryRun matched terminatedCount failedCount auditEventId fetchedAt requestId replayed
    results { sessionId terminated alreadyEnded verified code message auditEventId
      session { ${SESSION} } }`;

  function cost(query: string, variables: Record<string, unknown> = {}): number {
    const document = parse(query);
    expect(validate(gateway, document)).toEqual([]);
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )!;
    // Coerced as the plugin does (defaults filled in).
    const coerced = getVariableValues(gateway, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) throw coerced.errors[0];
    return queryCost(gateway, document, operation, coerced.coerced);
  }

  it('costs the largest documented answers as the budget assumes, each within it', () => {
    const costs = [
      cost(`{ remoteSessions(first: 500) { ${CONNECTION} } }`),
      cost(`{ auditEvents(first: 200) { nodes { ${EVENT} } nextCursor } }`),
      cost(`mutation { terminateSessions(filter: { all: true }) { ${BULK} } }`),
    ];
    expect(costs).toEqual([7507, 5803, 11510]);
    expect(Math.max(...costs)).toBeLessThanOrEqual(GRAPHQL_LIMITS.maxCost);
  });

  it('takes the page size from a variable, or from the argument default', () => {
    const literal = cost(`{ remoteSessions(first: 120) { ${CONNECTION} } }`);
    const variable = cost(`query Q($n: Int) { remoteSessions(first: $n) { ${CONNECTION} } }`, {
      n: 120,
    });
    const variableDefault = cost(
      `query Q($n: Int = 120) { remoteSessions(first: $n) { ${CONNECTION} } }`,
    );
    expect([literal, variable, variableDefault]).toEqual([1807, 1807, 1807]);
    // Omitted or null: the argument's own default, 50.
    expect(cost(`{ remoteSessions { ${CONNECTION} } }`)).toBe(757);
    expect(cost(`query Q($n: Int) { remoteSessions(first: $n) { ${CONNECTION} } }`)).toBe(757);
    expect(
      cost(`query Q($n: Int) { remoteSessions(first: $n) { ${CONNECTION} } }`, { n: null }),
    ).toBe(757);
  });

  it('adds up aliased root fields past the budget', () => {
    const pages = [0, 1, 2, 3, 4].map((i) => `p${i}: remoteSessions(first: 500) { ${CONNECTION} }`);
    expect(cost(`{ ${pages.join(' ')} }`)).toBe(5 * 7507);
    expect(5 * 7507).toBeGreaterThan(GRAPHQL_LIMITS.maxCost);
  });

  it('costs fragments where they are spread, each once, however often they are spread', () => {
    const viaFragments = cost(
      `query Q($n: Int) { remoteSessions(first: $n) { ...C } }
      fragment C on RemoteSessionConnection { totalCount ... on RemoteSessionConnection { nodes { ...S } } }
      fragment S on RemoteSession { sessionId user }`,
      { n: 10 },
    );
    expect(viaFragments).toBe(1 + 1 + 1 + 10 * 2);
    // F40 stands for 2^40 sessionId fields: expanded, this would never finish.
    const levels = Array.from(
      { length: 40 },
      (_, i) => `fragment F${i + 1} on RemoteSession { ...F${i} ...F${i} }`,
    );
    const doubling = cost(`{ remoteSessions(first: 1) { nodes { ...F40 } } }
      fragment F0 on RemoteSession { sessionId } ${levels.join(' ')}`);
    expect(doubling).toBe(2 + 2 ** 40);
  });

  it('counts __typename as a field and introspection as nothing', () => {
    expect(cost('{ __typename }')).toBe(1);
    expect(cost('{ __schema { types { name fields { name type { name } } } } }')).toBe(0);
  });
});
