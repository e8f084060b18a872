/**
 * The generator's client population: addresses (IPv4, IPv6, IPv4-mapped IPv6), user agent,
 * protocol, authenticated user and proxy header per client, drawn with a heavy-tailed
 * (Zipf) request share so a few clients dominate as on real sites.
 */
import { createAliasTable, zipfWeights, type AliasTable } from './alias-table.js';
import type { Prng } from './prng.js';
import { AGENTS_BY_KIND, type ClientKind } from './user-agents.js';

/** One simulated client. Strings are pre-joined pieces of the log line for speed. */
export interface Client {
  readonly kind: ClientKind;
  readonly ip: string;
  readonly ua: string;
  /** `HTTP/1.1`, `HTTP/2.0` or `HTTP/1.0`. */
  readonly protocol: string;
  /** `$remote_user` / `%u`: `-` unless authenticated. */
  readonly user: string;
  /** X-Forwarded-For value or `-`. */
  readonly xff: string;
}

/** The population and its sampler. */
export interface ClientPool {
  readonly clients: readonly Client[];
  /** Draws a client by its heavy-tailed request share. */
  readonly table: AliasTable;
}

const KIND_WEIGHTS: readonly [ClientKind, number][] = [['browser', 0.86], ['crawler', 0.06], ['tool', 0.04], ['scanner', 0.04]];
const SCANNER_MIN_RANK = 200;
const CRAWLER_V4 = ['66.249.66.', '66.249.68.', '66.249.79.', '40.77.167.', '157.55.39.', '207.46.13.', '5.255.231.', '54.236.1.', '20.171.207.'];
const V6_PREFIXES = ['2a02:8108', '2a01:c22', '2600:1700', '2601:586', '2001:16b8', '2a00:23c5', '2405:201', '2409:8a1e', '2804:14c'];
const USERS = ['alice', 'bob', 'j.smith', 'admin', 'mwilson', 'api-user-17', 'deploy', 'kim.lee'];

const pick = <T>(rng: Prng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const hex = (rng: Prng): string => rng.int(0x10000).toString(16);

/** A random public-looking IPv4 address (no private, loopback, multicast or reserved first octet). */
function ipv4(rng: Prng): string {
  let a: number;
  do a = 1 + rng.int(223);
  while (a === 10 || a === 127 || a === 100 || a === 169 || a === 172 || a === 192 || a === 198 || a === 203);
  return `${a}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`;
}

/** A global-unicast-looking IPv6 address, sometimes with `::` compression as servers print it. */
function ipv6(rng: Prng): string {
  const p = pick(rng, V6_PREFIXES);
  if (rng.next() < 0.3) return `${p}:${hex(rng)}::${hex(rng)}`;
  return `${p}:${hex(rng)}:${hex(rng)}:${hex(rng)}:${hex(rng)}:${hex(rng)}:${hex(rng)}`;
}

function address(rng: Prng, kind: ClientKind): string {
  if (kind === 'crawler' && rng.next() < 0.85) return pick(rng, CRAWLER_V4) + (1 + rng.int(254));
  if (kind === 'tool' && rng.next() < 0.3) return `10.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`;
  const r = rng.next();
  if (r < 0.1) return ipv6(rng);
  if (r < 0.115) return '::ffff:' + ipv4(rng);
  return ipv4(rng);
}

function protocol(rng: Prng, kind: ClientKind): string {
  const r = rng.next();
  if (kind === 'browser') return r < 0.56 ? 'HTTP/2.0' : r < 0.99 ? 'HTTP/1.1' : 'HTTP/1.0';
  if (kind === 'scanner') return r < 0.7 ? 'HTTP/1.1' : 'HTTP/1.0';
  return r < 0.9 ? 'HTTP/1.1' : 'HTTP/2.0';
}

/**
 * Creates `size` clients (default 5,000) from `rng`. Request share follows Zipf with exponent
 * `skew` (default 1.0: the busiest client sends roughly a tenth of all requests).
 */
export function createClientPool(rng: Prng, size = 5000, skew = 1.0): ClientPool {
  const kindTable = createAliasTable(KIND_WEIGHTS.map(([, w]) => w));
  const agentTables = new Map<ClientKind, AliasTable>();
  for (const [kind] of KIND_WEIGHTS) agentTables.set(kind, createAliasTable(AGENTS_BY_KIND[kind].map((a) => a.weight)));
  const clients: Client[] = [];
  for (let i = 0; i < size; i++) {
    const drawn = KIND_WEIGHTS[kindTable.sample(rng)]![0];
    // Scanners are many but quiet: keeping them out of the busiest ranks keeps the 4xx share
    // stable across seeds instead of hinging on whether a scanner drew a top rank.
    const kind = drawn === 'scanner' && i < SCANNER_MIN_RANK ? 'browser' : drawn;
    const ip = address(rng, kind);
    const ua = AGENTS_BY_KIND[kind][agentTables.get(kind)!.sample(rng)]!.ua;
    const user = kind === 'browser' && rng.next() < 0.03 ? pick(rng, USERS) : kind === 'tool' && rng.next() < 0.2 ? 'api-user-17' : '-';
    const xff = kind === 'browser' && rng.next() < 0.12 ? (rng.next() < 0.5 ? ipv4(rng) : `${ipv4(rng)}, ${ipv4(rng)}`) : '-';
    clients.push(Object.freeze({ kind, ip, ua, protocol: protocol(rng, kind), user, xff }));
  }
  return { clients: Object.freeze(clients), table: createAliasTable(zipfWeights(size, skew)) };
}
