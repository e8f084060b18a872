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
    const s = dec.decode(this.buf.subarray(this.#off, end));
    this.#off = end + 1;
    return s;
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
      const n = r.int16();
      const paramOids: number[] = [];
      for (let i = 0; i < n; i++) paramOids.push(r.int32());
      return { type: 'parse', name, sql, paramOids };
    }
    case 'B': {
      const portal = r.cstring();
      const statement = r.cstring();
      const nf = r.int16();
      const paramFormats: number[] = [];
      for (let i = 0; i < nf; i++) paramFormats.push(r.int16());
      const np = r.int16();
      const params: (Uint8Array | null)[] = [];
      for (let i = 0; i < np; i++) {
        const len = r.int32();
        params.push(len < 0 ? null : r.bytes(len));
      }
      const nr = r.int16();
      const resultFormats: number[] = [];
      for (let i = 0; i < nr; i++) resultFormats.push(r.int16());
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
