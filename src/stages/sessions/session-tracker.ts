/**
 * The engine-thread half of the `sessions` stage: one open session per visitor, in a map kept in
 * least-recently-active order. A request more than `timeout` after the visitor's previous one opens
 * a new session; a late request (older than the previous one) stays in the open session. Sessions
 * idle longer than the timeout (by the newest request time seen) are closed and their state
 * deleted, so memory and the committed state hold only the sessions still open. Closing happens
 * after the request whose time crosses the next quarter-timeout boundary: a point fixed by the
 * requests alone, so results never depend on how they were chunked or when the engine restarted.
 */
import { createHash } from 'node:crypto';
import type { KeyedOperator, KeyedOutput } from '../../core/component.js';
import type { SessionFeature } from './sessions-stage.js';

/** State of one open session: `[session id, requests so far, last request ms, first request ms]`. */
type Open = [string, number, number, number];

/** Counters reported in the run summary. */
interface Counters { opened: number; closed: number; evicted: number }

/** `s_` + the first 64 bits of sha256(visitor id ∥ '|' ∥ start ms): the same input always gives the same id. */
export function sessionId(visitor: string, startMs: number): string {
  return `s_${createHash('sha256').update(`${visitor}|${startMs}`).digest('hex').slice(0, 16)}`;
}

/** Assigns session ids and sequence numbers in stream order (see the module doc). */
export class SessionTracker implements KeyedOperator {
  readonly #timeoutMs: number;
  readonly #max: number;
  readonly #open = new Map<string, Open>();
  #changes = new Map<string, unknown>();
  #watermark = Number.NEGATIVE_INFINITY;
  /** Quarter-timeout period of the last close-out (see the module doc). */
  #prunedPeriod = Number.NEGATIVE_INFINITY;
  readonly #n: Counters = { opened: 0, closed: 0, evicted: 0 };

  constructor(timeoutMinutes: number, maxVisitors: number) {
    this.#timeoutMs = timeoutMinutes * 60_000;
    this.#max = maxVisitors;
  }

  /** Loads the open sessions committed by earlier runs (values as written by {@link drainChanges}). */
  restore(entries: Iterable<readonly [string, unknown]>): void {
    const all: [string, Open][] = [];
    for (const [k, v] of entries) {
      if (Array.isArray(v) && v.length === 4) all.push([k, v as Open]);
    }
    all.sort((a, b) => a[1][2] - b[1][2]);
    for (const [k, v] of all) {
      this.#open.set(k, v);
      if (v[2] > this.#watermark) this.#watermark = v[2];
    }
    this.#prunedPeriod = Math.floor(this.#watermark / (this.#timeoutMs / 4));
  }

  /** Columns `session_id`, `session_seq` for each feature (null for records without one). */
  process(features: readonly unknown[]): KeyedOutput {
    const ids: (string | null)[] = new Array(features.length);
    const seqs: (number | null)[] = new Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const f = features[i] as SessionFeature;
      if (f === null) { ids[i] = null; seqs[i] = null; continue; }
      const [ts, visitor] = f;
      let s = this.#open.get(visitor);
      if (s !== undefined && ts - s[2] > this.#timeoutMs) { this.#n.closed++; s = undefined; }
      if (s === undefined) {
        s = [sessionId(visitor, ts), 0, ts, ts];
        this.#n.opened++;
      } else this.#open.delete(visitor); // re-inserted below: the map stays in least-recently-active order
      s[1]++;
      if (ts > s[2]) s[2] = ts;
      this.#open.set(visitor, s);
      this.#changes.set(visitor, s);
      ids[i] = s[0];
      seqs[i] = s[1];
      if (this.#open.size > this.#max) this.#evictOldest();
      if (ts > this.#watermark) {
        this.#watermark = ts;
        const period = Math.floor(ts / (this.#timeoutMs / 4));
        if (period > this.#prunedPeriod) { this.#prunedPeriod = period; this.#closeIdle(); }
      }
    }
    return { columns: [ids, seqs], rows: [] };
  }

  #evictOldest(): void {
    const k = this.#open.keys().next().value as string;
    this.#open.delete(k);
    this.#changes.set(k, null);
    this.#n.evicted++;
  }

  /** Closes the sessions idle for longer than the timeout before the newest request. */
  #closeIdle(): void {
    const horizon = this.#watermark - this.#timeoutMs;
    for (const [k, s] of this.#open) {
      if (s[2] >= horizon) break; // least recently active first: the rest are newer
      this.#open.delete(k);
      this.#changes.set(k, null);
      this.#n.closed++;
    }
  }

  /** Sessions changed (upserted as `[id, seq, last, first]`) or closed (null) since the last call. */
  drainChanges(): ReadonlyMap<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [k, v] of this.#changes) out.set(k, v === null ? null : [...(v as Open)]);
    this.#changes = new Map();
    return out;
  }

  /** opened, closed (timed out), evicted (over the cap) and still open. */
  stats(): Readonly<Record<string, number>> {
    return { ...this.#n, open: this.#open.size };
  }
}
