/**
 * Walker/Vose alias tables: O(1) sampling from a fixed discrete distribution, which keeps the
 * generator's per-line cost flat no matter how many clients or paths it draws from.
 */
import type { Prng } from './prng.js';

/** A sampler over indices 0..n-1 with fixed weights. */
export interface AliasTable {
  /** Number of outcomes. */
  readonly size: number;
  /** Draws one index using a single random number from `rng`. */
  sample(rng: Prng): number;
}

/**
 * Builds an alias table from non-negative weights (at least one positive). Throws a RangeError
 * on an empty list, a negative or non-finite weight, or an all-zero list.
 */
export function createAliasTable(weights: readonly number[]): AliasTable {
  const n = weights.length;
  if (n === 0) throw new RangeError('createAliasTable: weights must not be empty');
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`createAliasTable: invalid weight ${w}`);
    total += w;
  }
  if (total <= 0) throw new RangeError('createAliasTable: all weights are zero');
  const prob = new Float64Array(n);
  const alias = new Uint32Array(n);
  const scaled = weights.map((w) => (w * n) / total);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large[large.length - 1]!;
    prob[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    if (scaled[l]! < 1) small.push(large.pop()!);
  }
  for (const i of large) prob[i] = 1;
  for (const i of small) prob[i] = 1;
  return {
    size: n,
    sample(rng: Prng): number {
      const x = rng.next() * n;
      const i = x | 0;
      return x - i < prob[i]! ? i : alias[i]!;
    },
  };
}

/** Zipf weights 1/rank^s for ranks 1..n (s > 0: larger is more skewed). */
export function zipfWeights(n: number, s: number): number[] {
  const w = new Array<number>(n);
  for (let r = 0; r < n; r++) w[r] = 1 / Math.pow(r + 1, s);
  return w;
}

/**
 * A table of `size` log-normal multipliers (median 1, log-space sigma `sigma`) drawn from `rng`,
 * so the hot loop can take a skewed factor with one table lookup instead of Box–Muller.
 */
export function logNormalTable(rng: Prng, size: number, sigma: number): Float64Array {
  const t = new Float64Array(size);
  for (let i = 0; i < size; i += 2) {
    const u1 = 1 - rng.next();
    const u2 = rng.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    t[i] = Math.exp(sigma * r * Math.cos(2 * Math.PI * u2));
    if (i + 1 < size) t[i + 1] = Math.exp(sigma * r * Math.sin(2 * Math.PI * u2));
  }
  return t;
}
