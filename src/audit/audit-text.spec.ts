import { AUDIT_TEXT_BOUNDS, recordable, recordableDetails, recordableText } from './audit-text';

describe('recordableText', () => {
  it('replaces every unprintable class with U+FFFD and keeps the rest', () => {
    const unprintable = [
      '\u0000',
      '\u001b',
      '\r',
      '\n',
      '\u007f',
      '\u0085',
      '\u009f',
      '\u061c',
      '\u200e',
      '\u200f',
      '\u2028',
      '\u2029',
      '\u202a',
      '\u202e',
      '\u2066',
      '\u2069',
      '\ud800',
      '\udfff',
    ];
    for (const c of unprintable) expect(recordableText(`a${c}b`)).toBe('a\uFFFDb');
    // Printable text, emoji (a surrogate pair) and zero-width joiners stay as they are.
    const kept = 'Olá, 日本 \u{1F600} \u200d \u00a0 \u2026 \uFFFD';
    expect(recordableText(kept)).toBe(kept);
  });

  it('cuts past the bound to bound-1 characters and "…", counting code points', () => {
    expect(recordableText('abcdef', 6)).toBe('abcdef');
    expect(recordableText('abcdefg', 6)).toBe('abcde…');
    const emoji = '\u{1F600}'.repeat(10); // 20 UTF-16 units, 10 characters
    expect(recordableText(emoji, 10)).toBe(emoji);
    expect(recordableText(emoji, 4)).toBe(`${'\u{1F600}'.repeat(3)}…`);
  });

  it('is idempotent, so sanitising twice (a caller and the audit writer) changes nothing', () => {
    const once = recordableText(`\u001b${'x'.repeat(600)}`, 500);
    expect(recordableText(once, 500)).toBe(once);
  });
});

describe('recordable', () => {
  it('applies the field bound; non-strings are nothing', () => {
    expect(recordable('r'.repeat(501), 'reason')).toHaveLength(AUDIT_TEXT_BOUNDS.reason);
    expect(recordable(42, 'sessionId')).toBeUndefined();
  });
});

describe('recordableDetails', () => {
  it('bounds each filter value at 256 and the idempotency key at 128, at any depth', () => {
    const long = `\n${'v'.repeat(400)}`;
    const out = recordableDetails({
      filter: { user: long, nested: [long] },
      idempotencyKey: long,
      [`k\u202e`]: 1,
      at: new Date(0),
      gone: undefined,
    }) as Record<string, unknown>;
    const filterValue = `\uFFFD${'v'.repeat(254)}…`;
    expect(out).toEqual({
      filter: { user: filterValue, nested: [filterValue] },
      idempotencyKey: `\uFFFD${'v'.repeat(126)}…`,
      'k\uFFFD': 1,
      at: '1970-01-01T00:00:00.000Z',
    });
    expect(recordableDetails(undefined)).toBeNull();
  });
});
