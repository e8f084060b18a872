/**
 * Seeded pseudo-random numbers for the log generator: xoshiro128** seeded through splitmix32.
 * Pure 32-bit integer arithmetic, so the sequence is identical on every platform and Node
 * version; never touches Math.random or the clock.
 */

/** A deterministic random source. Two instances made from the same seed yield the same sequence. */
export interface Prng {
  /** Next unsigned 32-bit integer. */
  nextU32(): number;
  /** Next float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Next integer in [0, n) for 1 <= n <= 2^32. */
  int(n: number): number;
}

const splitmix32 = (state: { s: number }): number => {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
};

const INV_2_32 = 1 / 4294967296;

/**
 * Creates an xoshiro128** generator from any integer seed (only the low 32 bits matter; `stream`
 * selects an independent sub-sequence, e.g. one per output file).
 */
export function createPrng(seed: number, stream = 0): Prng {
  const st = { s: (seed ^ Math.imul(stream + 1, 0x632be5ab)) | 0 };
  let a = splitmix32(st);
  let b = splitmix32(st);
  let c = splitmix32(st);
  let d = splitmix32(st);
  if ((a | b | c | d) === 0) a = 1;
  const nextU32 = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r >>> 0;
  };
  return {
    nextU32,
    next: () => nextU32() * INV_2_32,
    int: (n: number) => Math.floor(nextU32() * INV_2_32 * n),
  };
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));
