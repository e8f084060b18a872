/**
 * The engine-thread half of the `sessions` stage: one open session per visitor. A request more
 * than `timeout` after the visitor's previous one opens a new session; a late request (older than
 * the previous one) stays in the open session. Sessions idle longer than the timeout (by the newest
 * request time seen) are closed and their state deleted, so memory and the committed state hold
 * only the sessions still open. Closing happens after the request whose time crosses the next
 * quarter-timeout boundary: a point fixed by the requests alone, so results never depend on how
 * they were chunked or when the engine restarted.
 */
import { ExpiringMap } from '../../core/expiring-map.js';
import type { KeyedOperator, KeyedOutput } from '../../core/component.js';
import type { SessionFeature } from './sessions-stage.js';

/** State of one open session: `[session id, requests so far, last request ms, first request ms]`. */
type Open = [string, number, number, number];

/** Counters reported in the run summary. */
interface Counters { opened: number; closed: number; evicted: number }

/**
 * `s_` + a 64-bit hash (two 32-bit FNV-1a lanes with different offsets, murmur-finalised) of the
 * visitor id and the start time: the same input always gives the same id. Not a cryptographic hash
 * and it need not be: the visitor id is already a keyed hash and the start time is in the rows;
 * a cryptographic digest per new session cost ~4 µs on the engine thread, this ~0.1 µs.
 */
export function sessionId(visitor: string, startMs: number): string {
  const text = `${visitor}|${startMs}`;
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return `s_${hex8(fmix(a))}${hex8(fmix(b ^ a))}`;
}

/** Murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** Assigns session ids and sequence numbers in stream order (see the module doc). */
export class SessionTracker implements KeyedOperator {
  readonly #timeoutMs: number;
  readonly #periodMs: number;
  readonly #max: number;
  readonly #open: ExpiringMap<Open>;
  #watermark = Number.NEGATIVE_INFINITY;
  /** Quarter-timeout period of the last close-out (see the module doc). */
  #prunedPeriod = Number.NEGATIVE_INFINITY;
  readonly #n: Counters = { opened: 0, closed: 0, evicted: 0 };

  constructor(timeoutMinutes: number, maxVisitors: number) {
    this.#timeoutMs = timeoutMinutes * 60_000;
    this.#periodMs = this.#timeoutMs / 4;
    this.#max = maxVisitors;
    this.#open = new ExpiringMap(this.#periodMs);
  }

  /** Loads the open sessions committed by earlier runs (values as written by {@link drainChanges}). */
  restore(entries: Iterable<readonly [string, unknown]>): void {
    const all: [string, Open][] = [];
    for (const [k, v] of entries) {
      if (Array.isArray(v) && v.length === 4) all.push([k, v as Open]);
    }
    all.sort((a, b) => a[1][2] - b[1][2]);
    for (const [k, v] of all) {
      this.#open.insert(k, v, v[2]);
      if (v[2] > this.#watermark) this.#watermark = v[2];
    }
    this.#open.drain((v) => v); // restored = already committed
    this.#prunedPeriod = Math.floor(this.#watermark / this.#periodMs);
  }

  /** Columns `session_id`, `session_seq` for each feature (null for records without one). */
  process(features: readonly unknown[]): KeyedOutput {
    const ids: (string | null)[] = new Array(features.length);
    const seqs: (number | null)[] = new Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const f = features[i] as SessionFeature;
      if (f === null) { ids[i] = null; seqs[i] = null; continue; }
      const ts = f[0];
      const visitor = f[1];
      let slot = this.#open.slot(visitor);
      if (slot !== undefined && ts - slot.value[2] > this.#timeoutMs) { this.#n.closed++; slot = undefined; }
      let s: Open;
      if (slot === undefined) {
        s = [sessionId(visitor, ts), 1, ts, ts];
        this.#open.insert(visitor, s, ts);
        this.#n.opened++;
        if (this.#open.size > this.#max) this.#evictOldest();
      } else {
        s = slot.value;
        s[1]++;
        if (ts > s[2]) s[2] = ts;
        this.#open.touch(slot, s[2]);
      }
      ids[i] = s[0];
      seqs[i] = s[1];
      if (ts > this.#watermark) {
        this.#watermark = ts;
        const period = Math.floor(ts / this.#periodMs);
        if (period > this.#prunedPeriod) {
          this.#prunedPeriod = period;
          this.#open.expireBefore(ts - this.#timeoutMs, () => { this.#n.closed++; });
        }
      }
    }
    return { columns: [ids, seqs], rows: [] };
  }

  #evictOldest(): void {
    if (this.#open.evictOldest() !== undefined) this.#n.evicted++;
  }

  /** Sessions changed (upserted as `[id, seq, last, first]`) or closed (null) since the last call. */
  drainChanges(): ReadonlyMap<string, unknown> {
    return this.#open.drain((v) => [...v]);
  }

  /** opened, closed (timed out), evicted (over the cap) and still open. */
  stats(): Readonly<Record<string, number>> {
    return { ...this.#n, open: this.#open.size };
  }
}
