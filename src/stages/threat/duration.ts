/**
 * Durations as written in config: a whole number of seconds (`3600`, `"3600"`) or one or more
 * `<number><unit>` parts with the units `s`, `m`, `h` and `d` (`90s`, `30m`, `6h`, `1h30m`, `1.5h`,
 * `7d`). Values are whole seconds.
 */
import { z } from 'zod';

const UNIT_SECS: Readonly<Record<string, number>> = Object.freeze({ s: 1, m: 60, h: 3600, d: 86_400 });
const WHOLE = /^(?:\d+(?:\.\d+)?\s*[smhd]\s*)+$/;
const PART = /(\d+(?:\.\d+)?)\s*([smhd])/g;

/**
 * Seconds in `text` (see the module doc), rounded to a whole second; undefined when `text` is not
 * a duration (empty, negative, unknown unit, stray characters). Case and surrounding white space
 * are ignored.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  if (!WHOLE.test(t)) return undefined;
  let secs = 0;
  for (const m of t.matchAll(PART)) secs += Number(m[1]) * (UNIT_SECS[m[2] as string] as number);
  return Number.isFinite(secs) ? Math.round(secs) : undefined;
}

/** `secs` (whole, >= 0) written the short way, largest units first: 21600 → `6h`, 5400 → `1h30m`, 0 → `0s`. */
export function formatDuration(secs: number): string {
  let left = Math.max(0, Math.round(secs));
  if (left === 0) return '0s';
  let out = '';
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (left >= size) {
      out += `${Math.floor(left / size)}${unit}`;
      left %= size;
    }
  }
  return out;
}

/**
 * Zod schema of a duration option: accepts a whole number of seconds or a duration text, and
 * parses to whole seconds within `[min, max]` (bounds in seconds). Set the default with
 * `.prefault('6h')` so the docs show it as written.
 */
export function durationSecs(bounds: { readonly min: number; readonly max: number }) {
  return z.union([z.number().int(), z.string()]).transform((v, ctx) => {
    const secs = typeof v === 'number' ? v : parseDuration(v);
    if (secs === undefined) {
      ctx.addIssue({ code: 'custom', message: `\`${String(v)}\` is not a duration: write seconds or e.g. \`30m\`, \`6h\`, \`1h30m\`, \`1d\``, input: v });
      return z.NEVER;
    }
    if (secs < bounds.min || secs > bounds.max) {
      ctx.addIssue({ code: 'custom', message: `must be from ${formatDuration(bounds.min)} to ${formatDuration(bounds.max)}, got \`${String(v)}\`${typeof v === 'number' ? ' seconds' : ''}`, input: v });
      return z.NEVER;
    }
    return secs;
  });
}
