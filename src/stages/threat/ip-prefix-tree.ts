/**
 * Longest-prefix match over IPv4 and IPv6 networks: a binary trie per family, one node per bit of
 * the inserted prefixes, so a lookup costs at most 32 or 128 steps whatever the list size (no linear
 * scan). IPv4-mapped IPv6 addresses are looked up as IPv4.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

interface Node<V> {
  zero?: Node<V>;
  one?: Node<V>;
  value?: V;
}

function bytesOf(ip: string): number[] | undefined {
  const t = ip.trim();
  if (isIP(t) === 0) return undefined;
  const a = ipaddr.parse(t);
  return (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a).toByteArray();
}

/** A prefix tree mapping networks to values. */
export class IpPrefixTree<V> {
  readonly #v4: Node<V> = {};
  readonly #v6: Node<V> = {};
  #size = 0;

  /** Networks inserted. */
  get size(): number {
    return this.#size;
  }

  /** Inserts `cidr` (`a.b.c.d/n`, `x::/n` or a single address); returns false for malformed input. */
  insert(cidr: string, value: V): boolean {
    let bytes: number[];
    let bits: number;
    try {
      if (cidr.includes('/')) {
        const [net, len] = ipaddr.parseCIDR(cidr.trim());
        const mapped = net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress();
        bytes = (mapped ? (net as ipaddr.IPv6).toIPv4Address() : net).toByteArray();
        bits = mapped ? len - 96 : len;
      } else {
        const b = bytesOf(cidr);
        if (b === undefined) return false;
        bytes = b;
        bits = b.length * 8;
      }
    } catch {
      return false;
    }
    let node = bytes.length === 4 ? this.#v4 : this.#v6;
    for (let i = 0; i < bits; i++) {
      const bit = ((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1;
      node = bit === 0 ? (node.zero ??= {}) : (node.one ??= {});
    }
    if (node.value === undefined) this.#size++;
    node.value = value;
    return true;
  }

  /** The value of the longest inserted prefix containing `ip`, or undefined. */
  lookup(ip: string): V | undefined {
    const bytes = bytesOf(ip);
    if (bytes === undefined) return undefined;
    let node: Node<V> | undefined = bytes.length === 4 ? this.#v4 : this.#v6;
    let found = node.value;
    for (let i = 0; node !== undefined && i < bytes.length * 8; i++) {
      const bit = ((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1;
      node = bit === 0 ? node.zero : node.one;
      if (node?.value !== undefined) found = node.value;
    }
    return found;
  }
}
