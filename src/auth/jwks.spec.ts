import { generateKeyPairSync } from 'node:crypto';
import { keySetOf, MAX_JWKS_KEYS } from './jwks';

const rsa = () => ({
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
});
const ec = () => ({
  ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
});
const ed = () => ({ ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) });

describe('keySetOf', () => {
  const a = { ...rsa(), kid: 'a', alg: 'RS256', use: 'sig' };
  const b = { ...ec(), kid: 'b' };
  const c = { ...ed(), kid: 'c', key_ops: ['verify'] };

  it('parses RSA, EC and OKP signing keys, keeping a JWK alg', () => {
    const set = keySetOf({ keys: [a, b, c] });
    expect([...set.keys.keys()]).toEqual(['a', 'b', 'c']);
    expect(set.keys.get('a')).toMatchObject({ kid: 'a', alg: 'RS256' });
    expect(set.keys.get('a')?.key.asymmetricKeyType).toBe('rsa');
    expect(set.keys.get('b')?.alg).toBeUndefined();
    expect(set.keys.get('b')?.key.asymmetricKeyType).toBe('ec');
    expect(set.keys.get('c')?.key.asymmetricKeyType).toBe('ed25519');
    expect(set.skipped).toEqual([]);
  });

  it('leaves out what cannot verify a token, and says why', () => {
    const pub = a;
    const set = keySetOf({
      keys: [
        a,
        'not a key',
        { ...pub, kid: undefined },
        { ...pub, kid: 'enc', use: 'enc' },
        { ...pub, kid: 'ops', key_ops: ['encrypt'] },
        { kty: 'oct', kid: 'sym', k: 'c2VjcmV0' },
        { ...pub, kid: 'priv', d: 'AAAA' },
        { ...pub, kid: 'alg', alg: 7 },
        { kty: 'RSA', kid: 'no-n', e: 'AQAB' },
        { ...b, kid: 'bad', x: b.y },
        { ...b, kid: 'a' },
      ],
    });
    expect([...set.keys.keys()]).toEqual(['a']);
    expect(set.skipped).toEqual([
      '#1: not an object',
      '#2: no kid',
      'enc: use is enc',
      'ops: key_ops does not include verify',
      'sym: key type oct not supported',
      'priv: has private key members',
      'alg: alg is not a string',
      'no-n: public key members missing',
      'bad: not a valid EC public key',
      'a: duplicate kid',
    ]);
  });

  it('refuses documents that are not a usable key set', () => {
    expect(() => keySetOf(null)).toThrow('no "keys" list');
    expect(() => keySetOf({ keys: {} })).toThrow('no "keys" list');
    expect(() => keySetOf({ keys: [] })).toThrow('no usable signing key');
    expect(() => keySetOf({ keys: [{ ...a, use: 'enc' }] })).toThrow('no usable signing key');
    const many = Array.from({ length: MAX_JWKS_KEYS + 1 }, (_, i) => ({ ...a, kid: `k${i}` }));
    expect(() => keySetOf({ keys: many })).toThrow(`more than ${MAX_JWKS_KEYS} keys`);
    expect(keySetOf({ keys: many.slice(0, MAX_JWKS_KEYS) }).keys.size).toBe(MAX_JWKS_KEYS);
  });

  it('takes over an unchanged key as it is, and parses a replaced one', () => {
    const first = keySetOf({ keys: [a, b] });
    const again = keySetOf({ keys: [b, a] }, first.keys);
    expect(again.keys.get('a')).toBe(first.keys.get('a'));
    expect(again.keys.get('b')).toBe(first.keys.get('b'));

    const replaced = keySetOf({ keys: [{ ...rsa(), kid: 'a', alg: 'RS256' }] }, first.keys);
    expect(replaced.keys.get('a')).not.toBe(first.keys.get('a'));
    const realg = keySetOf({ keys: [{ ...a, alg: 'PS256' }] }, first.keys);
    expect(realg.keys.get('a')?.alg).toBe('PS256');
  });
});
