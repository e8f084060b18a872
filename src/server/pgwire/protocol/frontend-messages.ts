/**
 * Decoders for the frontend (client → server) messages the gateway handles after authentication:
 * Query, Parse, Bind, Describe, Execute, Close, Sync, Flush, Terminate. Input is one complete
 * message including its type byte and length; malformed input throws {@link ProtocolViolation}.
 */

const dec = new TextDecoder('utf-8', { fatal: true });

/** The client sent bytes that are not a valid message (SQLSTATE 08P01). */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
}

/** A cursor over one message body. */
class Reader {
  #off = 5;
  readonly #view: DataView;
  constructor(readonly buf: Uint8Array) { this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }
  #need(n: number): void { if (this.#off + n > this.buf.length) throw new ProtocolViolation('Message is truncated'); }
  int16(): number { this.#need(2); const v = this.#view.getInt16(this.#off); this.#off += 2; return v; }
  int32(): number { this.#need(4); const v = this.#view.getInt32(this.#off); this.#off += 4; return v; }
  byte(): number { this.#need(1); return this.buf[this.#off++] ?? 0; }
  cstring(): string {
    const end = this.buf.indexOf(0, this.#off);
    if (end < 0) throw new ProtocolViolation('String is not terminated');
    let s: string;
    try { s = dec.decode(this.buf.subarray(this.#off, end)); } catch { throw new ProtocolViolation('String is not valid UTF-8'); }
    this.#off = end + 1;
    return s;
  }
  /** An Int16 count followed by that many items. */
  list<T>(item: () => T): T[] {
    const n = this.int16();
    if (n < 0) throw new ProtocolViolation('Negative count');
    return Array.from({ length: n }, item);
  }
  bytes(n: number): Uint8Array { this.#need(n); const b = this.buf.subarray(this.#off, this.#off + n); this.#off += n; return b; }
}

/** A decoded frontend message. */
export type FrontendMessage =
  | { readonly type: 'query'; readonly sql: string }
  | { readonly type: 'parse'; readonly name: string; readonly sql: string; readonly paramOids: readonly number[] }
  | {
      readonly type: 'bind'; readonly portal: string; readonly statement: string;
      readonly paramFormats: readonly number[]; readonly params: readonly (Uint8Array | null)[];
      readonly resultFormats: readonly number[];
    }
  | { readonly type: 'describe'; readonly kind: 'S' | 'P'; readonly name: string }
  | { readonly type: 'execute'; readonly portal: string; readonly maxRows: number }
  | { readonly type: 'close'; readonly kind: 'S' | 'P'; readonly name: string }
  | { readonly type: 'sync' }
  | { readonly type: 'flush' }
  | { readonly type: 'terminate' }
  | { readonly type: 'unsupported'; readonly code: string };

/** Decodes one framed frontend message. */
export function decodeFrontend(msg: Uint8Array): FrontendMessage {
  const r = new Reader(msg);
  const code = String.fromCharCode(msg[0] ?? 0);
  switch (code) {
    case 'Q': return { type: 'query', sql: r.cstring() };
    case 'P': {
      const name = r.cstring();
      const sql = r.cstring();
      return { type: 'parse', name, sql, paramOids: r.list(() => r.int32()) };
    }
    case 'B': {
      const portal = r.cstring();
      const statement = r.cstring();
      const paramFormats = r.list(() => r.int16());
      const params = r.list(() => { const len = r.int32(); return len < 0 ? null : r.bytes(len); });
      const resultFormats = r.list(() => r.int16());
      return { type: 'bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 'D': case 'C': {
      const k = String.fromCharCode(r.byte());
      if (k !== 'S' && k !== 'P') throw new ProtocolViolation(`Invalid ${code === 'D' ? 'Describe' : 'Close'} kind`);
      return { type: code === 'D' ? 'describe' : 'close', kind: k, name: r.cstring() };
    }
    case 'E': return { type: 'execute', portal: r.cstring(), maxRows: r.int32() };
    case 'S': return { type: 'sync' };
    case 'H': return { type: 'flush' };
    case 'X': return { type: 'terminate' };
    default: return { type: 'unsupported', code };
  }
}
