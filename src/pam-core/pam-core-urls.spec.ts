import { GatewayError } from '../errors';
import { dropUrl, joinUrl, sessionsUrl, sessionUrl } from './pam-core-urls';
import { isValidSessionId, SESSION_ID_PATTERN } from './session-id';

const ID = 'e7acacb6aedbab70073456da5744166939b77527';
const DROP = '/api/pam/session/drop/{sessionId}';

describe('URL building', () => {
  it.each([
    ['https://segura.example', 'https://segura.example/api/pam/session/drop/'],
    ['https://segura.example/', 'https://segura.example/api/pam/session/drop/'],
    ['https://host/segura', 'https://host/segura/api/pam/session/drop/'],
    ['https://host/segura/', 'https://host/segura/api/pam/session/drop/'],
    ['https://host:8443/a/b//', 'https://host:8443/a/b/api/pam/session/drop/'],
  ])('keeps the base %s and its prefix', (base, expected) => {
    expect(dropUrl(base, DROP, ID)).toBe(`${expected}${ID}`);
  });

  it('uses the configured templates', () => {
    expect(dropUrl('https://h/p', '/iso/session/drop/{sessionId}', 'abc')).toBe(
      'https://h/p/iso/session/drop/abc',
    );
    expect(sessionsUrl('https://h/p', '/api/session/remotesessions/')).toBe(
      'https://h/p/api/session/remotesessions',
    );
    expect(sessionUrl('https://h/p', '/api/session/remotesessions', 'abc')).toBe(
      'https://h/p/api/session/remotesessions/abc',
    );
    expect(joinUrl('https://h/p/', 'iso/oauth2/token')).toBe('https://h/p/iso/oauth2/token');
  });

  it.each([
    ['a path', '../x'],
    ['an encoded path', '%2e%2e'],
    ['a slash', 'a/b'],
    ['129 characters', `a${'b'.repeat(128)}`],
    ['empty', ''],
    ['unicode', 'séssion'],
    ['a leading dash', '-abc'],
    ['a leading underscore', '_abc'],
    ['a space', 'a b'],
    ['a query', 'a?b=c'],
    ['a newline', 'abc\n'],
  ])('rejects %s before building anything', (_what, id) => {
    expect(isValidSessionId(id)).toBe(false);
    for (const build of [
      () => dropUrl('https://h', DROP, id),
      () => sessionUrl('https://h', '/api/session/remotesessions', id),
    ]) {
      try {
        build();
        throw new Error('expected a rejection');
      } catch (err) {
        expect(err).toBeInstanceOf(GatewayError);
        expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
      }
    }
  });

  it.each([
    [ID],
    ['9f1c2d3e-4b5a-6789-abcd-ef0123456789'],
    ['A'],
    [`a${'b'.repeat(127)}`],
    ['x_y-z'],
  ])('accepts %s', (id) => {
    expect(SESSION_ID_PATTERN.test(id)).toBe(true);
    expect(dropUrl('https://h', DROP, id)).toBe(
      `https://h/api/pam/session/drop/${encodeURIComponent(id)}`,
    );
  });

  it('rejects non-strings', () => {
    expect(isValidSessionId(42)).toBe(false);
    expect(isValidSessionId(undefined)).toBe(false);
  });
});
