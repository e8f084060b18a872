/**
 * The `parse` stage: lines in, records out. Each non-empty line becomes a record carrying its
 * lineage (`source_line`, `source_offset`) or a Rejection (`parse_failed`, `format_unknown`,
 * `line_too_long`) with its origin; empty lines are filtered (counted, not quarantined).
 */
import type { FormatHint, LineBatch, Lineage, RecordBatch, Stage, StageCallContext } from '../../core/component.js';
import { originOf } from '../../core/component.js';
import type { Rejection, StageResult } from '../../core/outcome.js';
import type { ParsedRecord } from '../../core/record.js';
import { AutoFormat, resolveFormat, type LineFormat, type ParseResult } from '../../formats/index.js';
import type { ParseConfig } from './config.js';

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c !== 32 && c !== 9 && c !== 13) return false; }
  return true;
}

/** Streams whose detected format is remembered per stage instance (oldest forgotten first). */
const MAX_DETECTED_STREAMS = 1024;

/**
 * Parses line batches with one configured format, or with `format: auto` a format detected per
 * stream (each file is sampled on its own, so a directory mixing Apache and Nginx files parses
 * each with its own format, and lines a file's format rejects fall back line by line). One
 * instance per worker.
 */
export class ParseStage implements Stage<LineBatch, RecordBatch> {
  readonly id: string;
  readonly type = 'parse';
  /** The format lines are parsed with (an {@link AutoFormat} for `format: auto`). */
  readonly format: LineFormat;
  readonly #config: ParseConfig;
  readonly #perStream = new Map<string, AutoFormat>();

  constructor(id: string, config: ParseConfig) {
    this.id = id;
    this.#config = config;
    this.format = resolveFormat(config);
  }

  /**
   * The format for a stream: the configured one, or (auto) the stream's own detector, which adopts
   * the engine's detection `hint` when given (else it detects on the first batch it sees).
   */
  formatFor(stream: string, hint?: FormatHint): LineFormat {
    if (!(this.format instanceof AutoFormat)) return this.format;
    let f = this.#perStream.get(stream);
    if (!f) {
      f = resolveFormat(this.#config) as AutoFormat;
      if (hint) f.adopt(hint.format, hint.ranking, hint.confidence);
      if (this.#perStream.size >= MAX_DETECTED_STREAMS) this.#perStream.delete(this.#perStream.keys().next().value!);
      this.#perStream.set(stream, f);
    }
    return f;
  }

  /** The record schema this stage produces (`access` or `error`). */
  get schema(): 'access' | 'error' { return this.format.schema; }

  /**
   * Parses every line of `batch`. Returns the parsed records as one RecordBatch in `passed`
   * (`records[i]` aligned with `raws[i]`), the rejections, and the number of blank lines filtered. Never throws for a line: a parser bug becomes a `parse_failed` rejection.
   */
  process(batch: LineBatch, ctx?: StageCallContext): StageResult<RecordBatch> {
    const { meta, lines, lineNos, offsets, overLong } = batch;
    const format = this.formatFor(meta.stream, ctx?.formatHint);
    if (format instanceof AutoFormat && format.detection === null) format.prime(lines);
    const records: (ParsedRecord & Lineage)[] = [];
    const raws: string[] = [];
    const rejected: Rejection[] = [];
    let filtered = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const lineNo = lineNos[i]!, offset = offsets[i]!;
      if (overLong !== undefined && overLong.has(i)) {
        rejected.push({ origin: originOf(meta, lineNo, offset), raw: line, code: 'line_too_long', reason: `line is longer than the configured maximum (kept the first ${line.length} characters)`, stage: this.id });
        continue;
      }
      if (isBlank(line)) { filtered++; continue; }
      let r: ParseResult<ParsedRecord>;
      try { r = format.parse(line); } catch (e) {
        r = { ok: false, code: 'parse_failed', reason: `parser error in format ${format.name}: ${(e as Error)?.message ?? String(e)}` };
      }
      if (r.ok) {
        const rec = r.record as ParsedRecord & Lineage;
        rec.source_line = lineNo;
        rec.source_offset = offset;
        records.push(rec);
        raws.push(line);
      } else {
        const rej: Rejection = r.field === undefined
          ? { origin: originOf(meta, lineNo, offset), raw: line, code: r.code, reason: r.reason, stage: this.id }
          : { origin: originOf(meta, lineNo, offset), raw: line, code: r.code, reason: r.reason, field: r.field, stage: this.id };
        rejected.push(rej);
      }
    }
    const passed: RecordBatch = { meta, records: records as unknown as RecordBatch['records'], raws };
    return { passed, rejected, filtered };
  }
}
