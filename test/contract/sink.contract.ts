/**
 * The sink contract: every sink type must pass it (run from src/sinks/sinks.test.ts).
 * `describeSinkContract(name, factory)` checks that commits make rows visible exactly once, abort
 * and uncommitted writes leave nothing visible, re-delivered offsets (also after a restart) add
 * nothing, empty batches work and advance watermarks, tricky strings / NULL vs empty string /
 * numbers / UTC timestamps with microseconds round-trip exactly, rejections reach the quarantine
 * once, errors are TributaryErrors, and close() is idempotent.
 *
 * CSV fixtures are written by hand in the engine's dialect (see `SinkBatch` in core/component.ts).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import type { Logger, Sink, SinkBatch, SinkContext } from '../../src/core/component.js';
import { isTributaryError } from '../../src/core/errors.js';
import type { Rejection } from '../../src/core/outcome.js';
import type { RecordSchema } from '../../src/core/record.js';
import { tmpDir } from '../helpers/tmp.js';

/** A sink under test plus readers of what it has committed (read through a separate handle). */
export interface SinkUnderTest {
  /** Created, not yet opened. */
  readonly sink: Sink;
  /** Committed rows (any order), one object per row keyed by stored column name; extra keys are ignored. */
  readRows(): Promise<readonly Record<string, unknown>[]>;
  /** Committed quarantine rows with at least: source, uri, stream, line, offset, code, reason, field, stage, raw. */
  readQuarantine(): Promise<readonly Record<string, unknown>[]>;
}

/** What a factory gets: a directory (same dir = same storage, to simulate a restart) and a context. */
export interface SinkFactoryEnv {
  readonly dir: string;
  readonly schema: RecordSchema;
  readonly ctx: SinkContext;
}

/** Builds a sink on the storage in `env.dir`; called again with the same dir it must see the same data. */
export type SinkFactory = (env: SinkFactoryEnv) => Promise<SinkUnderTest>;

/** The schema the contract writes: one column of every column type. */
export const CONTRACT_SCHEMA: RecordSchema = Object.freeze({
  name: 'contract',
  columns: Object.freeze([
    { name: 'ts', type: 'timestamp', nullable: false, description: 'time' },
    { name: 'name', type: 'varchar', nullable: true, description: 'text' },
    { name: 'n', type: 'integer', nullable: true, description: 'int' },
    { name: 'big', type: 'bigint', nullable: true, description: 'bigint' },
    { name: 'x', type: 'double', nullable: true, description: 'double' },
    { name: 'extras', type: 'json', nullable: true, description: 'json' },
  ] as const),
});

const HEADER = 'ts,name,n,big,x,extras,source_stream,source_offset,source_line,source_uri';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A CSV data line for the contract schema: `body` is the hand-written `ts,name,n,big,x,extras` part. */
const line = (body: string, stream: string, offset: number): string =>
  `${body},"${stream}",${offset},${offset + 1},"/logs/${stream}.log"`;

/** A simple row at `offset` of `stream` (name = `r<offset>`, ts on 2024-03-05 + offset seconds). */
const simple = (stream: string, offset: number): string =>
  line(`2024-03-05 12:00:${String(offset % 60).padStart(2, '0')}.000000,"r${offset}",${offset},${offset * 1000},0.5,`, stream, offset);

interface BatchSpec {
  readonly commitId: string;
  readonly lines: readonly string[];
  readonly streams: Readonly<Record<string, readonly [number, number]>>;
  readonly rejections?: readonly Rejection[];
}

function batchOf(dir: string, spec: BatchSpec): SinkBatch {
  let csvPath: string | null = null;
  if (spec.lines.length > 0) {
    csvPath = join(dir, `${spec.commitId}.csv`);
    writeFileSync(csvPath, `${HEADER}\n${spec.lines.join('\n')}\n`);
  }
  return {
    commitId: spec.commitId, schema: CONTRACT_SCHEMA, csvPath, rows: spec.lines.length,
    rejections: spec.rejections ?? [],
    streams: new Map(Object.entries(spec.streams).map(([s, [from, to]]) => [s, { from, to }])),
    outputs: [],
  };
}

const rejection = (stream: string, offset: number, code: Rejection['code'] = 'parse_failed'): Rejection => ({
  origin: { source: 'logs', uri: `/logs/${stream}.log`, stream, line: offset + 1, offset },
  raw: `bad "line", at ${offset}\nwith ünïcødé`, code, reason: `line ${offset + 1} is not valid`, field: 'status', stage: 'parse',
});

