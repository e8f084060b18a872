import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RecordSchema } from '../../core/record.js';
import { parseCsv } from '../../sinks/memory/parse-csv.js';
import { microsFromText } from '../../sinks/_shared/timestamps.js';
import { createCsvEncoder, csvHeader, formatTimestamp } from './csv-encoder.js';

const col = (name: string, type: RecordSchema['columns'][number]['type']) => ({ name, type, nullable: true, description: name });
const SCHEMA: RecordSchema = {
  name: 'test',
  columns: [col('s', 'varchar'), col('ts', 'timestamp'), col('i', 'integer'), col('b', 'bigint'), col('d', 'double'), col('j', 'json')],
};

const decoder = new TextDecoder('utf-8', { fatal: true });
const encodeText = (records: Record<string, unknown>[], stream = 'f:1', uri = '/logs/a.log'): string =>
  decoder.decode(createCsvEncoder(SCHEMA).encode(records, stream, uri));
const cells = (text: string) => parseCsv(text).map((r) => r.map((c) => (c.text === '' && !c.quoted ? null : c.text)));
const rec = (o: Record<string, unknown>): Record<string, unknown> => ({ source_offset: 0, source_line: 1, ...o });

/** The string-based reference encoding (the dialect as documented on SinkBatch). */
function reference(records: Record<string, unknown>[], stream: string, uri: string): string {
  const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  const num = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '');
  return records.map((r) => [
    r.s === null || r.s === undefined ? '' : q(String(r.s)),
    typeof r.ts === 'number' && Number.isFinite(r.ts) ? formatTimestamp(r.ts) : '',
    num(r.i), typeof r.b === 'bigint' ? String(r.b) : num(r.b),
    typeof r.d === 'number' && Number.isFinite(r.d) ? String(r.d) : '',
    r.j === null || r.j === undefined ? '' : q(typeof r.j === 'string' ? r.j : JSON.stringify(r.j)),
    q(stream), String(r.source_offset), String(r.source_line), q(uri),
  ].join(',') + '\n').join('');
}

describe('csv encoder', () => {
  it('writes the header with the lineage columns', () => {
    assert.equal(csvHeader(SCHEMA), 's,ts,i,b,d,j,source_stream,source_offset,source_line,source_uri\n');
  });

  it('keeps NULL (unquoted empty) apart from the empty string (quoted empty)', () => {
    const text = encodeText([rec({ s: null, j: null }), rec({ s: '', j: '' }), rec({})]);
    assert.equal(text,
      ',,,,,,"f:1",0,1,"/logs/a.log"\n' +
      '"",,,,,"","f:1",0,1,"/logs/a.log"\n' +
      ',,,,,,"f:1",0,1,"/logs/a.log"\n');
    const rows = cells(text);
    assert.equal(rows[0]![0], null);
    assert.equal(rows[1]![0], '');
  });

  it('round-trips quotes, separators, newlines and unicode (incl. astral and lone surrogates)', () => {
    const values = ['say "hi"', '""', 'a,b', 'line\nbreak\r\n', 'é ü ß', '€ 日本', '😀 👍🏽', 'x\ud800y', '\udc00'];
    const text = encodeText(values.map((s, n) => rec({ s, source_line: n + 1 })));
    const back = cells(text).map((r) => r[0]);
    assert.deepEqual(back, values.map((v) => Buffer.from(v, 'utf8').toString('utf8'))); // lone surrogates → U+FFFD
  });

  it('writes timestamps as UTC with microseconds, parsed back to the same instant', () => {
    const cases: [number, string][] = [
      [0, '1970-01-01 00:00:00.000000'],
      [1_709_642_096_123.456, '2024-03-05 12:34:56.123456'],
      [1_709_642_096_000.0004, '2024-03-05 12:34:56.000000'],
      [1_709_683_199_999.9996, '2024-03-05 23:59:59.999999'],
      [-1, '1969-12-31 23:59:59.999000'],
      [951_782_400_000, '2000-02-29 00:00:00.000000'],
    ];
    const text = encodeText(cases.map(([ts]) => rec({ ts })));
    const got = cells(text).map((r) => r[1]);
    assert.deepEqual(got, cases.map(([, s]) => s));
    for (const [ts, s] of cases) assert.equal(formatTimestamp(ts), s);
    assert.equal(microsFromText(got[1]!), 1_709_642_096_123_456n);
  });

  it('writes numbers as the reference does (integers truncated, -0 as 0, big and non-finite values)', () => {
    const text = encodeText([
      rec({ i: 3.9, b: -12_345_678_901, d: 0.1 + 0.2 }),
      rec({ i: -0.5, b: 2n ** 70n, d: -0 }),
      rec({ i: Number.NaN, b: Infinity, d: 1e21, source_offset: 2 ** 40, source_line: 7 }),
    ]);
    assert.deepEqual(cells(text).map((r) => r.slice(2, 5).concat(r.slice(7, 9))), [
      ['3', '-12345678901', '0.30000000000000004', '0', '1'],
      ['0', '1180591620717411303424', '0', '0', '1'],
      [null, null, '1e+21', '1099511627776', '7'],
    ]);
  });

  it('writes JSON objects exactly as JSON.stringify (escapes, unicode, non-string values)', () => {
    const objs = [
      { trailing: '"-" rt=0.002 uct="-"', 'k"ey': 'back\\slash', ctl: '\u0000\b\t\n\f\r\u001f\u007f', uni: 'é😀', lone: '\ud800' },
      {}, { n: 1, nested: { a: [1, 'x'] } }, ['a', 'b'], { u: undefined, v: 'w' },
    ];
    const text = encodeText(objs.map((j) => rec({ j })));
    assert.deepEqual(cells(text).map((r) => r[5]), objs.map((o) => JSON.stringify(o)));
    for (const o of objs) assert.deepEqual(JSON.parse(cells(encodeText([rec({ j: o })]))[0]![5]!), JSON.parse(JSON.stringify(o)));
  });

  it('produces the reference bytes for arbitrary records (property), lineage constants quoted', () => {
    const str = fc.option(fc.string({ unit: fc.constantFrom('a', 'Z', ',', '"', '\n', '\\', ' ', 'é', '€', '😀', '\u0001') }), { nil: null });
    const record = fc.record({
      s: str, ts: fc.option(fc.double({ min: -2e12, max: 4e12, noNaN: true }), { nil: null }),
      i: fc.option(fc.integer(), { nil: null }), b: fc.option(fc.maxSafeInteger(), { nil: null }),
      d: fc.option(fc.double(), { nil: null }), j: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: null }),
      source_offset: fc.nat(), source_line: fc.nat(),
    });
    fc.assert(fc.property(fc.array(record, { maxLength: 20 }), str, (records, stream) => {
      const s = stream ?? 'f:"x"';
      const got = Buffer.from(createCsvEncoder(SCHEMA).encode(records, s, '/a "b"/€.log'));
      assert.deepEqual(got, Buffer.from(reference(records, s, '/a "b"/€.log'), 'utf8'));
    }), { seed: 11, numRuns: 300 });
  });

  it('reuses its buffer safely: each result is independent of later calls', () => {
    const enc = createCsvEncoder(SCHEMA);
    const a = enc.encode([rec({ s: 'first' })], 'f', 'u');
    const aText = decoder.decode(a);
    enc.encode([rec({ s: 'x'.repeat(3_000_000) })], 'f', 'u'); // forces growth
    assert.equal(decoder.decode(a), aText);
    assert.equal(decoder.decode(enc.encode([rec({ s: 'third' })], 'f', 'u')), '"third",,,,,,"f",0,1,"u"\n');
  });
});
