import { compileGlob, matchesAny, type PlaceholderValues } from './glob';

/**
 * The matcher replaced compiled regexps; this is how they were built (the oracle). Only for
 * short patterns here: it backtracks exponentially on runs of `*`, which is why it went.
 */
function regexpOracle(pattern: string, values?: PlaceholderValues): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const glob = (text: string) =>
    [...text]
      .map((ch) => (ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : escape(ch)))
      .join('');
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(/\$\{principal\.(name|id)\}/g)) {
    source += glob(pattern.slice(last, m.index));
    source += escape(values ? (m[1] === 'name' ? (values.name ?? '') : values.id) : m[0]);
    last = m.index + m[0].length;
  }
  return new RegExp(`^${source + glob(pattern.slice(last))}$`, 'iu');
}

const ME: PlaceholderValues = { name: 'J.Silva*', id: 'u-1?' };

describe('compileGlob', () => {
  it.each<[string, string, boolean]>([
    // wildcards
    ['*', '', true],
    ['*', 'anything at all', true],
    ['?', '', false],
    ['?', 'a', true],
    ['??', 'a', false],
    ['a*', 'a', true],
    ['a*', 'ba', false],
    ['*a', 'ba', true],
    ['*a', 'ab', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['a*b*c', 'acb', false],
    ['*ab*ab*', 'xabyab', true],
    ['*ab*ab*', 'xaby', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['?*?', 'ab', true],
    ['?*?', 'a', false],
    ['dc*.corp.local:*', 'dc01.corp.local:3389', true],
    ['dc*.corp.local:*', 'db01.corp.local:3389', false],
    // runs of * are one *
    ['**', '', true],
    ['a**b', 'ab', true],
    ['a**b', 'axyzb', true],
    ['***x***', 'x', true],
    ['***x***', 'y', false],
    // * and ? cross anything, newlines included
    ['a*b', 'a\nb', true],
    ['a?b', 'a\nb', true],
    ['*', '\u2028', true],
    // regexp syntax is literal
    ['.', 'a', false],
    ['.', '.', true],
    ['a+', 'aa', false],
    ['a+', 'a+', true],
    ['(a)', 'a', false],
    ['(a)', '(A)', true],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['a|b', 'a', false],
    ['a|b', 'a|b', true],
    ['^a$', 'a', false],
    ['^a$', '^a$', true],
    ['a{2}', 'aa', false],
    ['a{2}', 'a{2}', true],
    ['\\d', '1', false],
    ['\\d', '\\d', true],
    ['10.1.0.*', '10.1.0.5', true],
    ['10.1.0.*', '10x1x0x5', false],
    ['$', '$', true],
    // case, as iu compares it
    ['ADMIN-X', 'admin-x', true],
    ['Äbc', 'äBC', true],
    ['k', '\u212a', true], // Kelvin sign
    ['S', '\u017f', true], // long s
    ['\u03a3', '\u03c2', true], // capital sigma, final sigma
    ['\u0131', 'i', false], // dotless i
    ['\u0130', 'i', false], // capital I with dot above
    ['straße', 'STRASSE', false], // ß folds to itself under simple case folding
    ['STRA\u1e9eE', 'straße', true], // capital sharp s
    // ? is one code point, astral ones included
    ['?', '😀', true],
    ['??', '😀', false],
    ['a?c', 'a😀c', true],
    ['😀*', '😀x', true],
    ['\ud83d', '\ud83d', true], // a lone surrogate is one code point too
    ['?', '\ud83d', true],
    ['\ud83d*', '😀', false],
  ])('%j matches %j: %s', (pattern, value, expected) => {
    expect(regexpOracle(pattern).test(value)).toBe(expected); // the table is the old behaviour
    expect(compileGlob(pattern).test(value)).toBe(expected);
  });

  it.each<[string, string, boolean]>([
    ['${principal.name}', 'J.Silva*', true],
    ['${principal.name}', 'j.silva*', true], // case is ignored as everywhere
    ['${principal.name}', 'JxSilva*', false], // the name's . is literal
    ['${principal.name}', 'J.Silva-admin', false], // and so is its *
    ['${principal.name}*', 'J.Silva*-admin', true],
    ['${principal.name}?', 'J.Silva*x', true],
    ['${principal.id}', 'u-1?', true],
    ['${principal.id}', 'u-12', false], // the id's ? is literal
    ['x-${principal.id}-${principal.name}', 'X-U-1?-j.silva*', true],
    ['${principal.nam}', '${principal.nam}', true], // not a placeholder: literal text
  ])('fills in %j literally: %j matches: %s', (pattern, value, expected) => {
    expect(regexpOracle(pattern, ME).test(value)).toBe(expected);
    expect(compileGlob(pattern, ME).test(value)).toBe(expected);
  });

  it('keeps placeholders as literal text when no values are given (session filters)', () => {
    expect(compileGlob('${principal.name}').test('${PRINCIPAL.NAME}')).toBe(true);
    expect(compileGlob('${principal.name}').test('J.Silva*')).toBe(false);
  });

  it('matches nothing through ${principal.name} when the caller has no username', () => {
    const anonymous = { id: 'u-1' };
    for (const pattern of [
      '${principal.name}',
      '*${principal.name}*',
      'x-${principal.id}-${principal.name}',
    ]) {
      for (const value of ['', '*', 'x-u-1-', 'anything']) {
        expect(compileGlob(pattern, anonymous).test(value)).toBe(false);
      }
    }
    expect(compileGlob('${principal.id}', anonymous).test('U-1')).toBe(true);
  });

  it('compares code points exactly when asked to be case-sensitive', () => {
    const exact = compileGlob('Admin-?*', ME, { caseSensitive: true });
    expect(exact.test('Admin-x1')).toBe(true);
    expect(exact.test('admin-x1')).toBe(false);
    expect(compileGlob('${principal.name}', ME, { caseSensitive: true }).test('j.silva*')).toBe(
      false,
    );
    expect(compileGlob('k', undefined, { caseSensitive: true }).test('\u212a')).toBe(false);
  });

  it('agrees with the old regexps on random short patterns and values', () => {
    // mulberry32: deterministic, so a failure is reproducible.
    let seed = 0x9e3779b9;
    const random = () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = (chars: string[], max: number) =>
      Array.from(
        { length: Math.floor(random() * (max + 1)) },
        () => chars[Math.floor(random() * chars.length)],
      ).join('');
    const letters = ['a', 'A', 'b', '.', 'ß', 'k', '\u212a', '😀', '\n'];
    const disagreements: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick([...letters, '*', '?', '*', '?'], 7);
      const value = pick(letters, 8);
      if (regexpOracle(pattern).test(value) !== compileGlob(pattern).test(value)) {
        disagreements.push(JSON.stringify([pattern, value]));
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('can be tested again and again, on values of any length', () => {
    const glob = compileGlob('*x?');
    const long = 'a'.repeat(5000) + 'xy';
    expect([glob.test(long), glob.test('xy'), glob.test(long.slice(1)), glob.test('x')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('matchesAny', () => {
  it('matches when any pattern does, and never a missing value', () => {
    const globs = [compileGlob('rdp'), compileGlob('ssh*')];
    expect(matchesAny(globs, 'SSH2')).toBe(true);
    expect(matchesAny(globs, 'vnc')).toBe(false);
    expect(matchesAny(globs, null)).toBe(false);
    expect(matchesAny(globs, undefined)).toBe(false);
    expect(matchesAny([compileGlob('*')], null)).toBe(false);
  });
});
