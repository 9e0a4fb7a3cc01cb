/** Pause when Segura's 429 carries no Retry-After, or one that cannot be read. */
export const DEFAULT_PAUSE_S = 5;
/** Longest pause honoured: a wrong or hostile header must not silence Segura for hours. */
export const MAX_PAUSE_S = 300;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * How many seconds to pause after Segura's 429, from its Retry-After (RFC 9110 §10.2.3):
 * delta-seconds or an HTTP-date, rounded up, at least 1 and at most {@link MAX_PAUSE_S};
 * {@link DEFAULT_PAUSE_S} when the header is missing or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number {
  const text = value?.trim() ?? '';
  // Digits only: no sign, fraction or exponent. Very long ones are over the cap anyway.
  if (/^\d+$/.test(text)) {
    const digits = text.replace(/^0+(?=\d)/, '');
    return clamp(digits.length > 6 ? MAX_PAUSE_S : Number(digits));
  }
  const at = httpDate(text);
  if (at === undefined) return DEFAULT_PAUSE_S;
  return clamp(Math.ceil((at - nowMs) / 1000));
}

function clamp(seconds: number): number {
  return Math.min(MAX_PAUSE_S, Math.max(1, seconds));
}

/** Epoch milliseconds of an HTTP-date, or undefined when it is not one. */
function httpDate(text: string): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2], m[1], m[4], m[5], m[6]);
  m = RFC_850.exec(text);
  if (m) {
    // Two-digit years: the nearest century that does not put the date far in the future.
    const yy = Number(m[3]);
    return utc(yy < 70 ? 2000 + yy : 1900 + yy, m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME.exec(text);
  if (m) return utc(Number(m[6]), m[1], m[2].trim(), m[3], m[4], m[5]);
  return undefined;
}

function utc(
  year: number,
  month: string,
  day: string,
  hh: string,
  mm: string,
  ss: string,
): number | undefined {
  const [d, h, min, s] = [day, hh, mm, ss].map(Number);
  // Date.UTC would roll "32 Jan" or "25:00" over into another date; such a header is garbage.
  if (d < 1 || d > 31 || h > 23 || min > 59 || s > 60) return undefined;
  return Date.UTC(year, MONTHS.indexOf(month), d, h, min, s);
}
