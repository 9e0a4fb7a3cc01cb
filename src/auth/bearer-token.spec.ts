import { AuthRejection } from './auth-rejection';
import { bearerTokenFrom, readJwtHeader } from './bearer-token';

const jwt = `${Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url')}.e30.c2ln`;

describe('bearerTokenFrom', () => {
  it('extracts the JWT of a Bearer header, scheme case-insensitive', () => {
    expect(bearerTokenFrom(`Bearer ${jwt}`)).toBe(jwt);
    expect(bearerTokenFrom(`bearer ${jwt}`)).toBe(jwt);
  });

  it('returns null for anything else', () => {
    expect(bearerTokenFrom(undefined)).toBeNull();
    expect(bearerTokenFrom('Basic dXNlcjpwYXNz')).toBeNull();
    expect(bearerTokenFrom('Bearer not-a-jwt')).toBeNull();
    expect(bearerTokenFrom(`Bearer ${jwt} ${jwt}`)).toBeNull();
    expect(bearerTokenFrom(jwt)).toBeNull();
  });
});

describe('readJwtHeader', () => {
  it('decodes the header without verifying anything', () => {
    expect(readJwtHeader(jwt)).toEqual({ alg: 'RS256', kid: 'k1' });
  });

  it('rejects a header that is not a JSON object', () => {
    expect(() => readJwtHeader('bm90IGpzb24.e30.')).toThrow(AuthRejection);
    expect(() => readJwtHeader(`${Buffer.from('[1]').toString('base64url')}.e30.`)).toThrow(
      'malformed header',
    );
  });
});
