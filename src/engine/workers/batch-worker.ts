/**
 * Worker-thread entry: builds the stage chain on `init`, then answers every `chunk` with a
 * `result` (or a `failure` carrying the error code), transferring the encoded bytes back.
 */
import { parentPort } from 'node:worker_threads';
import { toTributaryError } from '../../core/errors.js';
import { buildStages } from './build-stages.js';
import { ChunkProcessor } from './chunk-processor.js';
import type { ChunkMessage, InitMessage, WorkerReply } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('batch-worker must run in a worker thread');
let processor: ChunkProcessor | undefined;

const fail = (seq: number, err: unknown): void => {
  const e = toTributaryError(err);
  port.postMessage({ kind: 'failure', seq, code: e.code, message: e.message, details: { ...e.details } } satisfies WorkerReply);
};

port.on('message', (msg: InitMessage | ChunkMessage) => {
  if (msg.kind === 'init') {
    try {
      processor = new ChunkProcessor(buildStages(msg.stages), msg.schema, msg.maxRawChars, msg.keyed);
      port.postMessage({ kind: 'ready' } satisfies WorkerReply);
    } catch (err) { fail(-1, err); }
    return;
  }
  try {
    if (!processor) throw new Error('chunk before init');
    const res = processor.process(msg);
    port.postMessage(res satisfies WorkerReply, [res.csv.buffer as ArrayBuffer]);
  } catch (err) { fail(msg.seq, err); }
});
