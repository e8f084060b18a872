/** Timestamp text helpers shared by the sinks (no DuckDB dependency). */

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const POS_INF = 9223372036854775807n;

/**
 * Formats UTC epoch microseconds as ISO-8601 with microseconds and `Z`
 * (`2024-03-05T12:34:56.123456Z`); DuckDB's infinities print as `infinity` / `-infinity`.
 */
export function isoFromMicros(micros: bigint): string {
  if (micros >= POS_INF) return 'infinity';
  if (micros <= -POS_INF) return '-infinity';
  let ms = micros / 1000n;
  let frac = micros % 1_000_000n;
  if (frac < 0n) frac += 1_000_000n;
  if (micros < 0n && micros % 1000n !== 0n) ms -= 1n;
  const d = new Date(Number(ms));
  const year = d.getUTCFullYear();
  const y = year >= 0 && year <= 9999 ? pad(year, 4) : (year < 0 ? '-' : '+') + pad(Math.abs(year), 6);
  return `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(Number(frac), 6)}Z`;
}

const TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses a timestamp as the engine's CSV writes it (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC) or as
 * ISO-8601 with `Z` or an offset, into UTC epoch microseconds (digits beyond microseconds are
 * truncated). Returns null when `text` is not such a timestamp.
 */
export function microsFromText(text: string): bigint | null {
  const m = TS.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const date = new Date(Date.UTC(2000, 0, 1, Number(h), Number(mi), Number(s)));
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // Date.UTC maps years 0..99 to 19xx
  const ms = date.getTime();
  if (Number.isNaN(ms)) return null;
  let micros = BigInt(ms) * 1000n + BigInt((frac + '000000').slice(0, 6));
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const offMin = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
    micros -= sign * offMin * 60_000_000n;
  }
  return micros;
}
