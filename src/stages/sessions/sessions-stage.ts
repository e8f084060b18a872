/**
 * The worker half of the `sessions` stage: the visitor id and page-view flag of every request, and
 * the feature the engine-thread {@link SessionTracker} needs (time, visitor id). Every record passes.
 */
import type { ColumnSchema } from '../../core/record.js';
import { setFeature, type RecordBatch, type Stage, type StageKey } from '../../core/component.js';
import type { StageResult } from '../../core/outcome.js';
import { Invariant } from '../../core/errors.js';
import { BoundedCache } from '../../core/bounded-cache.js';
import { clientAddress, parseTrustedProxies, type TrustedProxies } from '../geoip/client-address.js';
import type { SessionsConfig } from './config.js';
import { utcDay, VisitorIds } from './visitor-id.js';

const col = (name: string, type: ColumnSchema['type'], description: string): ColumnSchema => Object.freeze({ name, type, nullable: true, description });

/** Columns the worker half adds. */
export const SESSION_RECORD_COLUMNS: readonly ColumnSchema[] = Object.freeze([
  col('visitor_id', 'varchar', 'Visitor: `v_` + 64-bit keyed hash of client IP + user agent with a salt that changes every UTC day (pseudonymous; never the IP). Null without a client IP or time.'),
  col('is_page', 'boolean', 'True for a page view (not a static asset by extension, not an error status, GET or POST); assets still extend a session.'),
]);

/** Columns the engine-thread half fills. */
export const SESSION_KEYED_COLUMNS: readonly ColumnSchema[] = Object.freeze([
  col('session_id', 'varchar', 'Session: `s_` + 64-bit hash of visitor id and session start; a session ends after `timeout_minutes` without a request.'),
  col('session_seq', 'integer', '1-based position of the request in its session (arrival order).'),
]);

/** Feature sent to the engine thread per record: `[ts ms, visitor id]`, or null when it has no session. */
export type SessionFeature = readonly [number, string] | null;

const PAGE_METHODS = new Set(['GET', 'POST']);

/** Computes visitor ids and page flags; keeps nothing between chunks. */
export class SessionsStage implements Stage<RecordBatch, RecordBatch> {
  readonly id: string;
  readonly type = 'sessions';
  readonly #ids: VisitorIds;
  readonly #proxies: TrustedProxies;
  readonly #assets: ReadonlySet<string>;
  #lastDayStart = Number.NaN;
  #lastDay = '';
  /** Visitor ids of the current UTC day by `ip ∥ 0x00 ∥ agent` (an HMAC costs ~2 µs; most pairs repeat). */
  #cache = new BoundedCache<string, string>(100_000);

  constructor(id: string, config: SessionsConfig, keys: readonly StageKey[]) {
    this.id = id;
    const key = keys.find((k) => k.name === config.visitor_key);
    if (!key) throw Invariant({ reason: `sessions stage ${id} was built without its vault key ${config.visitor_key}` });
    this.#ids = new VisitorIds(key.material);
    this.#proxies = parseTrustedProxies(config.trusted_proxies);
    this.#assets = new Set(config.asset_extensions);
  }

  /** Adds `visitor_id` and `is_page` to every record and attaches its {@link SessionFeature}. */
  process(batch: RecordBatch): StageResult<RecordBatch> {
    for (const r of batch.records) {
      const rec = r as Record<string, unknown>;
      const ts = rec['ts'];
      const ip = clientAddress(str(rec['client_ip']), str(rec['x_forwarded_for']), this.#proxies);
      let visitor: string | null = null;
      if (ip !== null && typeof ts === 'number' && Number.isFinite(ts)) {
        const day = this.#day(ts);
        const ua = str(rec['user_agent']);
        visitor = this.#cache.get(`${ip}\0${ua ?? ''}`, () => this.#ids.id(ip, ua, day));
        setFeature(rec, this.id, [ts, visitor] satisfies SessionFeature);
      } else setFeature(rec, this.id, null);
      rec['visitor_id'] = visitor;
      rec['is_page'] = this.#isPage(rec);
    }
    return { passed: batch, rejected: [], filtered: 0 };
  }

  #day(ts: number): string {
    const start = Math.floor(ts / 86_400_000) * 86_400_000;
    if (start !== this.#lastDayStart) {
      this.#lastDayStart = start;
      this.#lastDay = utcDay(start);
      this.#cache = new BoundedCache(100_000); // a new day, a new salt
    }
    return this.#lastDay;
  }

  #isPage(rec: Record<string, unknown>): boolean {
    const status = rec['status'];
    if (typeof status === 'number' && status >= 400) return false;
    const method = rec['method'];
    if (typeof method === 'string' && !PAGE_METHODS.has(method)) return false;
    const path = rec['path'];
    if (typeof path !== 'string') return false;
    const slash = path.lastIndexOf('/');
    const dot = path.lastIndexOf('.');
    if (dot <= slash) return true;
    return !this.#assets.has(path.slice(dot + 1).toLowerCase());
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== '-' ? v : null);
