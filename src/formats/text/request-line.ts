/**
 * Splits an HTTP request line (`%r`, `$request`) into method, path, query and protocol. Real logs
 * hold junk here too (TLS handshakes sent to a plain-HTTP port, `-` for 400/408, binary scans): a
 * request that is not `METHOD SP target [SP protocol]` still parses, with method/path null and the
 * request kept as written in `extras.request`.
 */
import type { AccessRecord } from '../../core/record.js';

// RFC 9110 tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

function isMethod(s: string, end: number): boolean {
  if (end === 0 || end > 32) return false;
  for (let i = 0; i < end; i++) { const c = s.charCodeAt(i); if (c >= 128 || TCHAR[c] === 0) return false; }
  return true;
}

/** True for `NAME/1`, `NAME/1.1`, `HTTP/2.0`: letters, `/`, digits with at most one dot. */
export function isProtocol(s: string, from: number, to: number): boolean {
  let i = from;
  while (i < to && ((s.charCodeAt(i) | 32) >= 97 && (s.charCodeAt(i) | 32) <= 122)) i++;
  if (i === from || i >= to || s.charCodeAt(i) !== 47) return false;
  i++;
  const d0 = i;
  while (i < to && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === d0) return false;
  if (i < to && s.charCodeAt(i) === 46) {
    i++;
    const d1 = i;
    while (i < to && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === d1) return false;
  }
  return i === to;
}

/** Sets `path` and `query` from a request target (split at the first `?`; no percent-decoding). */
export function applyTarget(rec: AccessRecord, target: string): void {
  const q = target.indexOf('?');
  if (q < 0) { rec.path = target; return; }
  rec.path = target.slice(0, q);
  rec.query = target.slice(q + 1);
}

/**
 * Fills method/path/query/protocol from `request` (already unescaped). `raw` is the text as
 * logged, stored in `extras.request` when the request is junk. Returns true when it was a request.
 */
export function applyRequestLine(rec: AccessRecord, request: string, raw: string): boolean {
  const sp1 = request.indexOf(' ');
  if (sp1 > 0 && isMethod(request, sp1)) {
    let end = request.length;
    while (end > sp1 && request.charCodeAt(end - 1) === 32) end--;
    const sp2 = request.lastIndexOf(' ', end - 1);
    let target: string;
    if (sp2 > sp1 && isProtocol(request, sp2 + 1, end)) {
      rec.protocol = request.slice(sp2 + 1, end);
      target = request.slice(sp1 + 1, sp2);
    } else target = request.slice(sp1 + 1, end);
    target = target.trim();
    if (target.length > 0) {
      rec.method = request.slice(0, sp1);
      applyTarget(rec, target);
      return true;
    }
    rec.protocol = null;
  }
  (rec.extras ??= {}).request = raw;
  return false;
}
