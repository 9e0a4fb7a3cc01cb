import type { ErrorCode } from '../errors';
import { envelope, JSON_TYPE, res, Row } from '../../test/pam-core/segura-fixtures';
import { classifyAnswer, UNAVAILABLE_RETRY_AFTER_S } from './response-classifier';
import type { TransportFailure, UpstreamAnswer, UpstreamResponse } from './upstream-answer';
import { UpstreamPauseError } from './upstream-pause';

// The documented texts of Segura, its token server and the gateway in front of it.
const errorRows: Row[] = [
  {
    name: '404 "Resource sub not found" with exception 1002',
    answer: res(
      404,
      envelope(404, 'Resource sub not found', 'Recurso sub não encontrado', {
        code: 1002,
        message: '1002: Session not found',
      }),
    ),
    code: 'SESSION_NOT_FOUND',
    message: 'Resource sub not found',
  },
  {
    name: '404 "Resource sub not found" without exception',
    answer: res(404, envelope(404, 'Resource sub not found')),
    code: 'SESSION_NOT_FOUND',
  },
  {
    name: 'exception 1002 alone decides, whatever the message',
    answer: res(
      404,
      JSON.stringify({
        code: 404,
        response: { error: true, message: '' },
        exception: { code: 1002, message: '' },
      }),
    ),
    code: 'SESSION_NOT_FOUND',
  },
  {
    name: '400 "1002: Session not found" (get one)',
    answer: res(
      400,
      envelope(400, '1002: Session not found', '1002: Sessão não encontrada', {
        code: 1002,
        message: '1002: Session not found',
      }),
    ),
    code: 'SESSION_NOT_FOUND',
  },
  {
    name: '400 "1003: Unexpected identifier type"',
    answer: res(400, envelope(400, '1003: Unexpected identifier type')),
    code: 'BAD_USER_INPUT',
  },
  {
    name: '500 "An error occurred while droping session." (sic)',
    answer: res(500, envelope(500, 'An error occurred while droping session.')),
    code: 'TERMINATION_FAILED',
  },
  {
    name: '500 "…dropping session" spelt right',
    answer: res(500, envelope(500, 'An error occurred while dropping session')),
    code: 'TERMINATION_FAILED',
  },
  {
    name: '500 "You are not authorized to access this resource."',
    answer: res(500, envelope(500, 'You are not authorized to access this resource.')),
    code: 'UPSTREAM_FORBIDDEN',
  },
  {
    name: '500 "Unexpected error."',
    answer: res(500, envelope(500, 'Unexpected error.')),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: false,
  },
  {
    name: 'older short envelope error',
    answer: res(
      500,
      JSON.stringify({
        status: 500,
        mensagem: 'Erro inesperado.',
        erro: true,
        message: 'Unexpected error.',
        error: true,
      }),
    ),
    code: 'UPSTREAM_ERROR',
    message: 'Unexpected error.',
  },
  {
    name: 'short envelope with only the Portuguese flag and an English message',
    answer: res(
      500,
      JSON.stringify({
        status: 500,
        erro: true,
        mensagem: 'Ocorreu um erro',
        message: 'An error occurred while droping session.',
      }),
    ),
    code: 'TERMINATION_FAILED',
  },
  {
    name: '401 OAuth invalid_client "Client authentication failed"',
    answer: res(
      401,
      JSON.stringify({
        error: 'invalid_client',
        error_description: 'Client authentication failed',
        message: 'Client authentication failed',
      }),
    ),
    code: 'UPSTREAM_AUTH_FAILED',
    message: 'Client authentication failed',
  },
  {
    name: '401 access_denied (revoked or unknown bearer)',
    answer: res(
      401,
      JSON.stringify({
        error: 'access_denied',
        error_description: 'The resource owner or authorization server denied the request.',
      }),
    ),
    code: 'UPSTREAM_AUTH_FAILED',
  },
  {
    name: '401 invalid_token',
    answer: res(401, JSON.stringify({ error: 'invalid_token' })),
    code: 'UPSTREAM_AUTH_FAILED',
  },
  {
    name: '400 unsupported_grant_type',
    answer: res(400, JSON.stringify({ error: 'unsupported_grant_type' })),
    code: 'UPSTREAM_AUTH_FAILED',
  },
  {
    name: '401 "Invalid signature"',
    answer: res(401, JSON.stringify({ message: 'Invalid signature' })),
    code: 'UPSTREAM_AUTH_FAILED',
  },
  {
    name: '404 Kong "no Route matched with those values" (missing Authorization, not a missing session)',
    answer: res(
      404,
      JSON.stringify({ message: 'no Route matched with those values', request_id: 'a1b2' }),
    ),
    code: 'UPSTREAM_AUTH_FAILED',
  },
  {
    name: '404 "No route matched with those values." as the docs spell it',
    answer: res(404, JSON.stringify({ message: 'No route matched with those values.' })),
    code: 'UPSTREAM_AUTH_FAILED',
  },
  {
    name: '"Request timed out."',
    answer: res(504, JSON.stringify({ message: 'Request timed out.' })),
    code: 'UPSTREAM_TIMEOUT',
    outcomeUnknown: true,
  },
  {
    name: '"Request timed out." under 500 too',
    answer: res(500, envelope(500, 'Request timed out.')),
    code: 'UPSTREAM_TIMEOUT',
    outcomeUnknown: true,
  },
  {
    name: 'Kong 504 "The upstream server is timing out"',
    answer: res(504, JSON.stringify({ message: 'The upstream server is timing out' })),
    code: 'UPSTREAM_TIMEOUT',
    outcomeUnknown: true,
  },
  {
    name: 'Kong 503 "failure to get a peer from the ring-balancer"',
    answer: res(503, JSON.stringify({ message: 'failure to get a peer from the ring-balancer' })),
    code: 'UPSTREAM_UNAVAILABLE',
  },
  {
    name: '200 whose envelope says error:true is an error',
    answer: res(
      200,
      JSON.stringify({
        code: 200,
        response: { status: 200, message: 'Unexpected error.', error: true, erro: true },
      }),
    ),
    code: 'UPSTREAM_ERROR',
  },
];

