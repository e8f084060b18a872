/**
 * Worker-thread entry of the parallel generator: builds a line factory from the options it is
 * given, then answers each block request with the block's bytes (transferred) and the malformed
 * counts of that block.
 */
import { parentPort } from 'node:worker_threads';
import { BLOCK_LINES, createLineFactory, type LineFactoryOptions, MAX_LINE_BYTES } from './line-factory.js';
import { MALFORMED_KINDS } from './malformed-kinds.js';

/** Main → worker. `start` travels as epoch milliseconds. */
export type GenerateWorkerRequest =
  | { readonly kind: 'init'; readonly opts: Omit<LineFactoryOptions, 'start'> & { readonly start: number } }
  | { readonly kind: 'block'; readonly block: number };

/** Worker → main: one block's bytes (one or more buffers, in order) and its malformed counts. */
export interface GenerateWorkerReply {
  readonly block: number;
  readonly lines: number;
  readonly buffers: readonly Uint8Array[];
  readonly malformed: readonly number[];
}

const BUFFER_BYTES = 6 * 1024 * 1024;

const port = parentPort;
if (port) {
  let factory: ReturnType<typeof createLineFactory> | undefined;
  let total = 0;
  port.on('message', (m: GenerateWorkerRequest) => {
    if (m.kind === 'init') {
      factory = createLineFactory({ ...m.opts, start: new Date(m.opts.start) });
      total = m.opts.lines;
      return;
    }
    const f = factory!;
    const before = MALFORMED_KINDS.map((k) => f.malformed[k.kind]);
    f.seekBlock(m.block);
    let left = Math.min(BLOCK_LINES, total - m.block * BLOCK_LINES);
    const buffers: Uint8Array[] = [];
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, MAX_LINE_BYTES * 2));
      const r = f.fill(buf, left);
      left -= r.lines;
      buffers.push(buf.subarray(0, r.bytes));
    }
    const reply: GenerateWorkerReply = {
      block: m.block,
      lines: Math.min(BLOCK_LINES, total - m.block * BLOCK_LINES),
      buffers,
      malformed: MALFORMED_KINDS.map((k, i) => f.malformed[k.kind] - before[i]!),
    };
    port.postMessage(reply, buffers.map((b) => b.buffer as ArrayBuffer));
  });
}
