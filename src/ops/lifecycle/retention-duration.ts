/**
 * Retention durations as written in a pipeline file: a positive integer and one unit, `h` (hours),
 * `d` (days), `w` (weeks) or `y` (years of 365 days), e.g. `36h`, `7d`, `2y`. Parsed strictly: no
 * spaces, no fractions, no zero, no combined units, no `m` (minutes or months would be ambiguous).
 */
import { z } from 'zod';

const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 } as const;
const PATTERN = /^([1-9][0-9]{0,5})(h|d|w|y)$/;

/** Milliseconds of a duration such as `7d`, or undefined when `text` is not one (see the module doc). */
export function parseRetentionDuration(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** A zod string that must be a retention duration; the value stays the string as written. */
export function retentionDuration(): z.ZodString {
  return z.string().regex(PATTERN, { error: 'must be a duration: a positive integer and one unit `h`, `d`, `w` or `y` (365 days), e.g. `7d`, `2y`' });
}