/** Row values normalised for comparison: JSON columns parsed, only stored columns kept. */
function normalise(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const keys = [...CONTRACT_SCHEMA.columns.map((c) => c.name), 'source_stream', 'source_offset', 'source_line', 'source_uri'];
  return rows.map((r) => Object.fromEntries(keys.map((k) => {
    const v = r[k] === undefined ? null : r[k];
    return [k, k === 'extras' && typeof v === 'string' ? JSON.parse(v) : v];
  }))).sort((a, b) => String(a.source_stream).localeCompare(String(b.source_stream)) || Number(a.source_offset) - Number(b.source_offset));
}

const offsets = (rows: readonly Record<string, unknown>[], stream?: string): number[] =>
  rows.filter((r) => stream === undefined || r.source_stream === stream).map((r) => Number(r.source_offset)).sort((a, b) => a - b);

/** Registers the contract tests for one sink type. */
export function describeSinkContract(name: string, factory: SinkFactory): void {
  describe(`sink contract: ${name}`, () => {
    const start = async (t: TestContext, dir = tmpDir(t, 'trb-sink-')): Promise<SinkUnderTest & { dir: string }> => {
      const ctx: SinkContext = { pipeline: 'contract', baseDir: dir, dataDir: dir, schema: CONTRACT_SCHEMA, outputs: [], log: silent };
      const sut = await factory({ dir, schema: CONTRACT_SCHEMA, ctx });
      t.after(() => sut.sink.close());
      await sut.sink.open();
      return { ...sut, dir };
    };

    it('makes committed rows visible exactly once, and uncommitted writes invisible', async (t) => {
      const s = await start(t);
      const w = await s.sink.write(batchOf(s.dir, { commitId: 'run1-000000', lines: [0, 10, 20].map((o) => simple('s1', o)), streams: { s1: [0, 30] } }));
      assert.deepEqual(w, { written: 3, failed: [] });
      assert.deepEqual(await s.readRows(), [], 'rows are visible before commit');
      await s.sink.commit('run1-000000');
      const rows = await s.readRows();
      assert.deepEqual(offsets(rows), [0, 10, 20]);
      const first = normalise(rows)[0]!;
      assert.deepEqual(first, {
        ts: '2024-03-05T12:00:00.000000Z', name: 'r0', n: 0, big: 0, x: 0.5, extras: null,
        source_stream: 's1', source_offset: 0, source_line: 1, source_uri: '/logs/s1.log',
      });
      await s.sink.write(batchOf(s.dir, { commitId: 'run1-000001', lines: [simple('s1', 30)], streams: { s1: [30, 40] } }));
      await s.sink.commit('run1-000001');
      assert.deepEqual(offsets(await s.readRows()), [0, 10, 20, 30]);
    });

    it('abort leaves nothing visible, and the same rows can be committed afterwards', async (t) => {
      const s = await start(t);
      await s.sink.write(batchOf(s.dir, {
        commitId: 'run1-000000', lines: [simple('s1', 0), simple('s1', 10)], streams: { s1: [0, 20] }, rejections: [rejection('s1', 15)],
      }));
      await s.sink.abort('run1-000000');
      assert.deepEqual(await s.readRows(), []);
      assert.deepEqual(await s.readQuarantine(), []);
      const w = await s.sink.write(batchOf(s.dir, { commitId: 'run1-000001', lines: [simple('s1', 0), simple('s1', 10)], streams: { s1: [0, 20] } }));
      assert.equal(w.written, 2, 'an aborted commit must not advance the watermark');
      await s.sink.commit('run1-000001');
      assert.deepEqual(offsets(await s.readRows()), [0, 10]);
      await s.sink.abort('never-written');
    });

    it('skips re-delivered rows and rejections below the watermark, also after a restart', async (t) => {
      const dir = tmpDir(t, 'trb-sink-');
      const a = await start(t, dir);
      await a.sink.write(batchOf(dir, {
        commitId: 'run1-000000', lines: [0, 10, 20].map((o) => simple('s1', o)).concat(simple('s2', 0)),
        streams: { s1: [0, 30], s2: [0, 10] }, rejections: [rejection('s1', 25)],
      }));
      await a.sink.commit('run1-000000');
      // overlapping batch: s1 10..50 (10, 20 already stored), s2 unchanged, s3 new
      const w = await a.sink.write(batchOf(dir, {
        commitId: 'run1-000001', lines: [10, 20, 30, 40].map((o) => simple('s1', o)).concat(simple('s2', 0), simple('s3', 5)),
        streams: { s1: [10, 50], s2: [0, 10], s3: [5, 15] }, rejections: [rejection('s1', 25), rejection('s1', 45)],
      }));
      assert.equal(w.written, 3);
      await a.sink.commit('run1-000001');
      await a.sink.close();
      // restart on the same storage: re-deliver everything again
      const b = await start(t, dir);
      const w2 = await b.sink.write(batchOf(dir, {
        commitId: 'run2-000000', lines: [0, 10, 20, 30, 40].map((o) => simple('s1', o)).concat(simple('s2', 0), simple('s3', 5), simple('s1', 50)),
        streams: { s1: [0, 60], s2: [0, 10], s3: [5, 15] }, rejections: [rejection('s1', 25), rejection('s1', 45)],
      }));
      assert.equal(w2.written, 1, 'only s1@50 is new');
      await b.sink.commit('run2-000000');
      const rows = await b.readRows();
      assert.deepEqual(offsets(rows, 's1'), [0, 10, 20, 30, 40, 50]);
      assert.deepEqual(offsets(rows, 's2'), [0]);
      assert.deepEqual(offsets(rows, 's3'), [5]);
      const q = await b.readQuarantine();
      assert.deepEqual(q.map((r) => Number(r.offset)).sort((x, y) => x - y), [25, 45]);
    });

    it('accepts an empty batch (no CSV) and still advances the watermark', async (t) => {
      const s = await start(t);
      const w = await s.sink.write(batchOf(s.dir, { commitId: 'run1-000000', lines: [], streams: { s1: [0, 100] } }));
      assert.deepEqual(w, { written: 0, failed: [] });
      const files = await s.sink.commit('run1-000000');
      assert.ok(Array.isArray(files));
      assert.deepEqual(await s.readRows(), []);
      const w2 = await s.sink.write(batchOf(s.dir, { commitId: 'run1-000001', lines: [simple('s1', 50), simple('s1', 100)], streams: { s1: [50, 110] } }));
      assert.equal(w2.written, 1);
      await s.sink.commit('run1-000001');
      assert.deepEqual(offsets(await s.readRows()), [100]);
    });

    it('round-trips tricky strings, NULL vs empty string, numbers and JSON exactly', async (t) => {
      const s = await start(t);
      const cases: [string, Record<string, unknown>][] = [
        ['"say ""hi"", ok",7,-2,-0.25,"{""k"":""v \\""q\\"""",""n"":[1,2]}"', { name: 'say "hi", ok', n: 7, big: -2, x: -0.25, extras: { k: 'v "q"', n: [1, 2] } }],
        ['"line1\nline2\r\nline3",,,,', { name: 'line1\nline2\r\nline3', n: null, big: null, x: null, extras: null }],
        ['"ünïcødé 😀 漢字 e\u0301",0,9007199254740991,1e-7,"{}"', { name: 'ünïcødé 😀 漢字 e\u0301', n: 0, big: 9007199254740991, x: 1e-7, extras: {} }],
        ['"",2147483647,-9007199254740991,123456.789,', { name: '', n: 2147483647, big: -9007199254740991, x: 123456.789, extras: null }],
        [',-2147483648,0,0,', { name: null, n: -2147483648, big: 0, x: 0, extras: null }],
        ['"NULL",1,1,1,', { name: 'NULL', n: 1, big: 1, x: 1, extras: null }],
        ['"  spaced , \\back\\slash\t",1,1,1,', { name: '  spaced , \\back\\slash\t', n: 1, big: 1, x: 1, extras: null }],
      ];
      const lines = cases.map(([body], i) => line(`2024-03-05 00:00:00.000000,${body}`, 's1', i * 10));
      await s.sink.write(batchOf(s.dir, { commitId: 'run1-000000', lines, streams: { s1: [0, cases.length * 10] } }));
      await s.sink.commit('run1-000000');
      const rows = normalise(await s.readRows());
      assert.equal(rows.length, cases.length);
      cases.forEach(([, want], i) => {
        const got = rows[i]!;
        for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `row ${i} column ${k}`);
      });
    });

    it('stores timestamps as UTC with microseconds, whatever the input notation', async (t) => {
      const s = await start(t);
      const ts: [string, string][] = [
        ['2024-03-05 23:59:59.999999', '2024-03-05T23:59:59.999999Z'],
        ['1970-01-01 00:00:00.000001', '1970-01-01T00:00:00.000001Z'],
        ['2024-02-29 12:00:00.000000', '2024-02-29T12:00:00.000000Z'],
        ['2024-03-05T12:34:56.5Z', '2024-03-05T12:34:56.500000Z'],
        ['2024-03-06T01:30:00.000123+02:00', '2024-03-05T23:30:00.000123Z'],
        ['1969-12-31 23:59:59.999999', '1969-12-31T23:59:59.999999Z'],
      ];
      const lines = ts.map(([text], i) => line(`${text},"t${i}",,,,`, 's1', i));
      await s.sink.write(batchOf(s.dir, { commitId: 'run1-000000', lines, streams: { s1: [0, ts.length] } }));
      await s.sink.commit('run1-000000');
      const rows = normalise(await s.readRows());
      assert.deepEqual(rows.map((r) => r.ts), ts.map(([, want]) => want));
    });

    it('stores rejections in the quarantine with their origin, code and reason', async (t) => {
      const s = await start(t);
      const rej = [rejection('s1', 5), { ...rejection('s1', 15, 'value_out_of_range'), field: undefined } as unknown as Rejection];
      await s.sink.write(batchOf(s.dir, { commitId: 'run1-000000', lines: [simple('s1', 0)], streams: { s1: [0, 20] }, rejections: rej }));
      assert.deepEqual(await s.readQuarantine(), []);
      await s.sink.commit('run1-000000');
      const q = [...await s.readQuarantine()].sort((a, b) => Number(a.offset) - Number(b.offset));
      assert.equal(q.length, 2);
      const pick = (r: Record<string, unknown>) => ({
        source: r.source, uri: r.uri, stream: r.stream, line: Number(r.line), offset: Number(r.offset),
        code: r.code, reason: r.reason, field: r.field ?? null, stage: r.stage, raw: r.raw,
      });
      assert.deepEqual(pick(q[0]!), {
        source: 'logs', uri: '/logs/s1.log', stream: 's1', line: 6, offset: 5, code: 'parse_failed',
        reason: 'line 6 is not valid', field: 'status', stage: 'parse', raw: 'bad "line", at 5\nwith ünïcødé',
      });
      assert.equal(pick(q[1]!).code, 'value_out_of_range');
      assert.equal(pick(q[1]!).field, null);
    });

    it('fails with TributaryErrors: use before open, unknown commit, malformed CSV (nothing visible)', async (t) => {
      const dir = tmpDir(t, 'trb-sink-');
      const ctx: SinkContext = { pipeline: 'contract', baseDir: dir, dataDir: dir, schema: CONTRACT_SCHEMA, outputs: [], log: silent };
      const raw = await factory({ dir, schema: CONTRACT_SCHEMA, ctx });
      t.after(() => raw.sink.close());
      await assert.rejects(raw.sink.write(batchOf(dir, { commitId: 'run1-000000', lines: [simple('s1', 0)], streams: { s1: [0, 10] } })),
        (e: unknown) => isTributaryError(e) && e.code.startsWith('TRB_SINK_'));
      await raw.sink.open();
      await assert.rejects(raw.sink.commit('run1-999999'), (e: unknown) => isTributaryError(e) && e.code.startsWith('TRB_SINK_'));
      const bad = batchOf(dir, { commitId: 'run1-000001', lines: ['2024-03-05 00:00:00.000000,"x",notanumber,1,1,,"s1",0,1,"/l"'], streams: { s1: [0, 10] } });
      await assert.rejects(raw.sink.write(bad), (e: unknown) => isTributaryError(e) && e.code === 'TRB_SINK_WRITE_FAILED');
      await raw.sink.abort('run1-000001');
      assert.deepEqual(await raw.readRows(), []);
      const ok = await raw.sink.write(batchOf(dir, { commitId: 'run1-000002', lines: [simple('s1', 0)], streams: { s1: [0, 10] } }));
      assert.equal(ok.written, 1, 'a failed write must not advance the watermark');
      await raw.sink.commit('run1-000002');
      assert.deepEqual(offsets(await raw.readRows()), [0]);
    });

    it('close() twice is safe and location() names where the data lives', async (t) => {
      const s = await start(t);
      const loc = s.sink.location();
      assert.equal(loc.sink, s.sink.id);
      assert.equal(loc.type, s.sink.type);
      assert.ok(loc.location.length > 0);
      await s.sink.close();
      await s.sink.close();
    });
  });
}
