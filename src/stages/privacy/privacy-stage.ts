/** The `privacy` stage: applies one GDPR policy per field to every record, in place. */
import { BoundedCache } from '../../core/bounded-cache.js';
import type { Lineage, RecordBatch, Stage, StageCallContext, StageKey } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import type { StageResult } from '../../core/outcome.js';
import { encryptField, type FieldKey } from '../../security/crypto/field-cipher.js';
import { textField } from '../encrypt/text-field.js';
import type { FieldPolicy, PrivacyConfig } from './config.js';
import { pseudonym } from './pseudonym.js';
import { redactUrl } from './redact-url.js';
import { truncateIp } from './truncate-ip.js';

type Apply = (value: string, field: string) => string | null;

/**
 * Applies `config.fields` to every record (null stays null; every record passes: `in = passed`):
 * - `truncate`: IP prefixes (a comma-separated list such as X-Forwarded-For is truncated item by
 *   item); a value that is not an IP (a resolved host name) becomes null, since it identifies;
 * - `pseudonymize`: keyed HMAC pseudonym (epoch = vault key version);
 * - `encrypt`: recoverable AES-256-GCM token (see the `encrypt` stage);
 * - `mask`: every character but `keep_start` / `keep_end` replaced;
 * - `drop`: null;
 * - `redact_url`: personal data inside the URL replaced by rule (see redact-url.ts);
 * - `keep`: unchanged (an explicit, reviewable decision).
 * A listed field that the records lack or that is not text fails the run (`TRB_CONFIG_ENCRYPT_FIELD`)
 * instead of letting a value through untreated.
 */
export class PrivacyStage<R = Record<string, unknown>> implements Stage<RecordBatch<R>, RecordBatch<R>> {
  readonly id: string;
  readonly type = 'privacy';
  readonly #apply: readonly (readonly [string, Apply])[];

  /** Throws `TRB_INTERNAL_INVARIANT` when a policy needs a key the engine did not hand in. */
  constructor(id: string, config: PrivacyConfig, keys: readonly StageKey[]) {
    this.id = id;
    const key = (name: string, kind: 'hmac' | 'field'): StageKey => {
      const k = keys.find((x) => x.name === name && x.kind === kind);
      if (!k) throw Invariant({ reason: `stage ${id} was built without its ${kind} key \`${name}\`` });
      return k;
    };
    this.#apply = Object.entries(config.fields).map(([field, p]) => [field, this.#policy(p, config, key)] as const);
  }

  #policy(p: FieldPolicy, config: PrivacyConfig, key: (name: string, kind: 'hmac' | 'field') => StageKey): Apply {
    switch (p.policy) {
      case 'truncate': {
        const opts = { ipv4Prefix: p.ipv4_prefix, ipv6Prefix: p.ipv6_prefix };
        // Clients repeat: a bounded cache turns most truncations into one map lookup.
        const cache = new BoundedCache<string, string | null>(50_000);
        return (v) => {
          if (!v.includes(',')) return cache.get(v, (ip) => truncateIp(ip, opts) ?? null);
          const parts = v.split(',').map((s) => truncateIp(s, opts)).filter((s): s is string => s !== undefined);
          return parts.length > 0 ? parts.join(', ') : null;
        };
      }
      case 'pseudonymize': {
        const k = key(config.pseudonym_key, 'hmac');
        return (v, field) => pseudonym(k.material, k.version, field, v);
      }
      case 'encrypt': {
        const k = key(config.encrypt_key, 'field');
        const fk: FieldKey = { name: k.name, version: k.version, material: k.material };
        return (v, field) => encryptField(v, fk, { dataset: config.dataset, field });
      }
      case 'mask':
        return (v) => {
          const chars = [...v];
          if (chars.length <= p.keep_start + p.keep_end) return p.char.repeat(chars.length);
          return chars.map((c, i) => (i < p.keep_start || i >= chars.length - p.keep_end ? c : p.char)).join('');
        };
      case 'drop':
        return () => null;
      case 'redact_url':
        return (v) => redactUrl(v).text;
      case 'keep':
        return (v) => v;
    }
  }

  /** See the class contract. */
  process(batch: RecordBatch<R>, _ctx: StageCallContext): StageResult<RecordBatch<R>> {
    for (const rec of batch.records as readonly (Record<string, unknown> & Lineage)[]) {
      for (const [field, apply] of this.#apply) {
        const v = textField(this.id, rec, field);
        if (v === null) continue;
        rec[field] = apply(v, field);
      }
    }
    return { passed: batch, rejected: [], filtered: 0 };
  }
}
