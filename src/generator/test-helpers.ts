/**
 * Test helpers for the generator: in-memory capture with backpressure accounting, and the
 * regular expressions that define a well-formed line of each format.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';

/** A Writable that keeps (or only hashes) what it receives and records the largest backlog seen. */
export class CaptureStream extends Writable {
  readonly #keep: boolean;
  readonly #hash = createHash('sha256');
  readonly #chunks: Buffer[] = [];
  /** Largest `writableLength` observed at a write (bytes buffered but not yet consumed). */
  maxBacklog = 0;
  bytes = 0;

  constructor(opts: { keep: boolean; slow?: boolean; highWaterMark?: number }) {
    super({ highWaterMark: opts.highWaterMark ?? 1024 * 1024 });
    this.#keep = opts.keep;
    this.#slow = opts.slow ?? false;
  }
  readonly #slow: boolean;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.maxBacklog = Math.max(this.maxBacklog, this.writableLength);
    this.bytes += chunk.length;
    this.#hash.update(chunk);
    if (this.#keep) this.#chunks.push(chunk);
    if (this.#slow) setImmediate(cb);
    else cb();
  }

  /** sha256 of everything written (call once, after the generator resolved). */
  sha256(): string {
    return this.#hash.digest('hex');
  }

  /** Everything written, as lines (latin1: one char per byte); the text after the last `\n` is dropped. */
  lines(): string[] {
    const all = Buffer.concat(this.#chunks).toString('latin1').split('\n');
    all.pop();
    return all;
  }
}

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TS = `\\[(\\d{2})/(${MONTH})/(\\d{4}):(\\d{2}):(\\d{2}):(\\d{2}) ([+-]\\d{4})\\]`;
const HEAD = `^(\\S+) - (\\S+) ${TS} "([A-Z]+) (/\\S*) (HTTP/\\d\\.\\d)" ([1-5]\\d\\d) `;

/** A well-formed Apache combined line (normal request, valid status and month). */
export const APACHE_LINE = new RegExp(`${HEAD}(\\d+|-) "([^"]*)" "([^"]*)"$`);

/** A well-formed nginx main-with-timings line. */
export const NGINX_LINE = new RegExp(`${HEAD}(\\d+) "([^"]*)" "([^"]*)" "([^"]*)" rt=(\\d+\\.\\d{3}) uct="([-0-9.]+)" uht="([-0-9.]+)" urt="([-0-9.]+)"$`);

/** A junk-request line servers really write: TLS bytes on a plain port (400) or no request (408). */
export const JUNK_LINE = new RegExp(`^(\\S+) - - ${TS} "(?:-|(?:\\\\x[0-9a-f]{2})+)" (400|408) (\\d+|-) "-" "-"`);
