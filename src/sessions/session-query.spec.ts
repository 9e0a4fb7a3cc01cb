import { validateInput } from '../common/validation/validate-input';
import type { RemoteSession } from '../pam-core';
import { GatewayError } from '../errors';
import { ListSessionsQuery, RemoteSessionsArgs } from './dto/list-sessions.args';
import { RemoteSessionFilter } from './dto/remote-session-filter.input';
import { compareSessions, compileFilter, pageOf, pageRequest } from './session-query';

const parseFilter = (raw: object) => validateInput(RemoteSessionFilter, raw).criteria();
const restListQuery = (raw: object) => validateInput(ListSessionsQuery, raw).toInput();
const session = (sessionId: string, start: string | null, extra: Partial<RemoteSession> = {}) =>
  ({
    sessionId,
    start,
    active: true,
    user: null,
    device: null,
    deviceHost: null,
    ...extra,
  }) as RemoteSession;

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'BAD_USER_INPUT') return err.field;
    throw err;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('RemoteSessionFilter', () => {
  it('normalises times to Segura’s zone-less form and keeps patterns as given', () => {
    expect(
      parseFilter({ startedAfter: '2024-05-06', startedBefore: '2024-05-06 17:30', user: 'A*' }),
    ).toEqual({
      startedAfter: '2024-05-06T00:00:00',
      startedBefore: '2024-05-06T17:30:00',
      user: 'A*',
    });
    expect(parseFilter({ active: 'false' })).toEqual({ active: false });
  });

  it('refuses zoned times, unknown fields, placeholders and non-boolean active', () => {
    expect(fieldOf(() => parseFilter({ startedAfter: '2024-05-06T10:00:00+01:00' }))).toBe(
      'startedAfter',
    );
    expect(fieldOf(() => parseFilter({ owner: 'x' }))).toBe('owner');
    expect(fieldOf(() => parseFilter({ user: '${principal.name}x${oops}' }))).toBe('user');
    expect(fieldOf(() => parseFilter({ active: 'yes' }))).toBe('active');
  });
});

describe('compileFilter', () => {
  it('treats patterns literally apart from * and ?, and never matches a missing value', () => {
    const match = compileFilter({ user: 'a.b*' });
    expect(match(session('1', null, { user: 'A.Bc' }))).toBe(true);
    expect(match(session('2', null, { user: 'axbc' }))).toBe(false);
    expect(match(session('3', null))).toBe(false);
    expect(compileFilter({ startedAfter: '2024-01-01T00:00:00' })(session('4', null))).toBe(false);
  });
});

describe('keyset pages', () => {
  const sorted = [
    session('b', '2024-05-07T10:00:00'),
    session('a', '2024-05-06T10:00:00'),
    session('c', '2024-05-06T10:00:00'),
    session('d', null),
  ].sort(compareSessions);

  it('orders newest first, ties by id, no start last', () => {
    expect(sorted.map((s) => s.sessionId)).toEqual(['b', 'a', 'c', 'd']);
  });

  it('continues after the last session shown, even when the list changed in between', () => {
    const first = pageOf(sorted, pageRequest(2, null));
    expect(first.nodes.map((s) => s.sessionId)).toEqual(['b', 'a']);
    const refreshed = sorted.filter((s) => s.sessionId !== 'a');
    const next = pageOf(refreshed, pageRequest(2, first.nextCursor));
    expect(next).toEqual({ nodes: [sorted[2], sorted[3]], nextCursor: null });
  });

  it('names the channel’s own parameters in errors', () => {
    expect(fieldOf(() => restListQuery({ limit: '0' }))).toBe('limit');
    expect(fieldOf(() => restListQuery({ limit: '10', cursor: 'bm90IGpzb24' }))).toBe('cursor');
    expect(fieldOf(() => validateInput(RemoteSessionsArgs, { first: 0 }))).toBe('first');
    expect(fieldOf(() => validateInput(RemoteSessionsArgs, { after: 'bm90IGpzb24' }))).toBe(
      'after',
    );
    expect(fieldOf(() => restListQuery({ limit: ['1', '2'] }))).toBe('limit');
    expect(fieldOf(() => restListQuery({ sort: 'x' }))).toBe('sort');
  });
});
