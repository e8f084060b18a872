/** Allocation-free syntax tests for the hottest built-in checks. */

const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

/** True when `s` is an RFC 9110 §5.6.2 `token` (one or more tchar). */
export function isHttpToken(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * True when `s` is a dotted-quad IPv4 address exactly as `net.isIPv4` accepts it (four decimal
 * octets 0..255, no leading zeros). Used as a fast path before `net.isIP`; it never accepts a
 * string `net.isIP` would refuse.
 */
export function isPlainIPv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let octets = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    let value = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && s.charCodeAt(start) === 48)) return false;
    octets++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 46 || octets === 4) return false;
    i++;
    if (i === n) return false;
  }
  return octets === 4;
}
