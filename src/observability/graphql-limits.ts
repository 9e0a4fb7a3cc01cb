import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type ValidationRule } from 'graphql';

/** Bounds on what one GraphQL document may ask for; generous for real clients, tight for abuse. */
export const GRAPHQL_LIMITS = {
  maxDepth: 8,
  maxAliases: 5,
  maxRootFields: 5,
  maxCost: 1000,
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

/**
 * Depth, alias, cost, token and directive limits (graphql-armor) plus the root-field limit.
 * Field suggestions ("did you mean …") are blocked in production, where introspection is off too.
 */
export function graphqlLimits(production: boolean): {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
} {
  const armor = new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
    costLimit: { maxCost: GRAPHQL_LIMITS.maxCost },
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
    plugins: protection.plugins,
  };
}
