/** Percent-decoding of URL paths that never throws. */

/**
 * Percent-decodes `raw` as UTF-8, like `decodeURIComponent` (`%2F` → `/`, `+` stays `+`).
 * Returns `raw` itself (same string) when it holds no `%`, and `undefined` when it cannot be
 * decoded: a malformed escape (`%zz`, a trailing `%`) or bytes that are not valid UTF-8 (overlong
 * forms such as `%C0%AF`, encoded surrogates, `%FF`). Never throws.
 */
export function tryDecodePath(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
