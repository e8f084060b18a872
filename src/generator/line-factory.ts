/**
 * Builds access-log lines: the per-line hot loop of the generator. One factory writes one
 * file's lines in order (one format, one UTC offset), drawing everything from its seeded PRNG,
 * and writes bytes straight into caller-provided buffers.
 */
import { createAliasTable, logNormalTable } from './alias-table.js';
import { ByteWriter, latin1 } from './byte-writer.js';
import { createClientPool } from './client-pool.js';
import { emptyMalformedCounts, MALFORMED_KINDS, type MalformedCounts, type MalformedKind } from './malformed-kinds.js';
import { createPathPool, type PathEntry } from './path-pool.js';
import { createPrng } from './prng.js';
import { createClfFormatter, createTimeline } from './timeline.js';

/** Access-log formats the generator writes. */
export type AccessLogFormat = 'apache_combined' | 'nginx_main';

/** Options of {@link createLineFactory}. All fields are required here; defaults live in the callers. */
export interface LineFactoryOptions {
  readonly format: AccessLogFormat;
  readonly seed: number;
  /** Independent sub-stream of the seed (one per file of a demo set). */
  readonly stream: number;
  readonly start: Date;
  readonly days: number;
  /** Total lines this factory will be asked for (spreads the timeline). */
  readonly lines: number;
  readonly utcOffsetMinutes: number;
  /** Probability in [0, 1] that a line is one of the malformed kinds. */
  readonly malformedRatio: number;
}

/**
 * Lines per block. Each block draws from its own PRNG stream and the timeline is a function of
 * the line number, so any block can be generated on its own (in parallel) with identical bytes.
 */
export const BLOCK_LINES = 16_384;

/** Room {@link LineFactory.fill} keeps free for one more line (the longest line is < 82 KiB). */
export const MAX_LINE_BYTES = 96 * 1024;

/** Produces lines in order. */
export interface LineFactory {
  /**
   * Writes up to `maxLines` whole lines (each ending in `\n`) into `buf` from offset 0, stopping
   * early when fewer than MAX_LINE_BYTES remain. Returns how many lines and bytes it wrote.
   * Throws RangeError when `buf` is not larger than MAX_LINE_BYTES.
   */
  fill(buf: Uint8Array, maxLines: number): { readonly lines: number; readonly bytes: number };
  /** Moves to the first line of block `block` (0-based); the next `fill` continues from there. */
  seekBlock(block: number): void;
  /** Malformed lines written so far, by kind (live view). */
  readonly malformed: MalformedCounts;
}

const STATUS: readonly [number, number][] = [
  [200, 82], [201, 1.2], [204, 1.3], [206, 0.5], [304, 5.2], [301, 1.3], [302, 1.5], [404, 3.2], [403, 0.5],
  [401, 0.6], [400, 0.3], [429, 0.3], [499, 0.3], [500, 0.4], [502, 0.3], [503, 0.2], [504, 0.1],
];
const ERROR_BYTES: Readonly<Record<number, number>> = { 400: 226, 401: 381, 403: 199, 404: 1234, 429: 169, 500: 531, 502: 157, 503: 299, 504: 167 };
const SITE = 'https://shop.example.com';
const EXTERNAL = ['https://www.google.com/', 'https://www.google.de/', 'https://www.bing.com/', 'https://duckduckgo.com/', 'https://t.co/', 'https://www.facebook.com/', 'android-app://com.google.android.gm/'];
const BAD_MONTHS = ['Okt', 'Mrz', 'Dez', 'Foo', 'Mai'].map(latin1);
const TLS_REQUEST = latin1(' "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03" ');
const DASH_REQUEST = latin1(' "-" ');
const APACHE_JUNK_TAIL = latin1(' "-" "-"\n');
const NGINX_JUNK_TAIL = latin1(' "-" "-" "-" rt=');
const NO_UPSTREAM = latin1(' uct="-" uht="-" urt="-"\n');
const RT = latin1('rt=');
const UCT = latin1(' uct="0.00');
const UHT = latin1('" uht="');
const URT = latin1('" urt="');
const QUOTE = 34;

