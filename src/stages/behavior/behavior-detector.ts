/**
 * The engine-thread half of the `behavior` stage: sliding windows per client, in stream order,
 * for 404 bursts, failed-login bursts and request-rate spikes, plus one event per scored request.
 * A rule fires when a client reaches its threshold within the window, then stays quiet for one
 * window (one event per burst, not one per request). State per client is committed with the data,
 * so a burst split across batches, files or a restart fires exactly as if it had arrived at once
 * (idle clients are dropped after requests crossing fixed event-time boundaries, as in the
 * sessions stage, never at chunk ends).
 */
import type { KeyedOperator, KeyedOutput } from '../../core/component.js';
import { SEVERITY_WEIGHT } from '../threat/rule-schema.js';
import type { BehaviorConfig } from './config.js';
import { FLAG_404, FLAG_LOGIN_FAILED, type BehaviorFeature } from './behavior-stage.js';
import { SECURITY_EVENTS } from './security-events.js';
import { ExpiringMap } from '../../core/expiring-map.js';
import { addToWindow, liveTimes, type WindowTimes } from './sliding-window.js';

type Severity = keyof typeof SEVERITY_WEIGHT;

/** A window rule as the detector runs it. */
interface Rule {
  readonly name: string;
  readonly flag: number;
  readonly threshold: number;
  readonly windowMs: number;
  readonly severity: Severity;
  readonly what: string;
}

/** Per-client state: last request time, then per rule `[times, fired at]`. JSON as committed. */
type ClientState = [number, ...[WindowTimes, number | null][]];

/** Severity of a request by its threat score. */
function severityOf(score: number): Severity {
  return score >= 80 ? 'critical' : score >= 50 ? 'high' : score >= 25 ? 'medium' : 'low';
}

/** Detects behaviour per client and emits `security_events` rows (see the module doc). */
export class BehaviorDetector implements KeyedOperator {
  readonly #rules: readonly Rule[];
  readonly #horizonMs: number;
  readonly #minScore: number | null;
  readonly #max: number;
  readonly #clients: ExpiringMap<ClientState>;
  #watermark = Number.NEGATIVE_INFINITY;
  #prunedPeriod = Number.NEGATIVE_INFINITY;
  readonly #n = { events: 0, signature_events: 0, behavior_events: 0, evicted: 0 };

  constructor(config: BehaviorConfig) {
    const rules: Rule[] = [];
    if (config.http_404_burst !== false) {
      const r = config.http_404_burst;
      rules.push({ name: 'behavior.http_404_burst', flag: FLAG_404, threshold: r.threshold, windowMs: r.window_secs * 1000, severity: r.severity, what: 'responses 404' });
    }
    if (config.login_bruteforce !== false) {
      const r = config.login_bruteforce;
      rules.push({ name: 'behavior.login_bruteforce', flag: FLAG_LOGIN_FAILED, threshold: r.threshold, windowMs: r.window_secs * 1000, severity: r.severity, what: 'failed logins' });
    }
    if (config.rate_spike !== false) {
      const r = config.rate_spike;
      rules.push({ name: 'behavior.rate_spike', flag: 0, threshold: r.threshold, windowMs: r.window_secs * 1000, severity: r.severity, what: 'requests' });
    }
    this.#rules = rules;
    this.#horizonMs = Math.max(0, ...rules.map((r) => r.windowMs));
    this.#minScore = config.signature_events === false ? null : config.signature_events.min_score;
    this.#max = config.max_clients;
    this.#clients = new ExpiringMap(Math.max(1, this.#horizonMs / 4));
  }

