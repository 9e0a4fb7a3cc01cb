import { AuthRejection } from './auth-rejection';
import { checkJwtHeader, headerPolicy, normaliseTokenType } from './jose-header';

const open = headerPolicy({ algorithms: ['RS256', 'ES256'] });
const typed = headerPolicy({ algorithms: ['RS256'], tokenTypes: ['at+jwt', 'application/JOSE'] });

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AuthRejection) return err.reason;
    throw err;
  }
  throw new Error('expected an AuthRejection');
}

describe('checkJwtHeader', () => {
  it('returns alg and kid of an acceptable header', () => {
    expect(checkJwtHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' }, open)).toEqual({
      alg: 'ES256',
      kid: 'k1',
    });
  });

  it('refuses algorithms off the list and a missing kid', () => {
    expect(reason(() => checkJwtHeader({ alg: 'HS256', kid: 'k' }, open))).toBe(
      'jwt rejected: algorithm not allowed (HS256)',
    );
    expect(reason(() => checkJwtHeader({ alg: 'RS256', kid: '' }, open))).toBe(
      'jwt rejected: no kid in header',
    );
  });

  it.each([[['b64']], [['exp', 'x']], [[]], ['b64'], [{}], [null], [[1]]])(
    'refuses crit %j',
    (crit) => {
      expect(reason(() => checkJwtHeader({ alg: 'RS256', kid: 'k', crit }, open))).toMatch(
        /^jwt rejected: (crit names extensions the gateway does not implement|malformed crit header)/,
      );
    },
  );

  it('names the extensions of a well-formed crit, printably', () => {
    expect(
      reason(() => checkJwtHeader({ alg: 'RS256', kid: 'k', crit: ['b64', 'x\n'] }, open)),
    ).toBe('jwt rejected: crit names extensions the gateway does not implement (b64,x\uFFFD)');
  });

  it('accepts any typ, or none, without AUTH_TOKEN_TYPES', () => {
    for (const typ of [undefined, 'JWT', 'whatever', 42]) {
      expect(checkJwtHeader({ alg: 'RS256', kid: 'k', typ }, open).kid).toBe('k');
    }
  });

  it('with AUTH_TOKEN_TYPES, accepts the listed types in any case and with or without application/', () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'jose', 'APPLICATION/JOSE']) {
      expect(checkJwtHeader({ alg: 'RS256', kid: 'k', typ }, typed).kid).toBe('k');
    }
    expect(reason(() => checkJwtHeader({ alg: 'RS256', kid: 'k' }, typed))).toBe(
      'jwt rejected: no typ in header',
    );
    for (const typ of ['JWT', 'text/at+jwt', 'at+jwt; x=1', 7]) {
      expect(reason(() => checkJwtHeader({ alg: 'RS256', kid: 'k', typ }, typed))).toMatch(
        /^jwt rejected: typ not allowed/,
      );
    }
  });
});

describe('normaliseTokenType', () => {
  it('lower-cases and reads a bare value as application/<value> (RFC 7515 §4.1.9)', () => {
    expect(normaliseTokenType(' AT+JWT ')).toBe('application/at+jwt');
    expect(normaliseTokenType('Application/At+Jwt')).toBe('application/at+jwt');
    expect(normaliseTokenType('text/plain')).toBe('text/plain');
  });
});
