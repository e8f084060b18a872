/**
 * Fast parser for the Common Log Format timestamp `10/Oct/2000:13:55:36 -0700` (Apache `%t`
 * without brackets, Nginx `$time_local`), by char codes: no regex, no Date, no allocation.
 */
import { daysFromCivil as dfc, daysInMonth as dim, digitsAt as dat, monthAt as mat, offsetAt as oat } from './civil.js';

// Module-local aliases keep the per-line calls free of cross-module binding loads.
const daysFromCivil = dfc, daysInMonth = dim, digitsAt = dat, monthAt = mat, offsetAt = oat;

/** Where {@link parseClfTime} writes its result (reused across lines). */
export interface ClfTimeOut {
  /** UTC epoch ms. */
  ts: number;
  /** Minutes east of UTC as written. */
  off: number;
}

/**
 * Parses a CLF timestamp starting at `s[i]` (day may be 1 or 2 digits; an optional `.fraction`
 * after the seconds is kept as sub-millisecond precision). Returns the index just past the offset,
 * or -1 when the text is not a valid CLF time.
 */
export function parseClfTime(s: string, i: number, out: ClfTimeOut): number {
  let d = digitsAt(s, i, 2);
  let j = i + 2;
  if (d < 0) { d = digitsAt(s, i, 1); j = i + 1; if (d < 0) return -1; }
  if (s.charCodeAt(j) !== 47) return -1;
  const mo = monthAt(s, j + 1);
  if (mo === 0 || s.charCodeAt(j + 4) !== 47) return -1;
  const y = digitsAt(s, j + 5, 4);
  if (y < 0 || s.charCodeAt(j + 9) !== 58) return -1;
  const h = digitsAt(s, j + 10, 2), mi = digitsAt(s, j + 13, 2), sec = digitsAt(s, j + 16, 2);
  if (h < 0 || mi < 0 || sec < 0 || s.charCodeAt(j + 12) !== 58 || s.charCodeAt(j + 15) !== 58) return -1;
  if (d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 60) return -1;
  j += 18;
  let frac = 0;
  if (s.charCodeAt(j) === 46) {
    let scale = 100, k = j + 1;
    for (let c = s.charCodeAt(k) - 48; c >= 0 && c <= 9; c = s.charCodeAt(++k) - 48) { frac += c * scale; scale /= 10; }
    if (k === j + 1) return -1;
    j = k;
  }
  if (s.charCodeAt(j) !== 32) return -1;
  const end = offsetAt(s, j + 1, out);
  if (end < 0) return -1;
  out.ts = daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + frac - out.off * 60_000;
  return end;
}
