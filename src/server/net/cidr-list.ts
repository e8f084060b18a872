/**
 * CIDR allowlists (ipaddr.js): parsed once, matched per request. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`) match IPv4 ranges, so a dual-stack listener behaves like an IPv4 one.
 */
import ipaddr from 'ipaddr.js';
import { Validation } from '../../core/errors.js';

/** A parsed allowlist; empty = every address allowed. */
export interface CidrList {
  readonly empty: boolean;
  /** True when `address` is inside one of the ranges (always true for an empty list; false for an unparsable address). */
  allows(address: string): boolean;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `cidrs` (CIDRs or single addresses); throws `TRB_VALIDATION` naming the bad entry. */
export function parseCidrList(cidrs: readonly string[]): CidrList {
  const ranges: Range[] = cidrs.map((c) => {
    try {
      if (c.includes('/')) return ipaddr.parseCIDR(c);
      const a = ipaddr.parse(c);
      return [a, a.kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw Validation({ reason: `\`${c}\` is not a CIDR or an IP address`, field: 'allow_cidrs' });
    }
  });
  return {
    empty: ranges.length === 0,
    allows(address: string): boolean {
      if (ranges.length === 0) return true;
      let a: ipaddr.IPv4 | ipaddr.IPv6;
      try { a = ipaddr.process(address); } catch { return false; }
      return ranges.some(([net, bits]) => a.kind() === net.kind() && a.match([net, bits] as never));
    },
  };
}
