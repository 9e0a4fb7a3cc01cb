import { foldCodePoint, LAST_CASED_CODE_POINT } from './case-fold';

/**
 * The fold table against the engine's own `iu` comparison, exhaustively: every pair of code
 * points that a case mapping changes, and every other code point (about two seconds).
 */
const LAST_CODE_POINT = 0x10ffff;
const isSurrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
// A backreference compares its text as the regexp's flags say: here, as `iu` does.
const SAME_IGNORING_CASE = /^([\s\S])\1$/iu;
const CASED = /\p{Changes_When_Casemapped}/u;
const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

const cased: number[] = [];
const uncased: number[] = [];
for (let c = 0; c <= LAST_CODE_POINT; c++) {
  if (isSurrogate(c)) continue;
  (CASED.test(String.fromCodePoint(c)) ? cased : uncased).push(c);
}

it('finds no cased code point above LAST_CASED_CODE_POINT', () => {
  expect(cased.filter((c) => c > LAST_CASED_CODE_POINT).map(hex)).toEqual([]);
});

it('folds two cased code points together exactly when an iu regexp matches one with the other', () => {
  const text = cased.map((c) => String.fromCodePoint(c));
  const folded = cased.map(foldCodePoint);
  const wrong: string[] = [];
  for (let i = 0; i < cased.length; i++) {
    for (let j = i + 1; j < cased.length; j++) {
      const same = SAME_IGNORING_CASE.test(text[i] + text[j]);
      if (same !== (folded[i] === folded[j])) wrong.push(`${hex(cased[i])}/${hex(cased[j])}`);
    }
  }
  expect(wrong).toEqual([]);
});

it('leaves every other code point as it is, matched by no cased one', () => {
  const anyCased = new RegExp(`^[${cased.map((c) => `\\u{${c.toString(16)}}`).join('')}]$`, 'iu');
  const wrong = uncased.filter(
    (c) => foldCodePoint(c) !== c || anyCased.test(String.fromCodePoint(c)),
  );
  expect(wrong.map(hex)).toEqual([]);
});

it.each([
  ['k', 'K', true],
  ['k', '\u212a', true], // Kelvin sign
  ['s', '\u017f', true], // long s
  ['\u00df', '\u1e9e', true], // sharp s, capital sharp s
  ['\u03c3', '\u03c2', true], // sigma, final sigma
  ['\u0390', '\u1fd3', true], // two spellings of iota with dialytika and tonos
  ['i', '\u0131', false], // dotless i
  ['i', '\u0130', false], // capital I with dot above
  ['a', 'b', false],
] as const)('compares %s and %s as iu does (%s)', (a, b, same) => {
  expect(foldCodePoint(a.codePointAt(0)!) === foldCodePoint(b.codePointAt(0)!)).toBe(same);
  expect(SAME_IGNORING_CASE.test(a + b)).toBe(same);
});
