/**
 * Format detection on a sample of lines: every candidate parses the sample; the one that parses
 * the most lines wins, near-ties (within 2 % of the sample: real files carry a few malformed lines
 * that a lenient format such as `apache_common` with trailing text still accepts) going to the most
 * specific format (more fields, strict line end), so
 * `nginx_main` beats `apache_combined` when the timing fields are there and `apache_vhost_combined`
 * beats `apache_combined`.
 */
import { BUILTIN_FORMATS } from './builtin-formats.js';
import type { LineFormat } from './format.js';

/** Candidates parsing at least (best − this share of the sample) lines count as tied. */
const NEAR_TIE_SHARE = 0.02;

/** Outcome of {@link detectFormat}. */
export interface Detection<F extends LineFormat = LineFormat> {
  /** The best candidate (the first candidate when nothing matched: then confidence is 0). */
  readonly format: F;
  /** Share of the non-empty sample lines `format` parses, 0..1. */
  readonly confidence: number;
  /** Every candidate with the number of lines it parsed, best first. */
  readonly ranking: readonly { readonly name: string; readonly matched: number }[];
}

/**
 * Ranks `candidates` (default: every built-in format) on the non-empty lines of `sample`.
 * Throws nothing; an empty candidate list is a programming error (TypeError).
 */
export function detectFormat<F extends LineFormat = LineFormat>(
  sample: readonly string[], candidates: readonly F[] = BUILTIN_FORMATS as readonly F[],
): Detection<F> {
  if (candidates.length === 0) throw new TypeError('detectFormat needs at least one candidate');
  const lines = sample.filter((l) => l.trim().length > 0);
  const scored = candidates.map((format, index) => {
    let matched = 0;
    for (const l of lines) if (format.parse(l).ok) matched++;
    return { format, index, matched };
  });
  return pickDetection(scored, lines.length);
}

/**
 * Chooses among scored candidates (`matched` lines of a `sampleSize`-line sample each): the most
 * lines wins, near-ties (within 2 % of the sample) go to the most specific format. Shared by
 * {@link detectFormat} and the streaming learner of `AutoFormat`.
 */
export function pickDetection<F extends LineFormat>(
  scoredIn: readonly { readonly format: F; readonly index: number; readonly matched: number }[], sampleSize: number,
): Detection<F> {
  const scored = [...scoredIn];
  scored.sort((a, b) => b.matched - a.matched || (b.format.specificity ?? 0) - (a.format.specificity ?? 0) || a.index - b.index);
  const threshold = scored[0]!.matched - Math.max(1, Math.ceil(sampleSize * NEAR_TIE_SHARE));
  const best = scored[0]!.matched === 0 ? scored[0]! : scored
    .filter((s) => s.matched > 0 && s.matched >= threshold)
    .reduce((a, b) => ((b.format.specificity ?? 0) > (a.format.specificity ?? 0) ? b : a));
  scored.splice(scored.indexOf(best), 1);
  scored.unshift(best);
  return {
    format: best.format,
    confidence: sampleSize === 0 ? 0 : best.matched / sampleSize,
    ranking: scored.map((s) => ({ name: s.format.name, matched: s.matched })),
  };
}
