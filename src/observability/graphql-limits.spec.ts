import { buildSchema, parse, validate } from 'graphql';
import { GRAPHQL_LIMITS, graphqlLimits } from './graphql-limits';

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
