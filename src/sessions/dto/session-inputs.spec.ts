import { validateInput } from '../../common/validation/validate-input';
import { GatewayError } from '../../errors';
import { ListSessionsQuery } from './list-sessions.args';
import { TerminateSessionArgs, TerminateSessionRequest } from './terminate-session.args';
import { TerminateSessionsArgs, TerminateSessionsRequest } from './terminate-sessions.body';

function refusal(fn: () => unknown): Pick<GatewayError, 'message' | 'field' | 'detail'> {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof GatewayError) || err.code !== 'BAD_USER_INPUT') throw err;
    return { message: err.message, field: err.field, detail: err.detail };
  }
  throw new Error('expected BAD_USER_INPUT');
}

const PATTERN_DETAIL =
  'Invalid user: must be a pattern of 1 to 256 characters (* and ? are wildcards)';

describe('sessions inputs: the errors callers see', () => {
  it.each([
    [
      'a malformed id',
      { id: '../x' },
      'Invalid session id',
      'id',
      'id must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$',
    ],
    [
      'a reason that is not text',
      { id: 'abc', reason: 5 },
      'Invalid reason',
      'reason',
      'reason must be a string',
    ],
    [
      'a reason of 501 characters',
      { id: 'abc', reason: 'r'.repeat(501) },
      'Reason too long',
      'reason',
      'reason must be at most 500 characters',
    ],
    [
      'a key with a space',
      { id: 'abc', idempotencyKey: 'a b' },
      'Invalid idempotency key',
      'idempotencyKey',
      'idempotencyKey must be 1 to 128 printable ASCII characters without spaces',
    ],
  ])('terminateSession refuses %s', (_why, args, message, field, detail) => {
    expect(refusal(() => validateInput(TerminateSessionArgs, args))).toEqual({
      message,
      field,
      detail,
    });
  });

  it('trims the reason, treats blank as none, and requires one when the policy says so', () => {
    const args = (reason: unknown, requireReason = false) =>
      validateInput(TerminateSessionArgs, { id: 'abc', reason }, { requireReason }).toInput();
    expect(args('  why  ').reason).toBe('why');
    expect(args('   ').reason).toBeUndefined();
    expect(refusal(() => args('  ', true))).toEqual({
      message: 'Reason required',
      field: 'reason',
      detail: 'reason is required by policy',
    });
    const rest = () =>
      validateInput(TerminateSessionRequest, { id: 'abc' }, { requireReason: true });
    expect(refusal(rest).field).toBe('reason');
  });

  it('refuses REST bodies that are not objects or carry unknown fields', () => {
    expect(refusal(() => validateInput(TerminateSessionRequest, { id: 'a', body: [1] }))).toEqual({
      message: 'Invalid body',
      field: 'body',
      detail: 'body must be a JSON object',
    });
    const force = { id: 'a', body: { reason: 'x', force: true } };
    expect(refusal(() => validateInput(TerminateSessionRequest, force))).toEqual({
      message: 'Unknown field',
      field: 'force',
      detail: 'unknown field "force"; only "reason" is accepted',
    });
    const bulk = { body: { filter: { all: true }, force: 1 } };
    expect(refusal(() => validateInput(TerminateSessionsRequest, bulk)).detail).toBe(
      'unknown field "force"; only "filter", "reason", "dryRun" are accepted',
    );
  });

  it('bulk: needs a criterion or all: true, acts on active sessions only', () => {
    const bulk = (filter: unknown) =>
      refusal(() => validateInput(TerminateSessionsArgs, { filter }));
    expect(bulk(undefined).field).toBe('filter');
    expect(bulk({ active: true }).field).toBe('filter');
    expect(bulk('x')).toMatchObject({ message: 'Invalid filter: must be an object' });
    expect(bulk({ active: false, user: 'a' })).toMatchObject({
      field: 'active',
      message:
        'Invalid active: bulk termination acts on active sessions only; omit active or set it true',
    });
    expect(bulk({ all: 'yes' })).toMatchObject({ message: 'Invalid all: must be true or false' });
    expect(bulk({ colour: 'red', user: 'a' })).toMatchObject({
      message: 'Invalid colour: is not a known filter field',
    });
    const ok = validateInput(TerminateSessionsArgs, { filter: { all: true } }).toInput();
    expect(ok).toEqual({
      filter: {},
      all: true,
      dryRun: false,
      reason: undefined,
      idempotencyKey: undefined,
    });
  });

  it('REST listing: each parameter once, known, and converted', () => {
    const list = (q: object) => validateInput(ListSessionsQuery, q);
    expect(list({ active: 'true', limit: '7', user: 'a*' }).toInput()).toEqual({
      filter: { active: true, user: 'a*' },
      first: 7,
      after: null,
    });
    expect(refusal(() => list({ user: '' }))).toMatchObject({ message: PATTERN_DETAIL });
    expect(refusal(() => list({ limit: '501' }))).toMatchObject({
      message: 'Invalid limit: must be a whole number from 1 to 500',
    });
    expect(refusal(() => list({ limit: ['1', '2'] }))).toMatchObject({
      message: 'Invalid limit: must be given once, as a plain value',
    });
    expect(refusal(() => list({ sort: 'x' }))).toMatchObject({
      message: 'Invalid sort: is not a known query parameter',
    });
  });
});
