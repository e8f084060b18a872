/**
 * Encoders for the backend (server → client) messages of the PostgreSQL v3 protocol that the
 * gateway sends after authentication. Each function returns one complete framed message.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

const enc = new TextEncoder();

/** A growable big-endian message writer; `frame(type)` prefixes the type byte and length. */
class Writer {
  #parts: Uint8Array[] = [];
  #len = 0;
  int16(n: number): this { return this.#push(Uint8Array.of((n >> 8) & 0xff, n & 0xff)); }
  int32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n);
    return this.#push(b);
  }
  cstring(s: string): this { this.#push(enc.encode(s)); return this.#push(Uint8Array.of(0)); }
  bytes(b: Uint8Array): this { return this.#push(b); }
  frame(type: string): Uint8Array {
    const out = new Uint8Array(5 + this.#len);
    out[0] = type.charCodeAt(0);
    new DataView(out.buffer).setInt32(1, 4 + this.#len);
    let off = 5;
    for (const p of this.#parts) { out.set(p, off); off += p.length; }
    return out;
  }
  #push(b: Uint8Array): this { this.#parts.push(b); this.#len += b.length; return this; }
}

/** A result column as described to the client. */
export interface WireField {
  readonly name: string;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  /** 0 text, 1 binary. */
  readonly format: 0 | 1;
}

/** RowDescription ('T'). */
export function rowDescription(fields: readonly WireField[]): Uint8Array {
  const w = new Writer().int16(fields.length);
  for (const f of fields) {
    w.cstring(f.name).int32(0).int16(0).int32(f.typeOid).int16(f.typeSize).int32(f.typeModifier).int16(f.format);
  }
  return w.frame('T');
}

/** DataRow ('D'); `null` is SQL NULL. */
export function dataRow(values: readonly (Uint8Array | null)[]): Uint8Array {
  const w = new Writer().int16(values.length);
  for (const v of values) {
    if (v === null) w.int32(-1);
    else w.int32(v.length).bytes(v);
  }
  return w.frame('D');
}

/** CommandComplete ('C') with a tag such as `SELECT 3` or `SET`. */
export function commandComplete(tag: string): Uint8Array { return new Writer().cstring(tag).frame('C'); }

/** ReadyForQuery ('Z'): `I` idle, `T` in a transaction block, `E` failed transaction block. */
export function readyForQuery(status: 'I' | 'T' | 'E'): Uint8Array {
  return new Writer().bytes(Uint8Array.of(status.charCodeAt(0))).frame('Z');
}

/** ParameterDescription ('t'). */
export function parameterDescription(oids: readonly number[]): Uint8Array {
  const w = new Writer().int16(oids.length);
  for (const o of oids) w.int32(o);
  return w.frame('t');
}

/** ParameterStatus ('S'). */
export function parameterStatus(name: string, value: string): Uint8Array {
  return new Writer().cstring(name).cstring(value).frame('S');
}

/** BackendKeyData ('K'): the key a CancelRequest must present. */
export function backendKeyData(pid: number, secret: number): Uint8Array {
  return new Writer().int32(pid).int32(secret).frame('K');
}

/** ParseComplete ('1'), BindComplete ('2'), CloseComplete ('3'), NoData ('n'), EmptyQueryResponse ('I'), PortalSuspended ('s'). */
export const parseComplete = (): Uint8Array => new Writer().frame('1');
export const bindComplete = (): Uint8Array => new Writer().frame('2');
export const closeComplete = (): Uint8Array => new Writer().frame('3');
export const noData = (): Uint8Array => new Writer().frame('n');
export const emptyQueryResponse = (): Uint8Array => new Writer().frame('I');
export const portalSuspended = (): Uint8Array => new Writer().frame('s');

/** Fields of an ErrorResponse / NoticeResponse. */
export interface WireError {
  readonly severity: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING';
  /** SQLSTATE, five characters. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

/** ErrorResponse ('E') or, with `notice`, NoticeResponse ('N'). */
export function errorResponse(e: WireError, notice = false): Uint8Array {
  const w = new Writer();
  w.bytes(Uint8Array.of(0x53)).cstring(e.severity);
  w.bytes(Uint8Array.of(0x56)).cstring(e.severity);
  w.bytes(Uint8Array.of(0x43)).cstring(e.code);
  w.bytes(Uint8Array.of(0x4d)).cstring(e.message);
  if (e.detail !== undefined) w.bytes(Uint8Array.of(0x44)).cstring(e.detail);
  if (e.hint !== undefined) w.bytes(Uint8Array.of(0x48)).cstring(e.hint);
  w.bytes(Uint8Array.of(0));
  return w.frame(notice ? 'N' : 'E');
}
