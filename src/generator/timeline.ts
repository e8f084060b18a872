/**
 * Timestamps for generated logs: a diurnal, weekday-weighted arrival curve mapped onto line
 * numbers so timestamps never decrease, plus fast `[dd/Mon/yyyy:HH:MM:SS +hhmm]` formatting.
 */

/** English month abbreviations as Apache and nginx write them. */
export const MONTHS: readonly string[] = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Relative request rate per local hour 0..23 (night trough, lunch and evening peaks). */
const HOURLY: readonly number[] = [
  0.32, 0.22, 0.16, 0.13, 0.12, 0.15, 0.25, 0.42, 0.62, 0.78, 0.88, 0.94,
  0.98, 1.0, 0.97, 0.93, 0.9, 0.88, 0.9, 0.96, 1.0, 0.92, 0.72, 0.5,
];
const WEEKEND_FACTOR = 0.78;

/** Maps line numbers to timestamps, in order. */
export interface Timeline {
  /**
   * Epoch seconds of the next line, given its jitter `u` in [0, 1); never smaller than the
   * previous call's value (since the last seek).
   */
  next(u: number): number;
  /** Positions the timeline so the next call to `next` is for line `line` (0-based). */
  seek(line: number): void;
}

/** Options of {@link createTimeline}. */
export interface TimelineOptions {
  /** First instant covered (UTC). */
  readonly start: Date;
  /** Length of the covered window in days (> 0). */
  readonly days: number;
  /** Number of lines the timeline is spread over (>= 1). */
  readonly lines: number;
  /** UTC offset of the server clock in minutes; the diurnal curve follows local time. */
  readonly utcOffsetMinutes: number;
}

/**
 * Creates a timeline whose density follows the diurnal curve. Line i gets the quantile
 * (i + u)/lines of the curve, u in [0, 1) supplied by the caller: stratified, hence monotonic
 * and jittered, and computable from any line on (which lets blocks be generated in parallel).
 */
export function createTimeline(opts: TimelineOptions): Timeline {
  const startSec = Math.floor(opts.start.getTime() / 1000);
  const minutes = Math.max(1, Math.round(opts.days * 1440));
  const cdf = new Float64Array(minutes + 1);
  for (let m = 0; m < minutes; m++) {
    const local = new Date((startSec + m * 60 + opts.utcOffsetMinutes * 60) * 1000);
    const h = local.getUTCHours();
    const frac = local.getUTCMinutes() / 60;
    const rate = HOURLY[h]! * (1 - frac) + HOURLY[(h + 1) % 24]! * frac;
    const dow = local.getUTCDay();
    cdf[m + 1] = cdf[m]! + rate * (dow === 0 || dow === 6 ? WEEKEND_FACTOR : 1);
  }
  const total = cdf[minutes]!;
  const n = opts.lines;
  let i = 0;
  let m = 0;
  let last = startSec;
  return {
    seek(line: number): void {
      i = line;
      const target = (line / n) * total;
      let lo = 0;
      let hi = minutes - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (cdf[mid]! <= target) lo = mid;
        else hi = mid - 1;
      }
      m = lo;
      last = startSec;
    },
    next(u: number): number {
      const target = ((i++ + u) / n) * total;
      while (m < minutes - 1 && cdf[m + 1]! <= target) m++;
      const lo = cdf[m]!;
      const within = (target - lo) / (cdf[m + 1]! - lo);
      const sec = startSec + m * 60 + Math.min(59, Math.floor(within * 60));
      if (sec > last) last = sec;
      return last;
    },
  };
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** Formats a UTC offset in minutes as `+hhmm` / `-hhmm`. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(offsetMinutes);
  return sign + pad2(Math.floor(a / 60)) + pad2(a % 60);
}

/**
 * Returns a formatter for `[dd/Mon/yyyy:HH:MM:SS +hhmm]` at a fixed UTC offset. It caches the
 * last second and the last day, so monotonic input costs a few string concatenations per line.
 */
export function createClfFormatter(utcOffsetMinutes: number): (epochSec: number) => string {
  const off = ' ' + formatOffset(utcOffsetMinutes) + ']';
  let lastSec = NaN;
  let lastOut = '';
  let dayKey = NaN;
  let dayPrefix = '';
  return (epochSec: number): string => {
    if (epochSec === lastSec) return lastOut;
    const local = epochSec + utcOffsetMinutes * 60;
    const day = Math.floor(local / 86400);
    if (day !== dayKey) {
      const d = new Date(day * 86400000);
      dayPrefix = '[' + pad2(d.getUTCDate()) + '/' + MONTHS[d.getUTCMonth()]! + '/' + d.getUTCFullYear() + ':';
      dayKey = day;
    }
    const s = local - day * 86400;
    lastOut = dayPrefix + pad2(Math.floor(s / 3600)) + ':' + pad2(Math.floor(s / 60) % 60) + ':' + pad2(s % 60) + off;
    lastSec = epochSec;
    return lastOut;
  };
}
