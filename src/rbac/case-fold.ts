/**
 * Case folding of single code points exactly as a RegExp with flags `iu` compares them
 * (ECMAScript's Canonicalize: the simple and common mappings of Unicode's CaseFolding.txt), so
 * the glob matcher ignores case as the regexps it replaced did: `k` matches `K` and the Kelvin
 * sign, `ſ` matches `s`, but the dotless `ı` does not match `i`.
 *
 * JavaScript exposes no simple case folding, so the table is derived from the engine itself,
 * once at load (a few tens of milliseconds): code points that a case mapping changes are grouped
 * by their (full) lower and upper case mappings, and two of a group are joined only when a
 * one-character `iu` regexp says they match. case-fold.spec.ts checks the result against the
 * engine for every code point.
 */

/** Code points above this have no case in Unicode (the spec checks the engine agrees). */
export const LAST_CASED_CODE_POINT = 0x1ffff;

/** Code point -> the smallest code point it matches ignoring case; absent: only itself. */
const FOLD = new Map<number, number>();
const ASCII = new Int32Array(128);

/** Every code point up to LAST_CASED_CODE_POINT that some case mapping changes, ascending. */
function casedCodePoints(): number[] {
  // One regexp scan over a string of all of them is several times faster than calling
  // toLowerCase/toUpperCase on each.
  let all = '';
  const chunk: number[] = [];
  for (let c = 0; c <= LAST_CASED_CODE_POINT; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue; // surrogates have no case
    chunk.push(c);
    if (chunk.length === 4096 || c === LAST_CASED_CODE_POINT) {
      all += String.fromCodePoint(...chunk);
      chunk.length = 0;
    }
  }
  return Array.from(all.matchAll(/\p{Changes_When_Casemapped}/gu), (m) => m[0].codePointAt(0)!);
}

function buildTable(): void {
  const cased = casedCodePoints();
  const groups = new Map<string, number[]>();
  for (const c of cased) {
    const s = String.fromCodePoint(c);
    for (const key of [`l${s.toLowerCase()}`, `u${s.toUpperCase()}`]) {
      const group = groups.get(key);
      if (group) group.push(c);
      else groups.set(key, [c]);
    }
  }
  // Union-find over the cased code points; each class ends up rooted at its smallest member.
  const parent = new Map<number, number>(cased.map((c) => [c, c]));
  const root = (c: number): number => {
    let r = c;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const group of groups.values()) {
    for (let i = 0; i + 1 < group.length; i++) {
      let matcher: RegExp | undefined;
      for (let j = i + 1; j < group.length; j++) {
        const a = root(group[i]);
        const b = root(group[j]);
        if (a === b) continue;
        matcher ??= new RegExp(`^\\u{${group[i].toString(16)}}$`, 'iu');
        if (matcher.test(String.fromCodePoint(group[j])))
          parent.set(Math.max(a, b), Math.min(a, b));
      }
    }
  }
  for (const c of cased) {
    const r = root(c);
    if (r !== c) FOLD.set(c, r);
  }
  for (let c = 0; c < 128; c++) ASCII[c] = FOLD.get(c) ?? c;
}
buildTable();

/** The representative of `codePoint`'s case class: equal for exactly the pairs `iu` matches. */
export function foldCodePoint(codePoint: number): number {
  return codePoint < 128 ? ASCII[codePoint] : (FOLD.get(codePoint) ?? codePoint);
}
