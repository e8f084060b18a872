/**
 * The engine-thread half of keyed stages. Workers run every stage in parallel and attach features
 * to each record; results come back here strictly in stream order (the order the sources produced
 * the chunks), so each keyed stage's single {@link KeyedOperator} sees a client's or a visitor's
 * requests in order whichever worker parsed them. The operators' column values are spliced into
 * the worker's CSV rows, their dataset rows encoded, and their state changes handed to the commit
 * they belong to.
 */
import type { BatchMeta, KeyedOperator, OutputDataset, StageSpec } from '../../core/component.js';
import type { ColumnSchema } from '../../core/record.js';
import { Invariant } from '../../core/errors.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import { createCsvEncoder, spliceDeferred, type CsvEncoder } from '../encode/csv-encoder.js';
import type { ChunkResult } from '../workers/worker-protocol.js';

/** A keyed stage as the engine runs it. */
interface KeyedEntry {
  readonly id: string;
  readonly op: KeyedOperator;
  readonly columns: readonly ColumnSchema[];
}

/** What one chunk result becomes after the keyed stages. */
export interface KeyedChunk {
  /** The CSV rows with the deferred columns filled in. */
  readonly csv: Uint8Array;
  /** Encoded rows per additional dataset (datasets without rows are absent). */
  readonly outputs: ReadonlyMap<string, { readonly bytes: Uint8Array; readonly rows: number }>;
}

/** A keyed stage entry of a pipeline: its id, its spec and its parsed config. */
export interface KeyedStageDef {
  readonly id: string;
  readonly spec: StageSpec<unknown>;
  readonly config: unknown;
}

/** The keyed stages of one run. */
export class KeyedPhase {
  readonly #stages: readonly KeyedEntry[];
  readonly #columns: readonly ColumnSchema[];
  readonly #encoders: ReadonlyMap<string, CsvEncoder>;
  /** The additional datasets, in declaration order. */
  readonly outputs: readonly OutputDataset[];

  private constructor(stages: readonly KeyedEntry[], outputs: readonly OutputDataset[]) {
    this.#stages = stages;
    this.#columns = stages.flatMap((s) => s.columns);
    this.outputs = outputs;
    this.#encoders = new Map(outputs.map((o) => [o.dataset, createCsvEncoder(o.schema)]));
  }

  /** The columns the keyed stages fill (the record schema's tail), and the datasets they write, without building operators. */
  static describe(defs: readonly KeyedStageDef[]): { readonly columns: readonly ColumnSchema[]; readonly outputs: readonly OutputDataset[] } {
    const outputs: OutputDataset[] = [];
    for (const d of defs) {
      for (const o of d.spec.keyed!.outputs(d.config)) {
        if (outputs.some((x) => x.dataset === o.dataset)) throw Invariant({ reason: `two keyed stages write dataset ${o.dataset}` });
        outputs.push(o);
      }
    }
    return { columns: defs.flatMap((d) => d.spec.keyed!.columns(d.config)), outputs };
  }

  /** Builds the operators and restores each one's committed state. */
  static async open(defs: readonly KeyedStageDef[], control: ControlStore, pipeline: string): Promise<KeyedPhase> {
    const stages: KeyedEntry[] = [];
    for (const d of defs) {
      const keyed = d.spec.keyed!;
      const op = keyed.operator(d.id, d.config);
      op.restore(await control.getStageState(pipeline, d.id));
      stages.push({ id: d.id, op, columns: keyed.columns(d.config) });
    }
    return new KeyedPhase(stages, KeyedPhase.describe(defs).outputs);
  }

  /** Ids of the keyed stages, in chain order (what the workers attach features for). */
  get stageIds(): readonly string[] { return this.#stages.map((s) => s.id); }

  /** Number of deferred columns at the end of the record schema. */
  get deferredColumns(): number { return this.#columns.length; }

  /** Runs the operators on one result (call in stream order) and returns its final rows and dataset rows. */
  apply(res: ChunkResult, meta: BatchMeta): KeyedChunk {
    const k = res.keyed;
    if (!k || k.features.length !== this.#stages.length || (this.#columns.length > 0 && k.marks.length !== res.rows)) {
      throw Invariant({ reason: `chunk ${res.seq} came back without the features of the keyed stages` });
    }
    const values: (readonly unknown[])[] = [];
    const rows = new Map<string, Record<string, unknown>[]>();
    this.#stages.forEach((s, i) => {
      const out = s.op.process(k.features[i]!);
      if (out.columns.length !== s.columns.length) throw Invariant({ reason: `keyed stage ${s.id} returned ${out.columns.length} columns, expected ${s.columns.length}` });
      values.push(...out.columns);
      for (const r of out.rows) {
        const list = rows.get(r.dataset);
        if (list) list.push(r.row as Record<string, unknown>); else rows.set(r.dataset, [r.row as Record<string, unknown>]);
      }
    });
    const csv = res.rows > 0 && this.#columns.length > 0 ? spliceDeferred(res.csv, k.marks, this.#columns, values) : res.csv;
    const outputs = new Map<string, { bytes: Uint8Array; rows: number }>();
    for (const [dataset, list] of rows) {
      const enc = this.#encoders.get(dataset);
      if (!enc) throw Invariant({ reason: `a keyed stage wrote to undeclared dataset ${dataset}` });
      outputs.set(dataset, { bytes: enc.encode(list, meta.stream, meta.uri), rows: list.length });
    }
    return { csv, outputs };
  }

  /**
   * The operators' state changes since the last call, by stage id: called once per commit, after
   * its last result and before the next commit's first, so each commit saves exactly the state its
   * data produced.
   */
  drain(): Map<string, ReadonlyMap<string, unknown>> {
    const out = new Map<string, ReadonlyMap<string, unknown>>();
    for (const s of this.#stages) {
      const changes = s.op.drainChanges();
      if (changes.size > 0) out.set(s.id, changes);
    }
    return out;
  }

  /** Operator counters by stage id, for the run summary. */
  stats(): Record<string, Readonly<Record<string, number>>> {
    return Object.fromEntries(this.#stages.map((s) => [s.id, s.op.stats()]));
  }
}
