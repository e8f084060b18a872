/**
 * `auto`: a format that detects the real one from the data. It learns on the first `sample_lines`
 * non-empty lines (or on a batch handed to {@link AutoFormat.prime}), then parses with the chosen
 * format and, line by line, falls back to the other candidates when the chosen one fails. Each
 * record keeps the `format` that actually parsed it. A line no candidate parses is `format_unknown`.
 */
import type { AccessRecord } from '../core/record.js';
import { ACCESS_FORMATS } from './builtin-formats.js';
import { detectFormat, pickDetection, type Detection } from './detect.js';
import { parseFailure, type LineFormat, type ParseResult } from './format.js';

/** Options of {@link createAutoFormat}. */
export interface AutoFormatOptions {
  /** Lines to learn from before fixing the choice; default 1000. */
  readonly sample_lines?: number;
  /** Candidate formats; default the built-in access formats. All must share one schema. */
  readonly candidates?: readonly LineFormat<AccessRecord>[];
}

/** Detecting format; see the module comment. Not thread-safe (one instance per stage). */
export class AutoFormat implements LineFormat<AccessRecord> {
  readonly name = 'auto';
  readonly schema = 'access' as const;
  readonly description: string;
  readonly #sampleLines: number;
  /** Candidates, most specific first (learning-phase order). */
  readonly #bySpecificity: readonly LineFormat<AccessRecord>[];
  readonly #candidates: readonly LineFormat<AccessRecord>[];
  readonly #tally: Map<LineFormat<AccessRecord>, number>;
  #seen = 0;
  #chosen: LineFormat<AccessRecord> | null = null;
  #fallbacks: readonly LineFormat<AccessRecord>[] = [];
  #detection: Detection<LineFormat<AccessRecord>> | null = null;

  constructor(opts: AutoFormatOptions = {}) {
    this.#sampleLines = Math.max(1, opts.sample_lines ?? 1000);
    this.#candidates = opts.candidates ?? ACCESS_FORMATS;
    if (this.#candidates.length === 0) throw new TypeError('createAutoFormat needs at least one candidate');
    this.#bySpecificity = [...this.#candidates].sort((a, b) => (b.specificity ?? 0) - (a.specificity ?? 0));
    this.#tally = new Map(this.#candidates.map((c) => [c, 0]));
    this.description = `Detects among ${this.#candidates.map((c) => c.name).join(', ')} on the first ${this.#sampleLines} lines`;
  }

  /** The detection once made (after {@link prime} or `sample_lines` lines), else null. */
  get detection(): Detection<LineFormat<AccessRecord>> | null { return this.#detection; }

  /** Detects on up to `sample_lines` non-empty lines of `lines` now, if not detected yet. */
  prime(lines: readonly string[]): void {
    if (this.#chosen !== null) return;
    const sample: string[] = [];
    for (const l of lines) { if (l.trim()) sample.push(l); if (sample.length >= this.#sampleLines) break; }
    const d = detectFormat(sample, this.#candidates);
    if (d.confidence > 0) this.#fix(d);
  }

  /** Parses `line`; see the module comment. */
  parse(line: string): ParseResult<AccessRecord> {
    const chosen = this.#chosen;
    if (chosen !== null) {
      const r = chosen.parse(line);
      if (r.ok) {
        // A lenient parse that left text over (e.g. an Nginx line with timings read as combined in a
        // mixed file) yields to a candidate that consumes the whole line.
        if (r.record.extras?.trailing === undefined) return r;
        for (const f of this.#fallbacks) { const r2 = f.parse(line); if (r2.ok && r2.record.extras?.trailing === undefined) return r2; }
        return r;
      }
      for (const f of this.#fallbacks) { const r2 = f.parse(line); if (r2.ok) return r2; }
      return parseFailure('format_unknown', `no candidate format parses the line (${chosen.name}: ${r.reason})`, r.field);
    }
    return this.#learn(line);
  }

  #learn(line: string): ParseResult<AccessRecord> {
    let first: ParseResult<AccessRecord> | null = null;
    let firstFail: (ParseResult<AccessRecord> & { ok: false }) | null = null;
    for (const f of this.#bySpecificity) {
      const r = f.parse(line);
      if (r.ok) { this.#tally.set(f, (this.#tally.get(f) ?? 0) + 1); first ??= r; } else firstFail ??= r;
    }
    if (line.trim()) this.#seen++;
    if (this.#seen >= this.#sampleLines) this.#fixFromTally();
    if (first) return first;
    const top = this.#bySpecificity[0]!;
    return parseFailure('format_unknown', `no candidate format parses the line (${top.name}: ${firstFail?.reason ?? 'no match'})`, firstFail?.field);
  }

  #fixFromTally(): void {
    const scored = this.#candidates.map((format, index) => ({ format, index, matched: this.#tally.get(format) ?? 0 }));
    const d = pickDetection(scored, this.#seen);
    if (d.confidence === 0) { this.#seen = 0; return; }
    this.#fix(d);
  }

  /**
   * Adopts a detection made elsewhere (the engine samples each stream once, so every worker
   * parses a stream alike): `format` and `ranking` are candidate names, best first. Unknown names
   * are ignored; returns false when `format` is not a candidate (then this instance detects itself).
   */
  adopt(format: string, ranking: readonly string[], confidence: number): boolean {
    const byName = new Map(this.#candidates.map((c) => [c.name, c]));
    const chosen = byName.get(format);
    if (!chosen) return false;
    const ordered = ranking.map((n) => byName.get(n)).filter((f): f is LineFormat<AccessRecord> => f !== undefined);
    for (const c of this.#candidates) if (!ordered.includes(c)) ordered.push(c);
    this.#fix({ format: chosen, confidence, ranking: ordered.map((f) => ({ name: f.name, matched: 0 })) });
    return true;
  }

  #fix(d: Detection<LineFormat<AccessRecord>>): void {
    this.#detection = d;
    this.#chosen = d.format;
    const byName = new Map(this.#candidates.map((c) => [c.name, c]));
    this.#fallbacks = d.ranking.map((r) => byName.get(r.name)!).filter((f) => f !== d.format);
  }
}

/** Creates an {@link AutoFormat}. */
export function createAutoFormat(opts: AutoFormatOptions = {}): AutoFormat {
  return new AutoFormat(opts);
}
