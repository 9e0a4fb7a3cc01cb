import { MAX_PAUSE_S, DEFAULT_PAUSE_S, parseRetryAfter } from './retry-after';

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0); // Sat, 31 Jan 2026 12:00:00 GMT

describe('parseRetryAfter (seconds of pause)', () => {
  it.each([
    ['3', 3],
    ['1', 1],
    ['120', 120],
    ['300', 300],
    // "Retry now" still pauses a second: the caller is told at least 1 s either way.
    ['0', 1],
    ['00007', 7],
    ['0000000000007', 7],
  ])('delta-seconds %j → %i', (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });

  it.each(['301', '86400', '99999999999999999999999999', `9${'9'.repeat(400)}`])(
    'a huge delta %j is capped at 300 s',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBe(MAX_PAUSE_S);
    },
  );

  it.each([
    ['IMF-fixdate 4 s ahead', 'Sat, 31 Jan 2026 12:00:04 GMT', 0, 4],
    ['IMF-fixdate 2.5 s ahead, rounded up', 'Sat, 31 Jan 2026 12:00:03 GMT', 500, 3],
    ['IMF-fixdate in the past', 'Fri, 30 Jan 2026 12:00:00 GMT', 0, 1],
    ['IMF-fixdate right now', 'Sat, 31 Jan 2026 12:00:00 GMT', 0, 1],
    ['IMF-fixdate a day ahead, capped', 'Sun, 01 Feb 2026 12:00:00 GMT', 0, 300],
    ['obsolete RFC 850 date', 'Saturday, 31-Jan-26 12:01:00 GMT', 0, 60],
    ['obsolete asctime date', 'Sat Jan 31 12:00:10 2026', 0, 10],
    ['asctime with a one-digit day', 'Sun Feb  1 11:59:00 2026', 0, 300],
  ])('HTTP-date, %s', (_name, value, elapsedMs, seconds) => {
    expect(parseRetryAfter(value, NOW + elapsedMs)).toBe(seconds);
  });

  it.each([
    undefined,
    '',
    '   ',
    'soon',
    '-1',
    '+5',
    '1.5',
    '3s',
    '3, 4',
    '0x10',
    '1e3',
    'Sat, 31 Jan 2026 12:00:04 CET',
    'Sat, 32 Jan 2026 12:00:04 GMT',
    'Sat, 31 Jan 2026 25:00:04 GMT',
    'Sat, 31 Foo 2026 12:00:04 GMT',
    '2026-01-31T12:00:04Z',
    'tomorrow',
  ])('missing or unreadable %j → 5 s', (value) => {
    expect(parseRetryAfter(value, NOW)).toBe(DEFAULT_PAUSE_S);
  });
});