  /** Loads committed client windows (a rule list that changed since is re-aligned by position; extra rules start empty). */
  restore(entries: Iterable<readonly [string, unknown]>): void {
    const all: [string, ClientState][] = [];
    for (const [k, v] of entries) {
      if (!Array.isArray(v) || typeof v[0] !== 'number') continue;
      const s = [v[0]] as unknown as ClientState;
      for (let i = 0; i < this.#rules.length; i++) {
        const w = v[i + 1] as [WindowTimes, number | null] | undefined;
        s.push(Array.isArray(w) && Array.isArray(w[0]) ? [w[0], w[1] ?? null] : [[], null]);
      }
      all.push([k, s]);
    }
    all.sort((a, b) => a[1][0] - b[1][0]);
    for (const [k, s] of all) {
      this.#clients.insert(k, s, s[0]);
      if (s[0] > this.#watermark) this.#watermark = s[0];
    }
    this.#clients.drain((v) => v); // restored = already committed
    this.#prunedPeriod = this.#period(this.#watermark);
  }

  /** The quarter-horizon period of an event time (idle clients are dropped when it advances). */
  #period(ts: number): number { return Math.floor(ts / Math.max(1, this.#horizonMs / 4)); }

  /** No columns; `security_events` rows for every scored request and every rule that fired. */
  process(features: readonly unknown[]): KeyedOutput {
    const rows: { dataset: string; row: Record<string, unknown> }[] = [];
    for (const raw of features) {
      const f = raw as BehaviorFeature;
      if (f === null) continue;
      const [ts, client, flags, score, rules, tags, evidence, offset, line] = f;
      const lineage = { source_offset: offset, source_line: line };
      if (this.#minScore !== null && score >= this.#minScore && rules !== null) {
        rows.push({ dataset: SECURITY_EVENTS, row: {
          ts, client_id: client, kind: 'signature', rule: rules, severity: severityOf(score), score, tags, evidence,
          window_start: null, hits: null, ...lineage,
        } });
        this.#n.signature_events++;
      }
      if (this.#rules.length === 0) continue;
      const slot = this.#clients.slot(client);
      const s: ClientState = slot?.value ?? [ts, ...this.#rules.map((): [WindowTimes, number | null] => [[], null])];
      if (ts > s[0]) s[0] = ts;
      for (let i = 0; i < this.#rules.length; i++) {
        const rule = this.#rules[i]!;
        if (rule.flag !== 0 && (flags & rule.flag) === 0) continue;
        const w = s[i + 1] as [WindowTimes, number | null];
        const hits = addToWindow(w[0], ts, rule.windowMs, rule.threshold);
        if (hits < rule.threshold) continue;
        if (w[1] !== null && ts < w[1] + rule.windowMs) continue; // fired for this burst already
        w[1] = ts;
        const start = w[0][w[0].length - hits]!;
        const secs = Math.round((ts - start) / 1000);
        rows.push({ dataset: SECURITY_EVENTS, row: {
          ts, client_id: client, kind: 'behavior', rule: rule.name, severity: rule.severity, score: SEVERITY_WEIGHT[rule.severity],
          tags: rule.name.slice('behavior.'.length),
          evidence: `${hits} ${rule.what} in ${secs} s (window ${rule.windowMs / 1000} s)${evidence !== null && rule.flag !== 0 ? `; last: ${evidence}` : ''}`,
          window_start: start, hits, ...lineage,
        } });
        this.#n.behavior_events++;
      }
      if (slot !== undefined) this.#clients.touch(slot, s[0]);
      else {
        this.#clients.insert(client, s, s[0]);
        if (this.#clients.size > this.#max) this.#evictOldest();
      }
      if (ts > this.#watermark) {
        this.#watermark = ts;
        const period = this.#period(ts);
        if (period > this.#prunedPeriod) { this.#prunedPeriod = period; this.#dropIdle(); }
      }
    }
    this.#n.events += rows.length;
    return { columns: [], rows };
  }

  #evictOldest(): void {
    if (this.#clients.evictOldest() !== undefined) this.#n.evicted++;
  }

  /** Drops clients idle for longer than the longest window before the newest request (their windows are empty by then). */
  #dropIdle(): void {
    this.#clients.expireBefore(this.#watermark - this.#horizonMs, () => undefined);
  }

  /** Clients changed (upserted) or dropped (null) since the last call. */
  drainChanges(): ReadonlyMap<string, unknown> {
    return this.#clients.drain((s) => [s[0], ...this.#rules.map((r, i) => {
      const w = s[i + 1] as [WindowTimes, number | null];
      return [liveTimes(w[0], r.windowMs), w[1]];
    })]);
  }

  /** Events by kind, evicted clients and clients tracked. */
  stats(): Readonly<Record<string, number>> {
    return { ...this.#n, clients: this.#clients.size };
  }
}
