import { VerifiedTokenCache } from './verified-token.cache';

describe('VerifiedTokenCache', () => {
  it('returns an entry until its own expiry', () => {
    const cache = new VerifiedTokenCache<string>(10, 60_000);
    cache.set('k', 'v', 1_000 + 5_000, 1_000);
    expect(cache.get('k', 5_999)).toBe('v');
    expect(cache.get('k', 6_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never keeps an entry longer than the maximum age, whatever the token expiry', () => {
    const cache = new VerifiedTokenCache<string>(10, 60_000);
    cache.set('k', 'v', 10_000_000, 0);
    expect(cache.get('k', 59_999)).toBe('v');
    expect(cache.get('k', 60_000)).toBeUndefined();
  });

  it('does not store what has already expired', () => {
    const cache = new VerifiedTokenCache<string>(10, 60_000);
    cache.set('k', 'v', 500, 1_000);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond its size', () => {
    const cache = new VerifiedTokenCache<string>(2, 60_000);
    cache.set('a', 'A', 50_000, 0);
    cache.set('b', 'B', 50_000, 0);
    expect(cache.get('a', 1)).toBe('A'); // a is now more recent than b
    cache.set('c', 'C', 50_000, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 2)).toBeUndefined();
    expect(cache.get('a', 2)).toBe('A');
    expect(cache.get('c', 2)).toBe('C');
  });

  it('forgets everything on clear()', () => {
    const cache = new VerifiedTokenCache<string>(10, 60_000);
    cache.set('a', 'A', 50_000, 0);
    cache.set('b', 'B', 50_000, 0);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('a', 1)).toBeUndefined();
  });
});
