/**
 * IP truncation (anonymisation by prefix): the host bits past the prefix are zeroed. IPv4 keeps
 * `/ipv4Prefix` (default 24: one byte masked), IPv6 keeps `/ipv6Prefix` (default 48). An
 * IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is truncated as the IPv4 address it carries and
 * written back in the same mapped form. Output is normalised (RFC 5952 for IPv6).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Prefix lengths kept by {@link truncateIp}. */
export interface TruncateOptions {
  /** 0–32; default 24. */
  readonly ipv4Prefix: number;
  /** 0–128; default 48. */
  readonly ipv6Prefix: number;
}

/** Defaults of {@link TruncateOptions} (IPv4 /24, IPv6 /48). */
export const DEFAULT_TRUNCATE: TruncateOptions = Object.freeze({ ipv4Prefix: 24, ipv6Prefix: 48 });

function zeroHostBits(bytes: number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return keep === 8 ? b : b & ((0xff << (8 - keep)) & 0xff);
  });
}

/** The truncated form of `ip`, or undefined when `ip` is not an IP address. */
export function truncateIp(ip: string, opts: TruncateOptions = DEFAULT_TRUNCATE): string | undefined {
  const raw = ip.trim();
  const text = raw.includes('%') ? raw.slice(0, raw.indexOf('%')) : raw;
  // node:net's strict check: no legacy forms such as `1.2.3` or `0x7f.1` that ipaddr.js accepts.
  if (isIP(text) === 0) return undefined;
  const addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv4') {
    return ipaddr.fromByteArray(zeroHostBits(addr.toByteArray(), opts.ipv4Prefix)).toString();
  }
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) {
    const v4 = ipaddr.fromByteArray(zeroHostBits(v6.toIPv4Address().toByteArray(), opts.ipv4Prefix)).toString();
    return `::ffff:${v4}`;
  }
  return ipaddr.fromByteArray(zeroHostBits(v6.toByteArray(), opts.ipv6Prefix)).toString();
}
