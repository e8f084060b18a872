/**
 * Redaction of personal data inside URLs, query strings and referers, by rule:
 * - e-mail addresses (also percent-encoded `%40`),
 * - values of parameters that carry credentials or identities (`token`, `access_token`, `api_key`,
 *   `session`, `sessionid`, `sid`, `jsessionid`, `phpsessid`, `password`, `auth`, `email`, ...),
 *   including `;jsessionid=` path parameters,
 * - card numbers (13–19 digits, optionally separated by spaces or dashes, passing the Luhn check),
 * - phone numbers (an optional `+`, 9–15 digits with common separators).
 * Each match becomes `[email]`, `[redacted]`, `[card]` or `[phone]`; the rest of the URL is kept, so
 * paths and non-personal parameters stay useful for analytics. Pure function, no I/O.
 */

/** Which kinds of personal data were found (for counts and tests). */
export type RedactionKind = 'email' | 'param' | 'card' | 'phone';

const SENSITIVE_PARAMS = /^(?:access_?token|id_?token|refresh_?token|token|auth|authorization|api_?key|apikey|key|secret|client_?secret|password|passwd|pwd|pass|session|session_?id|sessionid|sid|jsessionid|phpsessid|aspsessionid|code|otp|email|e_?mail|mail|user_?email|ssn|signature|sig)$/i;
const EMAIL = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const CARD = /(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])/g;
const PHONE = /(?<![0-9A-Za-z])(?:\+|%2B|00)?\(?[0-9](?:[ .()-]{0,2}[0-9]){8,14}(?![0-9A-Za-z])/g;

const NOTHING: readonly RedactionKind[] = Object.freeze([]);

/** Luhn check of the digits of `s`. */
export function luhnValid(s: string): boolean {
  const digits = s.replace(/[^0-9]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

/** `text` with personal data redacted, and what was found. Unchanged text is returned as is. */
export function redactUrl(text: string): { readonly text: string; readonly found: readonly RedactionKind[] } {
  // Cheap guards first: most URLs have no `=`, no `@` and few digits, and skip every regex.
  let digits = 0;
  for (let i = 0; i < text.length; i++) { const c = text.charCodeAt(i); if (c >= 48 && c <= 57) digits++; }
  const maybeParam = text.includes('=');
  const maybeEmail = text.includes('@') || text.includes('%40');
  if (!maybeParam && !maybeEmail && digits < 9) return { text, found: NOTHING };
  const found: RedactionKind[] = [];
  let out = !maybeParam ? text : text.replace(/(^|[?&;])([^=&;#?/]+)=([^&;#?]*)/g, (whole, sep: string, name: string, value: string) => {
    let decoded = name;
    try { decoded = decodeURIComponent(name); } catch { /* keep raw */ }
    if (value === '' || !SENSITIVE_PARAMS.test(decoded.trim())) return whole;
    found.push('param');
    return `${sep}${name}=[redacted]`;
  });
  if (maybeEmail) out = out.replace(EMAIL, () => { found.push('email'); return '[email]'; });
  if (digits >= 13) out = out.replace(CARD, (m) => {
    if (!luhnValid(m)) return m;
    found.push('card');
    return '[card]';
  });
  if (digits >= 9) out = out.replace(PHONE, (m) => {
    const digits = m.replace(/[^0-9]/g, '').length;
    // Long plain digit runs are usually ids or timestamps; a phone needs a + / 00 prefix or separators.
    if (!/^(\+|%2B|00|\()/.test(m) && !/[ .()-]/.test(m)) return m;
    if (digits < 9 || digits > 15) return m;
    found.push('phone');
    return '[phone]';
  });
  return { text: found.length === 0 ? text : out, found };
}
