import type { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@nestjs/common';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { GatewayError, toGatewayError } from '../errors';

const logger = new Logger('Errors');

/** Apollo's codes for documents that never reached a resolver. */
const REQUEST_LEVEL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_FOUND',
]);

/**
 * Apollo formatError: every error leaves with a code from the gateway's taxonomy and the
 * request id; unknown errors with a bare message only.
 */
export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : error;
  const apolloCode = formatted.extensions?.code;
  let gw: GatewayError;
  if (original instanceof GatewayError) {
    gw = original;
  } else if (
    (original === undefined || original instanceof GraphQLError) &&
    typeof apolloCode === 'string' &&
    REQUEST_LEVEL_CODES.has(apolloCode)
  ) {
    // Parse/validation errors: the message is graphql-js's own and safe to repeat. Apollo 5
    // wraps graphql-js's error as the originalError of its own, so that is a GraphQLError too.
    return {
      message: formatted.message,
      locations: formatted.locations,
      extensions: { code: 'BAD_USER_INPUT' },
    };
  } else {
    gw = toGatewayError(original ?? error);
    if (gw.code === 'INTERNAL') logger.error({ err: original ?? error }, 'unhandled GraphQL error');
  }
  const extensions: Record<string, unknown> = { code: gw.code };
  if (gw.field) extensions.field = gw.field;
  if (gw.retryAfterSeconds !== undefined)
    extensions.retryAfterSeconds = Math.ceil(gw.retryAfterSeconds);
  return {
    message: gw.detail ?? gw.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions,
  };
}

/** Adds the request id to every error's extensions (formatError cannot see the request). */
export const requestIdPlugin: ApolloServerPlugin<{ req?: { requestId?: string } }> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        // Answers about privileged sessions are never to be cached by anything on the way.
        response.http.headers.set('cache-control', 'no-store');
        const requestId = contextValue.req?.requestId;
        if (response.body.kind !== 'single' || !requestId) return;
        const errors = response.body.singleResult.errors;
        if (!errors) return;
        response.body.singleResult.errors = errors.map((e) => ({
          ...e,
          extensions: { ...e.extensions, requestId },
        }));
      },
    };
  },
};
