import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  type GraphQLCompositeType,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type NamedTypeNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  typeFromAST,
  type ValidationRule,
} from 'graphql';

/**
 * Object lists without a page argument (a bulk request's `results`, as many as it matched)
 * are counted as one maximum page: the largest page any list field serves.
 */
export const UNPAGED_LIST_SIZE = 500;

/** Bounds on what one GraphQL document may ask for; generous for real clients, tight for abuse. */
export const GRAPHQL_LIMITS = {
  maxDepth: 8,
  maxAliases: 5,
  maxRootFields: 5,
  // The cost model is queryCost's: 1 per field, object lists times their page size. The
  // largest documented answers, with every field: a bulk request's results 12,010 (500
  // counted x 24, plus 10), remoteSessions(first: 500) 8,007 (500 x 16 + 7), auditEvents(first:
  // 200) 5,803 (200 x 29 + 3). 12,500 lets any one of them through with room for a few small
  // fields beside it. Two maximum session pages (16,014) or one beside an audit page (13,810)
  // do not fit (two audit pages, 11,606, just do); five aliased maximum session pages (40,035)
  // are far over. Smaller pages share the budget; maxAliases and maxRootFields bound the rest.
  maxCost: 12_500,
  maxTokens: 1000,
  maxDirectives: 10,
} as const;

/** At most `max` fields at the root of each operation (one request cannot fan out widely). */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const count = node.selectionSet.selections.filter((s) => s.kind === Kind.FIELD).length;
      if (count > max) {
        context.reportError(
          new GraphQLError(`Too many root fields: ${count}, at most ${max} allowed`, {
            nodes: [node],
          }),
        );
      }
    },
  });
}

const PAGE_ARGUMENT = 'first';

/**
 * What answering `operation` costs at most, with the variables' (coerced) values: every field
 * costs 1, and an object field costs 1 plus its selection's cost, times the page size when it
 * is a list. The page size is the `first` argument of the list field or of the field the list
 * belongs to (a connection's `nodes` take their connection's), as given literally, by a
 * variable or by the argument's default; lists without one count as UNPAGED_LIST_SIZE.
 * Fragments cost what their fields cost where they are spread (each computed once).
 * Introspection costs nothing (it is off in production).
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  // A fragment spread many times (or spreading others many times) is costed once per page size.
  const fragmentCosts = new Map<string, number>();

  const typeOf = (node: NamedTypeNode, fallback: GraphQLCompositeType) => {
    const t = typeFromAST(schema, node);
    return isCompositeType(t) ? t : fallback;
  };

  const selectionCost = (
    set: SelectionSetNode,
    type: GraphQLCompositeType,
    page: number | undefined,
  ): number => {
    let cost = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        cost += fieldCost(s, type, page);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const t = s.typeCondition ? typeOf(s.typeCondition, type) : type;
        cost += selectionCost(s.selectionSet, t, page);
      } else {
        const key = `${s.name.value}\0${page}`;
        let c = fragmentCosts.get(key);
        if (c === undefined) {
          const f = fragments.get(s.name.value);
          c = f ? selectionCost(f.selectionSet, typeOf(f.typeCondition, type), page) : 0;
          fragmentCosts.set(key, c);
        }
        cost += c;
      }
    }
    return cost;
  };

  const fieldCost = (
    node: FieldNode,
    parent: GraphQLCompositeType,
    page: number | undefined,
  ): number => {
    const name = node.name.value;
    if (name === '__schema' || name === '__type') return 0;
    const def =
      isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
    if (!def || !node.selectionSet) return 1;
    const own = pageSize(def, node, variables);
    const list = isListType(getNullableType(def.type));
    const inner = getNamedType(def.type) as GraphQLCompositeType;
    if (list) {
      const size = own ?? page ?? UNPAGED_LIST_SIZE;
      return 1 + size * selectionCost(node.selectionSet, inner, undefined);
    }
    // A connection: its page size applies to the list inside it.
    return 1 + selectionCost(node.selectionSet, inner, own ?? page);
  };

  const root = schema.getRootType(operation.operation);
  return root ? selectionCost(operation.selectionSet, root, undefined) : 0;
}

/** The field's `first` as it will be resolved; undefined when the field takes no page size. */
function pageSize(
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): number | undefined {
  const arg = def.args.find((a) => a.name === PAGE_ARGUMENT);
  if (!arg) return undefined;
  // Valid by now (validation, coerced variables): the values execution will pass.
  const value = getArgumentValues(def, node, variables)[PAGE_ARGUMENT] ?? arg.defaultValue;
  // A resolver refuses sizes out of its range; an estimate only needs to be no smaller.
  return typeof value === 'number' ? Math.max(0, value) : UNPAGED_LIST_SIZE;
}

/**
 * Refuses an operation whose cost (queryCost) exceeds `maxCost`, once its variables are known:
 * validation never sees them, so a page size passed as a variable would escape a validation
 * rule. Refused like the other request-level limits: BAD_USER_INPUT, HTTP 400, before any
 * resolver runs.
 */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  const listener: GraphQLRequestListener<Record<string, unknown>> = {
    async didResolveOperation({ schema, document, operation, request }) {
      if (!operation) return; // resolved by now; typed optional for the earlier hooks
      const coerced = getVariableValues(
        schema,
        operation.variableDefinitions ?? [],
        request.variables ?? {},
      );
      // Variables that do not fit their types: execution refuses them before any resolver.
      if (coerced.errors) return;
      const cost = queryCost(schema, document, operation, coerced.coerced);
      if (cost > maxCost) {
        throw new GraphQLError(`Query cost ${cost} exceeds the limit of ${maxCost}`, {
          extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
        });
      }
    },
  };
  return { requestDidStart: () => Promise.resolve(listener) };
}

/**
 * Depth, alias, token and directive limits (graphql-armor), the root-field limit and the cost
 * limit (costLimitPlugin; graphql-armor's own cost rule reads only page sizes written in the
 * document). Field suggestions ("did you mean …") are blocked in production, where
 * introspection is off too.
 */
export function graphqlLimits(production: boolean): {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
} {
  const armor = new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
    costLimit: { enabled: false },
    maxTokens: { n: GRAPHQL_LIMITS.maxTokens },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
    blockFieldSuggestion: { enabled: production },
  });
  const protection = armor.protect();
  return {
    validationRules: [
      ...protection.validationRules,
      maxRootFieldsRule(GRAPHQL_LIMITS.maxRootFields),
    ],
    plugins: [...protection.plugins, costLimitPlugin(GRAPHQL_LIMITS.maxCost)],
  };
}
