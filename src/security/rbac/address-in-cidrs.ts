/** Client address checks against CIDR allowlists (roles' `allowed_cidrs`). */
import ipaddr from 'ipaddr.js';

/**
 * True when `address` (IPv4, IPv6, or IPv4-mapped IPv6 such as `::ffff:10.0.0.1`) lies in one of
 * `cidrs`. An unparsable address or CIDR never matches (fail closed).
 */
export function addressInCidrs(address: string, cidrs: readonly string[]): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(address);
  } catch {
    return false;
  }
  return cidrs.some((c) => {
    try {
      const [net, bits] = ipaddr.parseCIDR(c);
      const a = net.kind() === 'ipv4' && addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()
        ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
      return a.kind() === net.kind() && a.match([net, bits] as never);
    } catch {
      return false;
    }
  });
}
