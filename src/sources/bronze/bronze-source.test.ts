import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BronzeReader, BronzeSegmentRef, SourceChunk, SourceContext } from '../../core/component.js';
import { isTributaryError } from '../../core/errors.js';
import { silentLogger } from '../../observe/logger.js';
import { BronzeConfig } from './config.js';
import { BronzeSource } from './bronze-source.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function reader(objects: Map<string, Buffer>, segs: BronzeSegmentRef[]): BronzeReader {
  return {
    segments: async () => segs,
    open: async ({ objectKey: key }) => Readable.from([objects.get(key)!.subarray(0, 7), objects.get(key)!.subarray(7)]),
  };
}

function seg(key: string, data: Buffer, stream: string, from: number, firstLine: number, lines: number, to = from + data.length): BronzeSegmentRef {
  return { sha256: sha(data), objectKey: key, size: data.length, source: 'access', uri: `/logs/${stream}.log`, stream, fromOffset: from, toOffset: to, firstLine, lineCount: lines };
}

const ctx = (bronze: BronzeReader, checkpoints = new Map<string, Record<string, unknown>>()): SourceContext => ({
  pipeline: 'p', baseDir: '/', checkpoints, watch: false, signal: new AbortController().signal, log: silentLogger, bronze,
});

async function collect(src: BronzeSource): Promise<SourceChunk[]> {
  const out: SourceChunk[] = [];
  for await (const c of src.chunks()) out.push(c);
  return out;
}

test('replays segments with their original offsets, lines and truncation, skipping what is checkpointed or overlapping', async () => {
  const a1 = Buffer.from('l1\nl2\n');
  const a2 = Buffer.from('l3\n');
  const long = Buffer.from('xxxx\n'); // a line of 1000 bytes archived truncated to 4
  const a3 = Buffer.from('l5\nl6\n');
  const objects = new Map([['o/a1', a1], ['o/a2', a2], ['o/long', long], ['o/a3', a3], ['o/dup', a2]]);
  const segs = [
    seg('o/a1', a1, 'A', 0, 1, 2), seg('o/a2', a2, 'A', 6, 3, 1), seg('o/dup', a2, 'A', 6, 3, 1),
    seg('o/long', long, 'A', 9, 4, 1, 1010), seg('o/a3', a3, 'A', 1010, 5, 2),
  ];
  const chunks = await collect(new BronzeSource('replay', BronzeConfig.parse({}), ctx(reader(objects, segs))));
  assert.deepEqual(chunks.map((c) => [c.startOffset, c.endOffset, c.firstLine, c.lineCount, c.truncated ?? false, c.data.toString()]), [
    [0, 6, 1, 2, false, 'l1\nl2\n'], [6, 9, 3, 1, false, 'l3\n'], [9, 1010, 4, 1, true, 'xxxx\n'], [1010, 1016, 5, 2, false, 'l5\nl6\n'],
  ]);
  assert.deepEqual(chunks.at(-1)!.checkpoint, { key: 'A', value: { offset: 1016, line: 6, object: 'o/a3' } });
  assert.equal(chunks[0]!.meta.uri, '/logs/A.log');

  const resumed = await collect(new BronzeSource('replay', BronzeConfig.parse({}), ctx(reader(objects, segs), new Map([['A', { offset: 9 }]]))));
  assert.deepEqual(resumed.map((c) => c.startOffset), [9, 1010]);
  const filtered = await collect(new BronzeSource('replay', BronzeConfig.parse({ streams: ['B'] }), ctx(reader(objects, segs))));
  assert.equal(filtered.length, 0);
});

test('a flipped byte in an archived object is a clear error before anything of it is replayed', async () => {
  const good = Buffer.from('l1\nl2\n');
  const bad = Buffer.from(good); bad[1] = 0x32;
  const s = seg('o/x', good, 'A', 0, 1, 2);
  const src = new BronzeSource('replay', BronzeConfig.parse({}), ctx(reader(new Map([['o/x', bad]]), [s])));
  const seen: SourceChunk[] = [];
  await assert.rejects(async () => { for await (const c of src.chunks()) seen.push(c); }, (e: unknown) => isTributaryError(e) && e.code === 'TRB_SOURCE_BRONZE_CORRUPT' && /o\/x/.test(e.message));
  assert.equal(seen.length, 0);
});

test('without a bronze layer the source refuses to start', () => {
  const { bronze: _none, ...c } = ctx(reader(new Map(), []));
  assert.throws(() => new BronzeSource('replay', BronzeConfig.parse({}), c), (e: unknown) => isTributaryError(e) && e.code === 'TRB_SOURCE_BRONZE_UNAVAILABLE');
});
