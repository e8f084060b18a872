/** The `threat` stage: attack signatures over request lines, agents and referers. */
import type { RecordBatch, Stage, StageCallContext } from '../../core/component.js';
import { ConfigInvalid, Invariant } from '../../core/errors.js';
import type { StageResult } from '../../core/outcome.js';
import type { ColumnSchema } from '../../core/record.js';
import type { ThreatConfig } from './config.js';
import { builtinRulesFile, loadRulesFile } from './load-rules.js';
import { ReputationList } from './reputation-list.js';
import { SEVERITY_WEIGHT, SIGNATURE_FIELDS, type SignatureRule } from './rule-schema.js';

const NO_RULES: readonly SignatureRule[] = Object.freeze([]);

const col = (name: string, type: ColumnSchema['type'], description: string): ColumnSchema => Object.freeze({ name, type, nullable: true, description });

/** Columns the stage adds, in order. */
export const THREAT_COLUMNS: readonly ColumnSchema[] = Object.freeze([
  col('threat_score', 'integer', '0–100: sum of the matched signatures\' severity weights (low 10, medium 25, high 50, critical 80), capped at 100.'),
  col('threat_tags', 'varchar', 'Categories of the matched signatures, sorted, comma separated (sqli, xss, traversal, rce, log4shell, scanner, ...); null when none.'),
  col('threat_rules', 'varchar', 'Ids of the matched signatures, comma separated; null when none.'),
]);

interface Compiled {
  readonly rule: SignatureRule;
  readonly re: RegExp;
}

function decode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; }
}

/**
 * Sets {@link THREAT_COLUMNS} on every record. `request` is path + `?` + query, percent-decoded
 * (twice, to catch double encoding); other fields are matched as logged. Every record passes; a
 * match never rejects a request (attack traffic is data the security team needs).
 */
export class ThreatStage<R = Record<string, unknown>> implements Stage<RecordBatch<R>, RecordBatch<R>> {
  readonly id: string;
  readonly type = 'threat';
  readonly #rules: readonly Compiled[];
  readonly #lists: readonly ReputationList[];
  /** Per field: one alternation of every rule on that field, a pre-filter (most requests match none). */
  readonly #anyOn: ReadonlyMap<string, RegExp>;

  /**
   * Loads the signature files and reputation list files; throws `TRB_CONFIG_INVALID` for a bad file
   * or rule, or duplicate ids, and `TRB_INTERNAL_INVARIANT` for a `url` list (the engine's
   * `prepare` replaces those with their downloaded copies before the workers build the stage).
   */
  constructor(id: string, config: ThreatConfig) {
    this.id = id;
    const all = [
      ...(config.builtin_rules ? loadRulesFile(builtinRulesFile()) : []),
      ...config.rules_files.flatMap((f) => loadRulesFile(f)),
      ...config.rules,
    ];
    const seen = new Set<string>();
    for (const r of all) {
      if (seen.has(r.id)) throw ConfigInvalid({ file: '(threat rules)', path: r.id, reason: `signature id \`${r.id}\` is defined twice` });
      seen.add(r.id);
    }
    this.#rules = all.filter((r) => !config.disable.includes(r.id)).map((rule) => ({ rule, re: new RegExp(rule.pattern, 'i') }));
    const anyOn = new Map<string, RegExp>();
    for (const f of SIGNATURE_FIELDS) {
      const on = this.#rules.filter((r) => r.rule.fields.includes(f));
      if (on.length > 0) anyOn.set(f, new RegExp(on.map((r) => `(?:${r.rule.pattern})`).join('|'), 'i'));
    }
    this.#anyOn = anyOn;
    this.#lists = config.reputation_lists.map((l) => {
      // The engine's `prepare` (main thread) turns every `url` list into its cached `file`.
      if (l.file === undefined) throw Invariant({ reason: `reputation list \`${l.name}\` of stage \`${id}\` reached a worker without its downloaded file (build threat stages through runPipeline)` });
      return new ReputationList(l.file, l.name, l.score, config.reload_check_secs * 1000);
    });
  }

  /** Ids of the active signatures. */
  get ruleIds(): readonly string[] {
    return this.#rules.map((r) => r.rule.id);
  }

  /** The signatures `rec` matches. */
  match(rec: Readonly<Record<string, unknown>>): readonly SignatureRule[] {
    const text = (k: string): string => (typeof rec[k] === 'string' ? rec[k] as string : '');
    const path = text('path');
    const query = text('query');
    const once = decode(query === '' ? path : `${path}?${query}`);
    const request = decode(once);
    const fields: Record<string, string> = { request: once === request ? request : `${once}\n${request}`, path, query: decode(query), user_agent: text('user_agent'), referer: decode(text('referer')) };
    const live = SIGNATURE_FIELDS.filter((f) => fields[f] !== '' && this.#anyOn.get(f)?.test(fields[f] as string) === true);
    if (live.length === 0) return NO_RULES;
    const out: SignatureRule[] = [];
    for (const { rule, re } of this.#rules) {
      if (rule.fields.some((f) => live.includes(f) && re.test(fields[f] as string))) out.push(rule);
    }
    return out;
  }

  /** See the class contract. */
  process(batch: RecordBatch<R>, _ctx: StageCallContext): StageResult<RecordBatch<R>> {
    const now = Date.now();
    for (const l of this.#lists) l.maybeReload(now);
    for (const rec of batch.records as readonly Record<string, unknown>[]) {
      const hits = this.match(rec);
      const ip = typeof rec['client_ip'] === 'string' ? rec['client_ip'] : undefined;
      const listed = ip === undefined ? [] : this.#lists.map((l) => l.lookup(ip)).filter((e) => e !== undefined);
      if (hits.length === 0 && listed.length === 0) {
        rec['threat_score'] = 0; rec['threat_tags'] = null; rec['threat_rules'] = null;
        continue;
      }
      rec['threat_score'] = Math.min(100, hits.reduce((s, r) => s + SEVERITY_WEIGHT[r.severity], 0) + listed.reduce((s, e) => s + e.score, 0));
      rec['threat_tags'] = [...new Set([...hits.flatMap((r) => r.tags), ...(listed.length > 0 ? ['reputation'] : [])])].sort().join(',');
      rec['threat_rules'] = [...hits.map((r) => r.id), ...listed.map((e) => `list.${e.list}`)].join(',');
    }
    return { passed: batch, rejected: [], filtered: 0 };
  }
}
