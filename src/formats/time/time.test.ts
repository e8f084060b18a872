import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseClfTime } from './clf-time.js';
import { parseIsoTime } from './iso-time.js';
import { compileStrftime, TimeParts } from './strftime.js';
import { daysFromCivil } from './civil.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');
const offStr = (m: number, colon = false): string => `${m < 0 ? '-' : '+'}${p(Math.trunc(Math.abs(m) / 60))}${colon ? ':' : ''}${p(Math.abs(m) % 60)}`;
const arbInstant = fc.record({
  ms: fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 11, 31) }).map((x) => x - (x % 1000)),
  off: fc.integer({ min: -12 * 60, max: 14 * 60 }),
});

describe('time parsers', () => {
  it('daysFromCivil matches Date.UTC', () => {
    fc.assert(fc.property(fc.integer({ min: -1e6, max: 1e6 }), (d) => {
      const dt = new Date(d * 86_400_000);
      return daysFromCivil(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()) === d;
    }), { seed: 1, numRuns: 2000 });
  });

  it('CLF and ISO round-trip any instant and offset', () => {
    fc.assert(fc.property(arbInstant, ({ ms, off }) => {
      const l = new Date(ms + off * 60_000);
      const clf = `${p(l.getUTCDate())}/${MONTHS[l.getUTCMonth()]}/${l.getUTCFullYear()}:${p(l.getUTCHours())}:${p(l.getUTCMinutes())}:${p(l.getUTCSeconds())} ${offStr(off)}`;
      const o = { ts: 0, off: 0 };
      assert.equal(parseClfTime(clf, 0, o), clf.length);
      assert.deepEqual([o.ts, o.off], [ms, off]);
      const iso = `${l.toISOString().slice(0, 19)}${offStr(off, true)}`;
      const io = { ts: 0, off: null as number | null };
      assert.equal(parseIsoTime(iso, 0, io), iso.length);
      assert.deepEqual([io.ts, io.off], [ms, off]);
      const sf = compileStrftime('%a, %d %B %Y %I:%M:%S %p %z');
      const parts = new TimeParts();
      const h12 = l.getUTCHours() % 12 === 0 ? 12 : l.getUTCHours() % 12;
      const text = `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][l.getUTCDay()]}, ${p(l.getUTCDate())} ${l.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })} ${l.getUTCFullYear()} ${p(h12)}:${p(l.getUTCMinutes())}:${p(l.getUTCSeconds())} ${l.getUTCHours() < 12 ? 'AM' : 'PM'} ${offStr(off)}`;
      assert.equal(sf.parse(text, 0, parts), text.length);
      assert.equal(parts.toMs(), ms);
    }), { seed: 2, numRuns: 300 });
  });

  it('rejects impossible dates', () => {
    const o = { ts: 0, off: 0 };
    assert.equal(parseClfTime('31/Feb/2024:10:00:00 +0000', 0, o), -1);
    assert.equal(parseClfTime('10/Oct/2000:25:00:00 +0000', 0, o), -1);
    assert.equal(parseClfTime('10/Oct/2000:10:00:00', 0, o), -1);
    assert.equal(parseIsoTime('2024-13-01T00:00:00Z', 0, { ts: 0, off: null }), -1);
  });
});
