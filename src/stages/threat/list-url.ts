/**
 * Which URLs a reputation list may be downloaded from. A list decides which clients are scored as
 * hostile, so it must not be alterable in transit: `https://` is expected; plain `http://` is
 * accepted only to this host (loopback) or with the explicit `allow_insecure_http`, and request
 * headers (which carry credentials) never go over plain http to another host. Messages and logs
 * name a list's server by {@link urlHost} only: paths and query strings may hold tokens.
 */
import { isIP } from 'node:net';

/** True for `localhost` and loopback addresses (`127.0.0.0/8`, `::1`, as `URL.hostname` spells them). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** `host[:port]` of `url` (what errors and logs name), or `(invalid URL)`. */
export function urlHost(url: string | URL): string {
  try {
    return (typeof url === 'string' ? new URL(url) : url).host;
  } catch {
    return '(invalid URL)';
  }
}

/** What the policy needs to know besides the URL. */
export interface ListUrlPolicy {
  /** `allow_insecure_http` of the list. */
  readonly allowInsecureHttp: boolean;
  /** True when request headers (credentials) would be sent to this URL. */
  readonly withHeaders: boolean;
}

/**
 * Why `url` may not be used for a reputation list, as a sentence for the user (it never repeats
 * the URL), or undefined when it may: not a URL, a scheme other than http(s), credentials in the
 * URL, plain http to another host without `allow_insecure_http`, or headers over plain http to
 * another host.
 */
export function listUrlProblem(url: string | URL, policy: ListUrlPolicy): string | undefined {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return 'is not a valid absolute URL (write e.g. `https://iplists.firehol.org/files/firehol_level1.netset`)';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `uses \`${u.protocol}\`; only https:// URLs are supported`;
  if (u.username !== '' || u.password !== '') return 'holds credentials, which would be stored and logged with it; send them in `headers` as `${secret:NAME}`';
  if (u.protocol === 'https:' || isLoopbackHost(u.hostname)) return undefined;
  if (policy.withHeaders) return 'is plain http:// to another host, and `headers` (credentials) are never sent over plain http; use https://';
  if (!policy.allowInsecureHttp) return 'is plain http://, which anyone on the way can alter (de-listing an attacker); use https://, or set `allow_insecure_http: true` for a mirror on a trusted network';
  return undefined;
}
