/**
 * One person's IP address in the text forms it can take at rest. Logs write an address as the
 * server formatted it (RFC 5952 for IPv6 on Linux, sometimes upper case or uncompressed), and an
 * IPv4 client reaching a dual-stack socket appears IPv4-mapped (`::ffff:a.b.c.d`). Erasure compares
 * addresses, not strings: {@link canonicalIp} maps every form of one address to one key, and
 * {@link ipTextForms} / {@link ipLinePattern} find it inside text (raw lines, bronze archives).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The comparison key of an address: IPv4 dotted quad (also for an IPv4-mapped IPv6 address, which
 * is the same client), IPv6 in RFC 5952 form (lower case, longest zero run compressed). A zone id
 * (`%eth0`) is ignored. Undefined when `text` is not one IP address (host names, lists, CIDRs).
 */
export function canonicalIp(text: string): string | undefined {
  const raw = text.trim();
  const bare = raw.includes('%') ? raw.slice(0, raw.indexOf('%')) : raw;
  // node:net's strict check first: no legacy forms such as `1.2.3` or `0x7f.1` that ipaddr.js accepts.
  if (isIP(bare) === 0) return undefined;
  const addr = ipaddr.parse(bare);
  if (addr.kind() === 'ipv4') return addr.toString();
  const v6 = addr as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toString();
}

/**
 * Text forms the address with comparison key `canonical` may have been written in, canonical first:
 * IPv4 → dotted, `::ffff:a.b.c.d`, `::ffff:hhhh:hhhh`; IPv6 → RFC 5952, uncompressed, zero-padded;
 * each also in upper case.
 * Used wherever a stored value is a function of the written text (pseudonyms, visitor ids,
 * truncation) and to search raw text. Throws TypeError when `canonical` is not a canonical address.
 */
export function ipTextForms(canonical: string): readonly string[] {
  if (canonicalIp(canonical) !== canonical) throw new TypeError('ipTextForms: expects the canonical form of an address');
  const addr = ipaddr.parse(canonical);
  let forms: string[];
  if (addr.kind() === 'ipv4') forms = [canonical, `::ffff:${canonical}`, (addr as ipaddr.IPv4).toIPv4MappedAddress().toString()];
  else {
    const v6 = addr as ipaddr.IPv6;
    forms = [canonical, v6.toNormalizedString(), v6.parts.map((p) => p.toString(16).padStart(4, '0')).join(':')];
  }
  return Object.freeze([...new Set([...forms, ...forms.map((f) => f.toUpperCase())])]);
}

const escape = (s: string): string => s.replaceAll('.', '\\.');

/**
 * A regular expression (valid for both RE2, as DuckDB's `regexp_matches`, and JavaScript) that
 * finds the address in text in any of its {@link ipTextForms}, not as part of a longer address
 * (`1.2.3.4` does not match in `11.2.3.45`). Apply it case-insensitively (`'i'`).
 */
export function ipLinePattern(canonical: string): string {
  return ipTextForms(canonical).filter((f) => f === f.toLowerCase()).map((form) => (form.includes(':')
    ? `(^|[^0-9a-f:])${escape(form)}($|[^0-9a-f:])`
    : `(^|[^0-9.])${escape(form)}($|[^0-9.]|\\.($|[^0-9]))`)).map((p) => `(${p})`).join('|');
}
