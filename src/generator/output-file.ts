/**
 * A file to write generated lines to: plain, or gzip-compressed when the name ends in `.gz`
 * (like a rotated `access.log.1.gz`). Parent directories are created.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** An open output file. */
export interface OutputFile {
  /** Stream to write uncompressed bytes to (respect its backpressure). */
  readonly stream: Writable;
  /** Ends the stream and resolves once every byte is on disk; rejects on a write error. */
  close(): Promise<void>;
  /** Destroys the streams after a failure; never rejects. */
  abort(): Promise<void>;
}

/** Opens `path` for writing (truncating it). Gzip output is deterministic: zlib writes mtime 0. */
export function openOutputFile(path: string): OutputFile {
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path, { highWaterMark: 4 * 1024 * 1024 });
  const gzip = path.endsWith('.gz') ? createGzip({ level: 6 }) : null;
  const stream = gzip ?? file;
  const done = gzip ? pipeline(gzip, file) : finished(file);
  // Surface errors through close()/abort() only, never as an unhandled rejection.
  done.catch(() => undefined);
  return {
    stream,
    async close() {
      stream.end();
      await done;
    },
    async abort() {
      stream.destroy();
      file.destroy();
      await done.catch(() => undefined);
    },
  };
}
