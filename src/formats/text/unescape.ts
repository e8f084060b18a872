/**
 * Undoes the escaping web servers apply to logged strings: Apache (`\"`, `\\`, `\n`, `\t`, `\xHH`),
 * Nginx default (`\xHH`) and Nginx/JSON (`\"`, `\\`, `\/`, `\uXXXX`, `\b` `\f` `\n` `\r` `\t`).
 * Runs of `\xHH` bytes are decoded as UTF-8 (invalid sequences become U+FFFD), so `\xC3\xA9` is `é`
 * and TLS handshake bytes become control characters. Unknown escapes are kept verbatim.
 */

const hex = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1);

function hexByteAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 92 || (s.charCodeAt(i + 1) | 32) !== 120) return -1;
  const a = hex(s.charCodeAt(i + 2)), b = hex(s.charCodeAt(i + 3));
  return a < 0 || b < 0 ? -1 : a * 16 + b;
}

/** Returns `s` with backslash escapes decoded; `s` itself when it holds no backslash. */
export function unescapeLogString(s: string): string {
  let i = s.indexOf('\\');
  if (i < 0) return s;
  let out = s.slice(0, i);
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 92) { const n = s.indexOf('\\', i); const e = n < 0 ? s.length : n; out += s.slice(i, e); i = e; continue; }
    const e = s.charCodeAt(i + 1);
    if ((e | 32) === 120) {
      let b = hexByteAt(s, i);
      if (b < 0) { out += '\\'; i++; continue; }
      const bytes: number[] = [];
      let high = false;
      while (b >= 0) { bytes.push(b); if (b >= 0x80) high = true; i += 4; b = hexByteAt(s, i); }
      out += high ? Buffer.from(bytes).toString('utf8') : String.fromCharCode(...bytes);
      continue;
    }
    if (e === 117 /* u */) {
      const a = hex(s.charCodeAt(i + 2)), b = hex(s.charCodeAt(i + 3)), c2 = hex(s.charCodeAt(i + 4)), d = hex(s.charCodeAt(i + 5));
      if (a >= 0 && b >= 0 && c2 >= 0 && d >= 0) { out += String.fromCharCode(((a * 16 + b) * 16 + c2) * 16 + d); i += 6; continue; }
      out += '\\'; i++; continue;
    }
    let r: string | null;
    switch (e) {
      case 34: r = '"'; break;
      case 92: r = '\\'; break;
      case 47: r = '/'; break;
      case 110: r = '\n'; break;
      case 114: r = '\r'; break;
      case 116: r = '\t'; break;
      case 98: r = '\b'; break;
      case 102: r = '\f'; break;
      case 118: r = '\v'; break;
      default: r = null;
    }
    if (r === null) { out += '\\'; i++; } else { out += r; i += 2; }
  }
  return out;
}

/**
 * Escapes `s` the way Apache writes `%r`/`%i` values (`"`→`\"`, `\`→`\\`, control and non-ASCII
 * bytes → `\xHH` of their UTF-8 encoding). Used by tests and the benchmark to print lines.
 */
export function escapeApache(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c >= 0x7f) for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** Escapes `s` as Nginx's default `escape=default` does (`"`, `\`, control, non-ASCII → `\xHH`). */
export function escapeNginx(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\' || c < 0x20 || c >= 0x7f) for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** Escapes `s` as Nginx's `escape=json` does (JSON string escaping, without the quotes). */
export function escapeJson(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}