/** Per-client pre-encoded pieces of the line. */
interface EncodedClient {
  readonly kind: string;
  readonly head: Uint8Array;
  readonly junkHead: Uint8Array;
  /** ` HTTP/x.y" NNN ` by status code (protocol and status in one copy). */
  readonly protoStatus: readonly Uint8Array[];
  readonly tail: Uint8Array;
}

/** Per-path pre-encoded pieces. */
interface EncodedPath {
  readonly p: PathEntry;
  readonly prefix: Uint8Array;
  readonly suffix: Uint8Array;
  readonly queries: readonly Uint8Array[];
  /** ` "METHOD /path-prefix` per method (method and path in one copy). */
  readonly methodPath: readonly Uint8Array[];
  readonly methodNames: readonly string[];
}

/** Creates a factory; throws RangeError on a non-positive `lines` or `days` or a ratio outside [0, 1]. */
export function createLineFactory(o: LineFactoryOptions): LineFactory {
  if (!(o.lines >= 1) || !(o.days > 0)) throw new RangeError('createLineFactory: lines must be >= 1 and days > 0');
  if (!(o.malformedRatio >= 0 && o.malformedRatio <= 1)) throw new RangeError('createLineFactory: malformedRatio must be in [0, 1]');
  const nginx = o.format === 'nginx_main';
  let rng = createPrng(o.seed, o.stream << 20);
  const setup = createPrng(o.seed, 0x7fff0000 + o.stream);
  const pool = createClientPool(setup);
  const urls = createPathPool(setup);
  const sizeVar = logNormalTable(setup, 4096, 0.35);
  const timeVar = logNormalTable(setup, 4096, 0.9);
  const timeline = createTimeline(o);
  const clf = createClfFormatter(o.utcOffsetMinutes);
  const statusTable = createAliasTable(STATUS.map(([, w]) => w));
  const kindTable = createAliasTable(MALFORMED_KINDS.map((k) => k.weight));

  const statusBytes: Uint8Array[] = [];
  const codes = [...STATUS.map(([c]) => c), 999];
  for (const s of codes) statusBytes[s] = latin1(`${s} `);
  const protoStatus = new Map<string, Uint8Array[]>();
  for (const c of pool.clients) {
    if (protoStatus.has(c.protocol)) continue;
    const row: Uint8Array[] = [];
    for (const s of codes) row[s] = latin1(` ${c.protocol}" ${s} `);
    protoStatus.set(c.protocol, row);
  }
  const clients: EncodedClient[] = pool.clients.map((c) => ({
    kind: c.kind,
    head: latin1(`${c.ip} - ${c.user} `),
    junkHead: latin1(`${c.ip} - - `),
    protoStatus: protoStatus.get(c.protocol)!,
    tail: latin1(nginx ? `" "${c.ua}" "${c.xff}" ` : `" "${c.ua}"\n`),
  }));
  const encodePath = (p: PathEntry): EncodedPath => ({
    p,
    prefix: latin1(p.prefix),
    suffix: latin1(p.suffix),
    queries: (p.queries ?? []).map((q) => latin1('?' + q)),
    methodPath: p.methods.map((m) => latin1(` "${m} ${p.prefix}`)),
    methodNames: p.methods,
  });
  const paths = urls.paths.map(encodePath);
  const probes = urls.probes.map(encodePath);
  const crawlerPaths = urls.crawlerPaths.map(encodePath);
  const refDash = latin1(' "-');
  const internal = urls.paths.filter((p) => p.kind === 'page' && p.idMax === 0).slice(0, 80).map((p) => latin1(` "${SITE}${p.prefix}`));
  const external = EXTERNAL.map((r) => latin1(` "${r}`));
  const malformed = emptyMalformedCounts();
  const w = new ByteWriter();
  let tsSec = NaN;
  let tsMin = NaN;
  const ts = new Uint8Array(clf(Math.floor(o.start.getTime() / 1000)).length);
  const offsetSec = o.utcOffsetMinutes * 60;

  const pickPath = (kind: string): EncodedPath => {
    if (kind === 'scanner' && rng.next() < 0.6) return probes[rng.int(probes.length)]!;
    if (kind === 'crawler' && rng.next() < 0.06) return crawlerPaths[rng.int(crawlerPaths.length)]!;
    return paths[urls.table.sample(rng)]!;
  };

  const statusFor = (p: PathEntry, method: string): number => {
    if (p.kind === 'probe') return rng.next() < 0.85 ? 404 : 403;
    if (method === 'OPTIONS') return 204;
    const s = STATUS[statusTable.sample(rng)]![0];
    if (s === 304 || s === 206) return method === 'GET' && (s === 304 || p.kind === 'static') ? s : 200;
    if (s === 201 || s === 204) return method === 'GET' || method === 'HEAD' ? 200 : s;
    return s === 499 && !nginx ? 404 : s;
  };

  const bytesFor = (p: PathEntry, status: number, method: string): number => {
    if (method === 'HEAD' || status === 204 || status === 304 || status === 499) return 0;
    if (status === 200 || status === 201) return p.fixedSize ? p.bytes : Math.round(p.bytes * sizeVar[rng.int(4096)]!);
    if (status === 206) return 1 + rng.int(p.bytes);
    if (status === 301 || status === 302) return 230 + rng.int(60);
    return p.kind === 'probe' ? p.bytes : ERROR_BYTES[status] ?? 300;
  };

  const referer = (kind: string, p: PathEntry): Uint8Array => {
    if (kind !== 'browser') return refDash;
    const r = rng.next();
    if (p.kind === 'page') return r < 0.45 ? refDash : r < 0.75 ? external[rng.int(external.length)]! : internal[rng.int(internal.length)]!;
    return r < 0.05 ? refDash : internal[rng.int(internal.length)]!;
  };

  const timings = (p: PathEntry, status: number): void => {
    let t = p.timeMs * timeVar[rng.int(4096)]!;
    if (status === 504) t = 60_000 + rng.int(5);
    else if (status === 499) t = 100 + rng.int(10_000);
    w.put(RT);
    w.seconds3(t);
    if (p.kind === 'static' || p.kind === 'probe' || (p.kind === 'feed' && p.fixedSize) || status === 499) return w.put(NO_UPSTREAM);
    w.put(UCT);
    w.byte(48 + rng.int(5));
    w.put(UHT);
    if (status === 504) w.byte(45);
    else w.seconds3(t * 0.9);
    w.put(URT);
    w.seconds3(t * 0.97);
    w.byte(34);
    w.byte(10);
  };

  /** One well-formed line; the overrides serve the malformed kinds. */
  const normal = (stamp: Uint8Array, statusOverride: number, query: Uint8Array | null): void => {
    const c = clients[pool.table.sample(rng)]!;
    const e = pickPath(c.kind);
    const p = e.p;
    const mi = p.methodTable === null ? 0 : p.methodTable.sample(rng);
    const head = p.methodTable === null && c.kind === 'tool' && p.kind === 'static' && rng.next() < 0.2;
    const method = head ? 'HEAD' : e.methodNames[mi]!;
    w.put(c.head);
    w.put(stamp);
    if (head) {
      w.text(' "HEAD ');
      w.put(e.prefix);
    } else w.put(e.methodPath[mi]!);
    if (p.idMax !== 0) {
      w.uint(1 + rng.int(p.idMax));
      w.put(e.suffix);
    }
    if (query !== null) w.put(query);
    else if (e.queries.length > 0 && rng.next() < p.queryRate) w.put(e.queries[rng.int(e.queries.length)]!);
    const status = statusOverride || statusFor(p, method);
    w.put(c.protoStatus[status]!);
    const bytes = bytesFor(p, status, method);
    if (bytes === 0 && !nginx) w.byte(45);
    else w.uint(bytes);
    w.put(referer(c.kind, p));
    w.put(c.tail);
    if (nginx) timings(p, status);
  };

  const junk = (request: Uint8Array, status: number, bytes: number, rtMs: number): void => {
    w.put(clients[pool.table.sample(rng)]!.junkHead);
    w.put(ts);
    w.put(request);
    w.put(statusBytes[status] ?? latin1(`${status} `));
    if (!nginx) {
      if (bytes === 0) w.byte(45);
      else w.uint(bytes);
      return w.put(APACHE_JUNK_TAIL);
    }
    w.uint(bytes);
    w.put(NGINX_JUNK_TAIL);
    w.seconds3(rtMs);
    w.put(NO_UPSTREAM);
  };

  const broken = (kind: MalformedKind): void => {
    malformed[kind]++;
    switch (kind) {
      case 'truncated':
      case 'truncated_tail': {
        const start = w.pos;
        normal(ts, 0, null);
        const quotes: number[] = [];
        for (let i = start; i < w.pos; i++) if (w.buf[i] === QUOTE) quotes.push(i);
        // Quote pairs: 0 = request, 1 = referer, 2 = user agent (nginx adds more after).
        const f = kind === 'truncated' ? 0 : 2 * (1 + rng.int(2));
        const open = quotes[f]!;
        w.pos = open + 1 + rng.int(Math.max(1, quotes[f + 1]! - open - 1));
        return w.byte(10);
      }
      case 'tls_handshake': return junk(TLS_REQUEST, 400, nginx ? 157 : 226, 5 + rng.int(200));
      case 'timeout_408': return junk(DASH_REQUEST, 408, 0, 60_000 + rng.int(3));
      case 'binary': {
        const n = 16 + rng.int(240);
        for (let i = 0; i < n; i++) {
          const r = rng.next();
          w.byte(r < 0.6 ? 0 : r < 0.9 ? 0x80 + rng.int(128) : 0x20 + rng.int(95));
        }
        return w.byte(10);
      }
      case 'bad_status': return normal(ts, 999, null);
      case 'bad_month': {
        const stamp = ts.slice();
        stamp.set(BAD_MONTHS[rng.int(BAD_MONTHS.length)]!, 4);
        return normal(stamp, 0, null);
      }
      case 'overlong': return normal(ts, 0, latin1('?q=' + 'A'.repeat(65_536 + rng.int(16_384))));
      case 'empty': return w.byte(10);
    }
  };

  const ratio = o.malformedRatio;
  let line = 0;
  const seek = (block: number): void => {
    line = block * BLOCK_LINES;
    rng = createPrng(o.seed, (o.stream << 20) + block);
    timeline.seek(line);
  };
  return {
    malformed,
    seekBlock: seek,
    fill(buf: Uint8Array, maxLines: number) {
      if (buf.length <= MAX_LINE_BYTES) throw new RangeError(`LineFactory.fill: buffer must exceed ${MAX_LINE_BYTES} bytes`);
      w.reset(buf);
      const limit = buf.length - MAX_LINE_BYTES;
      let n = 0;
      while (n < maxLines && w.pos <= limit) {
        if (line % BLOCK_LINES === 0) seek(line / BLOCK_LINES);
        line++;
        const sec = timeline.next(rng.next());
        if (sec !== tsSec) {
          // Only the seconds digits change within a minute: patch them, re-render otherwise.
          const min = Math.floor(sec / 60);
          if (min === tsMin) {
            const s = (sec + offsetSec) % 60;
            ts[19] = 48 + Math.floor(s / 10);
            ts[20] = 48 + (s % 10);
          } else {
            const text = clf(sec);
            for (let i = 0; i < ts.length; i++) ts[i] = text.charCodeAt(i);
            tsMin = min;
          }
          tsSec = sec;
        }
        if (ratio > 0 && rng.next() < ratio) broken(MALFORMED_KINDS[kindTable.sample(rng)]!.kind);
        else normal(ts, 0, null);
        n++;
      }
      return { lines: n, bytes: w.pos };
    },
  };
}
