/**
 * Test support for source components (used by their *.test.ts files only): a SourceContext with
 * a recording logger, chunk collection, and checks that chunks of a stream are contiguous.
 */
import assert from 'node:assert/strict';
import type { CheckpointValue, Logger, Source, SourceChunk, SourceContext } from '../../core/component.js';

/** A logger that keeps every entry (level, fields, message) for assertions. */
export interface RecordingLogger extends Logger {
  readonly entries: { level: string; obj: object; msg: string | undefined }[];
}

/** Creates a {@link RecordingLogger}. */
export function recordingLogger(): RecordingLogger {
  const entries: RecordingLogger['entries'] = [];
  const at = (level: string) => (obj: object, msg?: string): void => { entries.push({ level, obj, msg }); };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A SourceContext for tests; `signal` defaults to a fresh controller's signal. */
export function sourceContext(baseDir: string, opts: {
  watch?: boolean; checkpoints?: ReadonlyMap<string, CheckpointValue>; signal?: AbortSignal; log?: Logger;
} = {}): SourceContext {
  return {
    pipeline: 'test', baseDir, watch: opts.watch ?? false,
    checkpoints: opts.checkpoints ?? new Map(), signal: opts.signal ?? new AbortController().signal,
    log: opts.log ?? recordingLogger(),
  };
}

/** Reads a one-shot source to its end and closes it. */
export async function collect(source: Source): Promise<SourceChunk[]> {
  const out: SourceChunk[] = [];
  try {
    for await (const c of source.chunks()) out.push(c);
  } finally {
    await source.close();
  }
  return out;
}

/** The lines of chunks (without `\n`), in order. */
export function linesOf(chunks: readonly SourceChunk[]): string[] {
  const out: string[] = [];
  for (const c of chunks) {
    const parts = c.data.toString('utf8').split('\n');
    if (parts[parts.length - 1] === '') parts.pop();
    assert.equal(parts.length, c.lineCount, `lineCount of chunk at ${c.startOffset}`);
    out.push(...parts);
  }
  return out;
}

/**
 * Asserts that the chunks of each stream follow each other without gap or overlap (offsets and
 * line numbers), starting where `from` says (default offset 0, line 1), and that each checkpoint
 * points at the chunk's end.
 */
export function assertContiguous(chunks: readonly SourceChunk[], from: ReadonlyMap<string, { offset: number; line: number }> = new Map()): void {
  const at = new Map<string, { offset: number; line: number }>();
  for (const c of chunks) {
    const s = c.meta.stream;
    const prev = at.get(s) ?? from.get(s) ?? { offset: 0, line: 1 };
    assert.equal(c.startOffset, prev.offset, `stream ${s}: chunk starts at ${c.startOffset}, expected ${prev.offset}`);
    assert.equal(c.firstLine, prev.line, `stream ${s}: chunk first line ${c.firstLine}, expected ${prev.line}`);
    if (c.truncated !== true) assert.equal(c.endOffset - c.startOffset, c.data.length);
    assert.equal(c.checkpoint.key, s);
    assert.equal(c.checkpoint.value.offset, c.endOffset);
    assert.equal(c.checkpoint.value.line, c.firstLine + c.lineCount - 1);
    at.set(s, { offset: c.endOffset, line: c.firstLine + c.lineCount });
  }
}