const transportRows: Array<[TransportFailure, ErrorCode, boolean]> = [
  ['not-sent', 'UPSTREAM_UNAVAILABLE', false],
  ['tls', 'UPSTREAM_UNAVAILABLE', false],
  ['timeout', 'UPSTREAM_TIMEOUT', true],
  ['reset', 'UPSTREAM_UNAVAILABLE', true],
  ['protocol', 'UPSTREAM_ERROR', true],
  ['other', 'UPSTREAM_UNAVAILABLE', true],
];

describe('classifyAnswer', () => {
  describe.each(errorRows)('$name', ({ answer, code, outcomeUnknown, message }) => {
    it(`→ ${code}`, () => {
      const c = classifyAnswer(answer);
      if (c.ok) throw new Error('expected an error');
      expect(c.error.code).toBe(code);
      expect(c.error.upstream).toMatchObject({
        status: (answer as { status: number }).status,
        durationMs: 12,
      });
      if (outcomeUnknown !== undefined) expect(c.error.outcomeUnknown).toBe(outcomeUnknown);
      if (message !== undefined) expect(c.error.upstream?.message).toBe(message);
    });
  });

  it('words SESSION_NOT_FOUND "Session not found" for callers, keeping Segura’s text upstream', () => {
    const c = classifyAnswer(res(404, envelope(404, 'Resource sub not found')));
    if (c.ok) throw new Error('expected an error');
    expect(c.error).toMatchObject({ code: 'SESSION_NOT_FOUND', message: 'Session not found' });
    expect(c.error.detail).toBeUndefined();
    expect(c.error.upstream?.message).toBe('Resource sub not found');
  });

  it.each(transportRows)(
    'transport failure %s → %s (outcomeUnknown %s)',
    (failure, code, unknown) => {
      const c = classifyAnswer({ kind: 'transport', failure, durationMs: 5 });
      if (c.ok) throw new Error('expected an error');
      expect(c.error).toMatchObject({ code, outcomeUnknown: unknown, upstream: { durationMs: 5 } });
      expect(c.error.upstream?.status).toBeUndefined();
      // docs/errors.md: UPSTREAM_UNAVAILABLE is 503 and always carries a Retry-After.
      expect(c.error.retryAfterSeconds).toBe(
        code === 'UPSTREAM_UNAVAILABLE' ? UNAVAILABLE_RETRY_AFTER_S : undefined,
      );
    },
  );
});

describe("classifyAnswer: Segura's own rate limit (429)", () => {
  const tooMany = envelope(429, 'Too Many Requests', 'Muitas requisições');
  const withRetryAfter = (answer: UpstreamAnswer, retryAfter?: string): UpstreamResponse => ({
    ...(answer as UpstreamResponse),
    retryAfter,
  });
  const answer429 = (bodyText: string, retryAfter?: string, contentType = JSON_TYPE) =>
    withRetryAfter(res(429, bodyText, contentType), retryAfter);
  const errorOf = (answer: UpstreamAnswer) => {
    const c = classifyAnswer(answer);
    if (c.ok) throw new Error('expected an error');
    return c.error;
  };

  it('is UPSTREAM_UNAVAILABLE with Segura’s Retry-After, nothing done (outcome known)', () => {
    const err = errorOf(answer429(tooMany, '3'));
    expect(err).toBeInstanceOf(UpstreamPauseError);
    expect(err).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfterSeconds: 3,
      outcomeUnknown: false,
      // "Too Many Requests" is not one of Segura's documented texts: the generic one instead.
      upstream: { status: 429, message: 'Segura is unavailable', durationMs: 12 },
    });
    expect(err.detail).toBe('PAM Core is rate limiting the gateway; calls to it pause for 3 s');
  });

  it.each([
    ['no Retry-After', undefined, 5],
    ['an unreadable Retry-After', 'later', 5],
    ['a huge Retry-After', '1000000', 300],
  ])('with %s', (_name, retryAfter, seconds) => {
    expect(errorOf(answer429(tooMany, retryAfter)).retryAfterSeconds).toBe(seconds);
  });

  it.each([
    ['an empty body', ''],
    ['an HTML page', '<html><body>429 Too Many Requests</body></html>'],
    ['Kong’s own text', JSON.stringify({ message: 'API rate limit exceeded' })],
    // The status decides: a body that reads like another error is still Segura asking to wait.
    ['a body reading like a credential error', envelope(429, 'Client authentication failed')],
    ['a body reading like a server fault', envelope(429, 'Unexpected error.')],
    ['a truncated body', tooMany.slice(0, 20)],
  ])('whatever the body (%s)', (_name, body) => {
    const err = errorOf(answer429(body, '7', body.startsWith('<') ? 'text/html' : JSON_TYPE));
    expect(err).toBeInstanceOf(UpstreamPauseError);
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 7 });
    expect(err.upstream?.status).toBe(429);
    expect(err.detail).not.toMatch(/<html|Client authentication|Unexpected error/);
  });

  it('leaves other statuses’ Retry-After alone (only a 429 starts a pause)', () => {
    const err = errorOf(withRetryAfter(res(503, envelope(503, 'Service Unavailable')), '120'));
    expect(err).not.toBeInstanceOf(UpstreamPauseError);
    expect(err.retryAfterSeconds).toBe(UNAVAILABLE_RETRY_AFTER_S);
  });
});
