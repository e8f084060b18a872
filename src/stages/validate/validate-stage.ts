/** The `validate` stage: checks parsed access-log records and quarantines the ones that fail. */
import { originOf, type RecordBatch, type Stage, type StageCallContext } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import type { Rejection, StageResult } from '../../core/outcome.js';
import type { AccessRecord } from '../../core/record.js';
import type { ValidateConfig } from './config.js';
import type { Check, ValidatedRecord } from './check.js';
import { compileBuiltinChecks } from './builtin-checks.js';
import { compileRule } from './rule-checks.js';
import { tryDecodePath } from './decode-path.js';

/**
 * Validates a batch of access records. Per record it first percent-decodes `path` (when
 * `decode_path`), then runs the built-in checks and the user rules in order; the first failure
 * rejects the record with its origin, raw line, code, field and reason. It filters nothing, never
 * mutates the input (a decoded record is a copy) and never throws for a record-level problem.
 * When every record passes unchanged, `passed` is the input batch itself.
 */
export class ValidateStage implements Stage<RecordBatch<AccessRecord>, RecordBatch<AccessRecord>> {
  readonly id: string;
  readonly type = 'validate';
  readonly #checks: readonly Check[];
  readonly #decodePath: boolean;
  readonly #fixedNowMs: number | null;
  readonly #futureMs: number;

  /** Compiles `config`; throws `TRB_CONFIG_INVALID` when a rule's regex does not compile. */
  constructor(id: string, config: ValidateConfig) {
    this.id = id;
    this.#checks = Object.freeze([
      ...compileBuiltinChecks(config),
      ...config.rules.map((rule, i) => compileRule(rule, i, id)),
    ]);
    this.#decodePath = config.decode_path;
    this.#fixedNowMs = config.now === undefined ? null : Date.parse(config.now);
    this.#futureMs = config.ts_max_future_secs * 1000;
  }

  /** See the class contract; throws `TRB_INTERNAL_INVARIANT` only when `raws` and `records` differ in length. */
  process(batch: RecordBatch<AccessRecord>, _ctx: StageCallContext): StageResult<RecordBatch<AccessRecord>> {
    const { records, raws, meta } = batch;
    const n = records.length;
    if (raws.length !== n) throw Invariant({ reason: `batch has ${n} records but ${raws.length} raws` });
    const tsMaxMs = (this.#fixedNowMs ?? Date.now()) + this.#futureMs;
    const checks = this.#checks;
    const nChecks = checks.length;
    const rejected: Rejection[] = [];
    let outRecords: ValidatedRecord[] | null = null;
    let outRaws: string[] | null = null;
    for (let i = 0; i < n; i++) {
      const input = records[i]!;
      const rec = this.#decodePath ? decoded(input) : input;
      let failure = null;
      for (let k = 0; k < nChecks && failure === null; k++) failure = checks[k]!(rec, tsMaxMs);
      if (failure === null && rec === input && outRecords === null) continue;
      if (outRecords === null || outRaws === null) {
        outRecords = records.slice(0, i);
        outRaws = raws.slice(0, i);
      }
      if (failure === null) {
        outRecords.push(rec);
        outRaws.push(raws[i]!);
      } else {
        rejected.push({
          origin: originOf(meta, input.source_line, input.source_offset), raw: raws[i]!,
          code: failure.code, reason: failure.reason, field: failure.field, stage: this.id,
        });
      }
    }
    const passed = outRecords === null || outRaws === null ? batch : { meta, records: outRecords, raws: outRaws };
    return { passed, rejected, filtered: 0 };
  }
}

/** `rec` with `path` percent-decoded, or flagged `extras.path_raw_invalid` when it cannot be. */
function decoded(rec: ValidatedRecord): ValidatedRecord {
  const path: unknown = rec.path;
  if (typeof path !== 'string' || path.indexOf('%') === -1) return rec;
  const d = tryDecodePath(path);
  if (d === undefined) return { ...rec, extras: { ...rec.extras, path_raw_invalid: '1' } };
  return d === path ? rec : { ...rec, path: d };
}
