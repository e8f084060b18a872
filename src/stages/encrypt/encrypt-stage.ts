/** The `encrypt` stage: replaces listed text fields by AES-256-GCM tokens (see security/crypto/field-cipher.ts). */
import type { Lineage, RecordBatch, Stage, StageCallContext, StageKey } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import type { StageResult } from '../../core/outcome.js';
import { encryptField, type FieldKey } from '../../security/crypto/field-cipher.js';
import type { EncryptConfig } from './config.js';
import { textField } from './text-field.js';

/**
 * Encrypts `config.fields` of every record in place with the current version of the vault key
 * `config.key` (handed in by the engine), binding dataset and field name into each token. Null
 * values stay null; every record passes (`in = passed`). A listed field that a record lacks, or
 * that holds a non-string, fails the run with `TRB_CONFIG_ENCRYPT_FIELD` instead of letting a
 * value through in clear. Raw lines kept for later rejections are not touched (see README).
 */
export class EncryptStage<R = Record<string, unknown>> implements Stage<RecordBatch<R>, RecordBatch<R>> {
  readonly id: string;
  readonly type = 'encrypt';
  readonly #fields: readonly string[];
  readonly #dataset: string;
  readonly #key: FieldKey;

  /** Throws `TRB_INTERNAL_INVARIANT` when the engine did not hand in the key `config.key`. */
  constructor(id: string, config: EncryptConfig, keys: readonly StageKey[]) {
    this.id = id;
    this.#fields = config.fields;
    this.#dataset = config.dataset;
    const k = keys.find((x) => x.name === config.key && x.kind === 'field');
    if (!k) throw Invariant({ reason: `stage ${id} was built without its field key \`${config.key}\`` });
    this.#key = { name: k.name, version: k.version, material: k.material };
  }

  /** See the class contract. */
  process(batch: RecordBatch<R>, _ctx: StageCallContext): StageResult<RecordBatch<R>> {
    for (const rec of batch.records as readonly (Record<string, unknown> & Lineage)[]) {
      for (const field of this.#fields) {
        const v = textField(this.id, rec, field);
        if (v === null) continue;
        // In place: the batch belongs to this worker's stage chain and nothing else holds the records.
        rec[field] = encryptField(v, this.#key, { dataset: this.#dataset, field });
      }
    }
    return { passed: batch, rejected: [], filtered: 0 };
  }
}
