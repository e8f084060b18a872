/**
 * Turns a Node socket (plain or TLS) into the web-stream duplex pg-gateway reads and writes, with
 * two guards the library does not have: a frontend message larger than the limit ends the session
 * with SQLSTATE 54000 before it is buffered, and the session's ParameterStatus/BackendKeyData
 * messages are slipped in before the first ReadyForQuery after authentication.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { DuplexStream } from 'pg-gateway';
import { errorResponse } from './protocol/backend-messages.js';
import { SQLSTATE } from './sqlstate.js';

/** Per-connection hooks shared by the plain and the TLS phase. */
export interface DuplexHooks {
  readonly maxMessageBytes: number;
  /** Messages to send right before the next ReadyForQuery (then cleared). */
  beforeReady: Uint8Array[] | undefined;
}

const READY = 'Z'.charCodeAt(0);
/** Untyped startup-phase request codes: SSLRequest, GSSENCRequest, CancelRequest. */
const PRE_STARTUP = new Set([80877103, 80877104, 80877102]);
const SSL_REQUEST = 80877103;

/** A framing guard: tracks message boundaries and refuses oversized ones. */
class SizeGuard {
  #typed = false;
  #header = new Uint8Array(8);
  #headerFill = 0;
  #remaining = 0;
  #passthrough = false;
  constructor(readonly max: number) {}
  /** Feeds bytes; returns false when a message exceeds the limit. */
  feed(chunk: Uint8Array): boolean {
    if (this.#passthrough) return true;
    let i = 0;
    while (i < chunk.length) {
      if (this.#remaining > 0) {
        const n = Math.min(this.#remaining, chunk.length - i);
        this.#remaining -= n;
        i += n;
        continue;
      }
      const headerLen = this.#typed ? 5 : 8;
      while (this.#headerFill < headerLen && i < chunk.length) this.#header[this.#headerFill++] = chunk[i++] ?? 0;
      if (this.#headerFill < headerLen) return true;
      const view = new DataView(this.#header.buffer);
      const length = this.#typed ? view.getUint32(1) : view.getUint32(0);
      if (length > this.max || length < 4) return false;
      if (this.#typed) this.#remaining = length - 4;
      else {
        const code = view.getUint32(4);
        this.#remaining = length - 8;
        // After an SSLRequest the bytes are TLS records: the TLS socket's own guard takes over.
        if (code === SSL_REQUEST) { this.#passthrough = true; return true; }
        if (!PRE_STARTUP.has(code)) this.#typed = true;
      }
      this.#headerFill = 0;
      if (!this.#typed) this.#header = new Uint8Array(8);
      else this.#header = new Uint8Array(5);
    }
    return true;
  }
}

/**
 * Wraps `socket` for pg-gateway; see the file comment. `inject` is false for a plain socket that
 * will carry TLS (its writes are TLS records, never protocol messages).
 */
export function socketDuplex(socket: Duplex | Socket, hooks: DuplexHooks, inject: boolean): DuplexStream<Uint8Array> {
  const web = Duplex.toWeb(socket) as unknown as DuplexStream<Uint8Array>;
  const guard = new SizeGuard(hooks.maxMessageBytes);
  const readable = web.readable.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (guard.feed(chunk)) { controller.enqueue(chunk); return; }
      socket.end(errorResponse({ severity: 'FATAL', code: SQLSTATE.programLimitExceeded, message: `message exceeds the limit of ${hooks.maxMessageBytes} bytes` }));
      controller.terminate();
    },
  }));
  const writer = web.writable.getWriter();
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (inject && hooks.beforeReady && chunk[0] === READY) {
        const extra = hooks.beforeReady;
        hooks.beforeReady = undefined;
        for (const m of extra) await writer.write(m);
      }
      await writer.write(chunk);
    },
    async close() { await writer.close().catch(() => undefined); },
    async abort(reason) { await writer.abort(reason).catch(() => undefined); },
  });
  return { readable, writable };
}
