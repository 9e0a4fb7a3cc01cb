import { JSON_TYPE, res, Row } from '../../test/pam-core/segura-fixtures';
import { classifyAnswer } from './response-classifier';

// Answers whose body says nothing we recognise: the status (proxy semantics) decides the code,
// and whether Segura may have acted decides outcomeUnknown (see byStatus in the classifier).
const malformedRows: Row[] = [
  {
    name: '200 with an unknown JSON shape',
    answer: res(200, JSON.stringify({ hello: 'world' })),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: true,
  },
  {
    name: '200 JSON array',
    answer: res(200, '[1,2]'),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: true,
  },
  {
    name: '200 truncated JSON',
    answer: res(200, '{"code":200,"response":{"status":200,"mess'),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: true,
  },
  { name: '200 empty body', answer: res(200, ''), code: 'UPSTREAM_ERROR', outcomeUnknown: true },
  {
    name: '500 HTML page',
    answer: res(500, '<html><body>oops</body></html>', 'text/html'),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: true,
  },
  {
    name: '500 empty body',
    answer: res(500, '', undefined),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: true,
  },
  {
    name: '500 truncated JSON',
    answer: res(500, '{"code":500,"resp'),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: true,
  },
  {
    name: '500 plain text',
    answer: res(500, 'Internal Server Error', 'text/plain'),
    code: 'UPSTREAM_ERROR',
  },
  {
    name: '404 HTML from a proxy',
    answer: res(404, '<html>Not Found</html>', 'text/html'),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: false,
  },
  {
    name: '502 HTML from a proxy',
    answer: res(502, '<html>Bad Gateway</html>', 'text/html'),
    code: 'UPSTREAM_UNAVAILABLE',
    outcomeUnknown: true,
  },
  {
    name: '503 HTML from a proxy',
    answer: res(503, '<html>Service Unavailable</html>', 'text/html'),
    code: 'UPSTREAM_UNAVAILABLE',
    outcomeUnknown: false,
  },
  {
    name: '504 HTML from a proxy',
    answer: res(504, '<html>Gateway Time-out</html>', 'text/html'),
    code: 'UPSTREAM_TIMEOUT',
    outcomeUnknown: true,
  },
  { name: '401 with an empty body', answer: res(401, ''), code: 'UPSTREAM_AUTH_FAILED' },
  {
    name: '403 HTML',
    answer: res(403, '<html>Forbidden</html>', 'text/html'),
    code: 'UPSTREAM_FORBIDDEN',
  },
  {
    name: 'body cut off mid-way (complete=false)',
    answer: res(200, '{"code":200', JSON_TYPE, false),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: true,
  },
  {
    name: '418 unknown JSON',
    answer: res(418, JSON.stringify({ message: 'I am a teapot' })),
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: false,
  },
];

describe('classifyAnswer, unreadable answers', () => {
  it.each(malformedRows)('$name → $code', ({ answer, code, outcomeUnknown }) => {
    const c = classifyAnswer(answer);
    if (c.ok) throw new Error('expected an error');
    expect(c.error.code).toBe(code);
    expect(c.error.upstream?.status).toBe((answer as { status: number }).status);
    if (outcomeUnknown !== undefined) expect(c.error.outcomeUnknown).toBe(outcomeUnknown);
  });
});
