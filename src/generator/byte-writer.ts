/**
 * A cursor over a byte buffer for the generator's hot loop. Building lines as JS strings and
 * encoding them cost more in rope flattening and GC than everything else together; copying
 * pre-encoded pieces and writing digits in place keeps the loop allocation-free.
 */

/** Encodes a string whose chars are all < 256 into bytes (1 char = 1 byte). */
export const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/**
 * Appends bytes, ASCII text and numbers at `pos`. Callers reserve room first (no bounds checks:
 * writes past the end are silently dropped by the typed array, so reserve generously).
 * A class so every call site stays monomorphic.
 */
export class ByteWriter {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;

  /** Starts writing at offset 0 of `buf`. */
  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
  }

  /** Copies `b`. */
  put(b: Uint8Array): void {
    const n = b.length;
    // Measured: a byte loop costs ~3 ns/byte, TypedArray#set ~30 ns flat; the crossover is ~8 bytes.
    if (n > 24) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    const d = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) d[p++] = b[i]!;
    this.pos = p;
  }

  /** Writes one byte. */
  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** Writes the low byte of each char of `s` (callers pass ASCII/latin1 text). */
  text(s: string): void {
    const d = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) d[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Writes a non-negative integer (< 2^53) in decimal. */
  uint(n: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    const d = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    let x = n;
    do {
      const q = Math.floor(x / 10);
      d[--p] = 48 + (x - q * 10);
      x = q;
    } while (x > 0);
  }

  /** Writes milliseconds as seconds with exactly three decimals (`1.234`, `0.005`). */
  seconds3(ms: number): void {
    const t = Math.round(ms);
    const r = t % 1000;
    this.uint((t - r) / 1000);
    const d = this.buf;
    const p = this.pos;
    d[p] = 46;
    d[p + 1] = 48 + Math.floor(r / 100);
    d[p + 2] = 48 + (Math.floor(r / 10) % 10);
    d[p + 3] = 48 + (r % 10);
    this.pos = p + 4;
  }
}
