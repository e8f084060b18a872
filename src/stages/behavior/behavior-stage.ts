/**
 * The worker half of the `behavior` stage: the client pseudonym of every request (`client_id`) and
 * the feature the engine-thread {@link BehaviorDetector} needs: time, client, what the request was
 * (404, failed login) and, for requests the threat stage scored, the redacted evidence. Every
 * record passes.
 */
import type { ColumnSchema } from '../../core/record.js';
import { setFeature, type RecordBatch, type Stage, type StageKey } from '../../core/component.js';
import type { StageResult } from '../../core/outcome.js';
import { Invariant } from '../../core/errors.js';
import { BoundedCache } from '../../core/bounded-cache.js';
import { clientAddress, parseTrustedProxies, type TrustedProxies } from '../geoip/client-address.js';
import { pseudonym } from '../privacy/pseudonym.js';
import { redactUrl } from '../privacy/redact-url.js';
import type { BehaviorConfig } from './config.js';

/** Columns the stage adds to requests. */
export const BEHAVIOR_COLUMNS: readonly ColumnSchema[] = Object.freeze([
  Object.freeze({ name: 'client_id', type: 'varchar', nullable: true, description: 'Client pseudonym: keyed HMAC of the client IP (`ps<epoch>_…`), the key of security_events; never the IP.' }),
]);

/** Flag bits of a {@link BehaviorFeature}. */
export const FLAG_404 = 1;
export const FLAG_LOGIN_FAILED = 2;

/**
 * Feature per record: `[ts ms, client id, flags, threat score, threat rules, threat tags, evidence,
 * source offset, source line]`, or null when the record has no client or time. `evidence` (the
 * redacted request line) is set only for flagged or scored requests.
 */
export type BehaviorFeature = readonly [number, string, number, number, string | null, string | null, string | null, number, number] | null;

const MAX_EVIDENCE = 300;

/** Computes client pseudonyms and behaviour features; keeps nothing between chunks but a pseudonym cache. */
export class BehaviorStage implements Stage<RecordBatch, RecordBatch> {
  readonly id: string;
  readonly type = 'behavior';
  readonly #proxies: TrustedProxies;
  readonly #cache = new BoundedCache<string, string>(100_000);
  readonly #key: StageKey;
  readonly #login: BehaviorConfig['login_bruteforce'];
  readonly #loginMethods: ReadonlySet<string>;
  readonly #loginStatuses: ReadonlySet<number>;

  constructor(id: string, config: BehaviorConfig, keys: readonly StageKey[]) {
    this.id = id;
    const key = keys.find((k) => k.name === config.pseudonym_key);
    if (!key) throw Invariant({ reason: `behavior stage ${id} was built without its vault key ${config.pseudonym_key}` });
    this.#key = key;
    this.#proxies = parseTrustedProxies(config.trusted_proxies);
    this.#login = config.login_bruteforce;
    this.#loginMethods = new Set(config.login_bruteforce === false ? [] : config.login_bruteforce.methods);
    this.#loginStatuses = new Set(config.login_bruteforce === false ? [] : config.login_bruteforce.failure_statuses);
  }

  /** Adds `client_id` to every record and attaches its {@link BehaviorFeature}. */
  process(batch: RecordBatch): StageResult<RecordBatch> {
    for (const r of batch.records) {
      const rec = r as Record<string, unknown>;
      const ts = rec['ts'];
      const ip = clientAddress(str(rec['client_ip']), str(rec['x_forwarded_for']), this.#proxies);
      if (ip === null || typeof ts !== 'number' || !Number.isFinite(ts)) {
        rec['client_id'] = null;
        setFeature(rec, this.id, null);
        continue;
      }
      const client = this.#cache.get(ip, (a) => pseudonym(this.#key.material, this.#key.version, 'client_ip', a));
      rec['client_id'] = client;
      const status = rec['status'];
      const path = typeof rec['path'] === 'string' ? rec['path'] : '';
      let flags = 0;
      if (status === 404) flags |= FLAG_404;
      if (this.#isFailedLogin(rec['method'], status, path)) flags |= FLAG_LOGIN_FAILED;
      const score = typeof rec['threat_score'] === 'number' ? rec['threat_score'] : 0;
      const evidence = flags !== 0 || score > 0 ? evidenceOf(rec, path) : null;
      setFeature(rec, this.id, [ts, client, flags, score, str(rec['threat_rules']), str(rec['threat_tags']), evidence,
        rec.source_offset as number, rec.source_line as number] satisfies BehaviorFeature);
    }
    return { passed: batch, rejected: [], filtered: 0 };
  }

  #isFailedLogin(method: unknown, status: unknown, path: string): boolean {
    const l = this.#login;
    if (l === false || typeof method !== 'string' || typeof status !== 'number') return false;
    if (!this.#loginMethods.has(method) || !this.#loginStatuses.has(status)) return false;
    const p = path.toLowerCase();
    return l.paths.some((x) => p === x || p.startsWith(x.endsWith('/') ? x : `${x}/`));
  }
}

/** `METHOD path?query` with e-mails, tokens, cards and phone numbers redacted, cut to 300 characters. */
function evidenceOf(rec: Record<string, unknown>, path: string): string {
  const q = typeof rec['query'] === 'string' && rec['query'] !== '' ? `?${rec['query']}` : '';
  const method = typeof rec['method'] === 'string' ? `${rec['method']} ` : '';
  const text = `${method}${redactUrl(`${path}${q}`).text}`;
  return text.length > MAX_EVIDENCE ? `${text.slice(0, MAX_EVIDENCE - 1)}…` : text;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== '-' ? v : null);
