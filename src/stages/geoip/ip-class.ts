/**
 * Classification of addresses that must not be looked up in a GeoIP database: private, loopback,
 * link-local, unique-local, carrier-grade NAT, multicast, reserved, unspecified and broadcast ranges
 * are labelled; everything else is `public`. IPv4-mapped IPv6 is classified as the IPv4 address.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Labels of {@link classifyIp}. */
export type IpClass = 'public' | 'private' | 'loopback' | 'link_local' | 'unique_local' | 'cgnat' | 'multicast' | 'reserved' | 'unspecified' | 'broadcast';

const RANGE_LABEL: Readonly<Record<string, IpClass>> = Object.freeze({
  unicast: 'public', private: 'private', loopback: 'loopback', linkLocal: 'link_local', uniqueLocal: 'unique_local',
  carrierGradeNat: 'cgnat', multicast: 'multicast', reserved: 'reserved', unspecified: 'unspecified', broadcast: 'broadcast',
  // IPv6 special-purpose blocks ipaddr.js names; none of them locate a client.
  ipv4Mapped: 'public', rfc6145: 'reserved', rfc6052: 'reserved', '6to4': 'reserved', teredo: 'reserved', discard: 'reserved',
  benchmarking: 'reserved', amt: 'reserved', as112v6: 'reserved', deprecated: 'reserved', orchid2: 'reserved', droneRemoteIdProtocolEntityTags: 'reserved',
  as112: 'reserved',
});

/** The normalised address (IPv4 for IPv4-mapped) and its class, or undefined for a non-IP. */
export function classifyIp(ip: string): { readonly address: string; readonly cls: IpClass } | undefined {
  const text = ip.trim();
  if (isIP(text) === 0) return undefined;
  let addr: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(text);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const range = addr.range();
  // Documentation ranges (192.0.2.0/24, 2001:db8::/32, ...) are `reserved`.
  return { address: addr.toString(), cls: RANGE_LABEL[range] ?? 'reserved' };
}
