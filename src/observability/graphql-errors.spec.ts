import { Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { GatewayError } from '../errors';
import { formatGraphqlError } from './graphql-errors';

/** What Apollo hands formatError: the formatted error and the error itself. */
function format(error: GraphQLError) {
  return formatGraphqlError(error.toJSON(), error);
}

describe('formatGraphqlError', () => {
  it('answers a validation error as BAD_USER_INPUT with graphql-js message (Apollo 5 wraps it)', () => {
    // Apollo's ValidationError: graphql-js's error becomes its originalError.
    const fromGraphqlJs = new GraphQLError(
      'Unknown argument "force" on field "Mutation.terminateSession".',
    );
    const wrapped = new GraphQLError(fromGraphqlJs.message, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      originalError: fromGraphqlJs,
    });
    expect(format(wrapped)).toEqual({
      message: 'Unknown argument "force" on field "Mutation.terminateSession".',
      locations: undefined,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('maps a GatewayError thrown by a resolver by its code', () => {
    const err = new GraphQLError('x', {
      originalError: new GatewayError('RATE_LIMITED', 'Too many requests', {
        retryAfterSeconds: 7,
      }),
    });
    expect(format(err).extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 7 });
  });

  it('hides anything else behind INTERNAL (and logs it)', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const err = new GraphQLError('secret internals', {
      originalError: new Error('secret internals'),
    });
    expect(format(err)).toMatchObject({
      message: 'Internal error',
      extensions: { code: 'INTERNAL' },
    });
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
  });
});
