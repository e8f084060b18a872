/**
 * Calendar arithmetic without Date objects: civil date → days since 1970-01-01 (proleptic
 * Gregorian, H. Hinnant's algorithm), month-name lookup by char codes, and a reusable time-parts
 * accumulator for formats that log the date and time in pieces.
 */

/** Days since the Unix epoch of year `y`, month `m` (1-12), day `d` (1-31). No range checks. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Number of days in month `m` (1-12) of year `y`. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** UTC epoch ms of a civil date-time; `null` when a component is out of range. */
export function civilToMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 24 || mi > 59 || s > 60) return null;
  return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthByKey = new Map<number, number>(MONTHS.map((m, i) => [key3(m, 0), i + 1]));
function key3(s: string, i: number): number {
  return ((s.charCodeAt(i) | 32) << 16) | ((s.charCodeAt(i + 1) | 32) << 8) | (s.charCodeAt(i + 2) | 32);
}

/** Month number (1-12) of the 3-letter English abbreviation at `s[i..i+3)`, case-insensitive; 0 if none. */
export function monthAt(s: string, i: number): number {
  if (i + 3 > s.length) return 0;
  return monthByKey.get(key3(s, i)) ?? 0;
}

/** English month names (full) and abbreviations, for printers and strftime parsing. */
export const MONTH_NAMES: readonly string[] = Object.freeze([
  'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December',
]);

/** English weekday names (full), Sunday first. */
export const WEEKDAY_NAMES: readonly string[] = Object.freeze(['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']);

/** Reads an unsigned decimal integer of exactly `n` digits at `s[i..]`; -1 if not all digits. */
export function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Reads `±HHMM` or `±HH:MM` (or `Z`) at `s[i]`. Writes minutes east of UTC to `out.off` and returns
 * the end index, or -1.
 */
export function offsetAt(s: string, i: number, out: { off: number }): number {
  const c = s.charCodeAt(i);
  if (c === 90 /* Z */ || c === 122) { out.off = 0; return i + 1; }
  if (c !== 43 && c !== 45) return -1;
  const hh = digitsAt(s, i + 1, 2);
  if (hh < 0) return -1;
  let j = i + 3;
  if (s.charCodeAt(j) === 58) j++;
  const mm = digitsAt(s, j, 2);
  if (mm < 0 || mm > 59 || hh > 23) return -1;
  out.off = (c === 45 ? -1 : 1) * (hh * 60 + mm);
  return j + 2;
}
