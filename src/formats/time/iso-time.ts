/** Parser for ISO-8601 / RFC 3339 timestamps as web servers and JSON loggers write them. */
import { daysFromCivil, daysInMonth, digitsAt, offsetAt } from './civil.js';

/** Result of {@link parseIsoTime}: UTC epoch ms (fractional below 1 ms) and the written offset. */
export interface IsoTimeOut {
  ts: number;
  /** Minutes east of UTC, or null when the text carries no zone (then it is read as UTC). */
  off: number | null;
}

const scratch = { off: 0 };

/**
 * Parses `YYYY-MM-DD[T| ]HH:MM[:SS[.fff…]][Z|±HH:MM|±HHMM]` at `s[i]`. Returns the end index or -1.
 */
export function parseIsoTime(s: string, i: number, out: IsoTimeOut): number {
  const y = digitsAt(s, i, 4), mo = digitsAt(s, i + 5, 2), d = digitsAt(s, i + 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return -1;
  if (d > daysInMonth(y, mo)) return -1;
  const sep = s.charCodeAt(i + 10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return -1;
  const h = digitsAt(s, i + 11, 2), mi = digitsAt(s, i + 14, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s.charCodeAt(i + 13) !== 58) return -1;
  let j = i + 16, sec = 0, frac = 0;
  if (s.charCodeAt(j) === 58) {
    sec = digitsAt(s, j + 1, 2);
    if (sec < 0 || sec > 60) return -1;
    j += 3;
    if (s.charCodeAt(j) === 46 || s.charCodeAt(j) === 44) {
      let scale = 100, k = j + 1;
      for (let c = s.charCodeAt(k) - 48; c >= 0 && c <= 9; c = s.charCodeAt(++k) - 48) { frac += c * scale; scale /= 10; }
      if (k === j + 1) return -1;
      j = k;
    }
  }
  let off: number | null = null;
  if (j < s.length) {
    const e = offsetAt(s, j, scratch);
    if (e >= 0) { off = scratch.off; j = e; }
  }
  out.off = off;
  out.ts = daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + frac - (off ?? 0) * 60_000;
  return j;
}
