/**
 * The client address to locate, honouring `X-Forwarded-For` only from trusted proxies: when the
 * connecting address (`client_ip`) is one of the configured proxy CIDRs, the chain is walked from
 * the right (the proxy nearest to us) past every trusted hop, and the first untrusted address is
 * the client. A client that is not a trusted proxy cannot spoof its location with the header.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/** The `trusted_proxies` option, shared by every stage that identifies the client (geoip, sessions, behavior). */
export const trustedProxiesOption = (): z.ZodDefault<z.ZodArray<z.ZodString>> =>
  z.array(z.string().refine((c) => { try { parseTrustedProxies([c]); return true; } catch { return false; } }, { message: 'must be an IP address or CIDR' }))
    .default([]).meta({ description: 'CIDRs of your own proxies/load balancers: only for requests from these is the client taken from X-Forwarded-For (rightmost untrusted hop).', examples: [['10.0.0.0/8', '2001:db8:1::/48']] });

/** Parsed trusted-proxy CIDRs. */
export type TrustedProxies = readonly (readonly [ipaddr.IPv4 | ipaddr.IPv6, number])[];

/** Parses CIDRs (`10.0.0.0/8`, `2001:db8::/32`, or a single address). Throws on a bad entry. */
export function parseTrustedProxies(cidrs: readonly string[]): TrustedProxies {
  return cidrs.map((c) => (c.includes('/') ? ipaddr.parseCIDR(c) : [ipaddr.parse(c), ipaddr.parse(c).kind() === 'ipv4' ? 32 : 128] as const));
}

function parse(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const t = ip.trim();
  if (isIP(t) === 0) return undefined;
  const a = ipaddr.parse(t);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

function trusted(a: ipaddr.IPv4 | ipaddr.IPv6, proxies: TrustedProxies): boolean {
  return proxies.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

/** The address to locate for a record (see the module doc); null when there is none. */
export function clientAddress(clientIp: string | null, xff: string | null, proxies: TrustedProxies): string | null {
  if (clientIp === null) return null;
  if (proxies.length === 0 || xff === null) return clientIp;
  const peer = parse(clientIp);
  if (peer === undefined || !trusted(peer, proxies)) return clientIp;
  const hops = xff.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parse(hops[i] as string);
    if (hop === undefined) return clientIp; // a malformed chain is not trusted
    if (!trusted(hop, proxies)) return hops[i] as string;
  }
  return clientIp;
}
