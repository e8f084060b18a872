import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateAccessLog } from './generate-access-log.js';
import { MALFORMED_KINDS } from './malformed-kinds.js';
import { APACHE_LINE, CaptureStream, JUNK_LINE, NGINX_LINE } from './test-helpers.js';
import { BLOCK_LINES } from './line-factory.js';
import { CHUNK_BYTES } from './write-chunks.js';

const gen = async (opts: Parameters<typeof generateAccessLog>[0], keep = true) => {
  const out = new CaptureStream({ keep });
  const result = await generateAccessLog(opts, out);
  return { out, result };
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const epoch = (m: RegExpExecArray, at: number): number => {
  const [d, mon, y, hh, mm, ss, off] = m.slice(at, at + 7) as [string, string, string, string, string, string, string];
  const sign = off.startsWith('-') ? -1 : 1;
  const offMin = sign * (Number(off.slice(1, 3)) * 60 + Number(off.slice(3)));
  return Date.UTC(Number(y), MONTHS.indexOf(mon), Number(d), Number(hh), Number(mm), Number(ss)) / 1000 - offMin * 60;
};

describe('generateAccessLog', () => {
  it('is deterministic: same seed → same bytes, other seed → other bytes', async () => {
    const a = await gen({ lines: 30_000, seed: 7, format: 'nginx_main' }, false);
    const b = await gen({ lines: 30_000, seed: 7, format: 'nginx_main' }, false);
    const c = await gen({ lines: 30_000, seed: 8, format: 'nginx_main' }, false);
    const ha = a.out.sha256();
    assert.equal(ha, b.out.sha256());
    assert.notEqual(ha, c.out.sha256());
    assert.deepEqual(a.result, b.result);
  });

  it('writes the same bytes and counts in-thread and on worker threads', async () => {
    const opts = { lines: 3 * BLOCK_LINES + 123, seed: 21, format: 'nginx_main', malformedRatio: 0.01 } as const;
    const one = await gen({ ...opts, workers: 0 }, false);
    const two = await gen({ ...opts, workers: 2 }, false);
    assert.equal(one.out.sha256(), two.out.sha256());
    assert.deepEqual(one.result, two.result);
  });

  it('writes exactly the requested number of lines, across chunk boundaries', async () => {
    for (const lines of [1, 2, 999, 40_001]) {
      const { out, result } = await gen({ lines, seed: lines, format: 'apache_combined', malformedRatio: 0.02 });
      assert.equal(out.lines().length, lines);
      assert.equal(result.lines, lines);
      assert.equal(result.bytes, out.bytes);
    }
    const { out } = await gen({ lines: 40_001, format: 'apache_combined' });
    assert.ok(out.bytes > CHUNK_BYTES, 'the 40k-line case must span several chunks');
  });

  it('writes nothing for 0 lines and rejects invalid options', async () => {
    const { out, result } = await gen({ lines: 0 });
    assert.equal(out.bytes, 0);
    assert.equal(result.lines, 0);
    await assert.rejects(generateAccessLog({ lines: -1 }, new CaptureStream({ keep: false })), RangeError);
    await assert.rejects(generateAccessLog({ lines: 1.5 }, new CaptureStream({ keep: false })), RangeError);
    await assert.rejects(generateAccessLog({ lines: 10, malformedRatio: 1.5 }, new CaptureStream({ keep: false })), RangeError);
    await assert.rejects(generateAccessLog({ lines: 10, days: 0 }, new CaptureStream({ keep: false })), RangeError);
  });

  for (const [format, shape, offset] of [['apache_combined', APACHE_LINE, '+0100'], ['nginx_main', NGINX_LINE, '+0000']] as const) {
    it(`${format}: every non-malformed line has the format's shape; malformed lines are exactly the counted ones`, async () => {
      const lines = 60_000;
      const { out, result } = await gen({ lines, seed: 11, format, malformedRatio: 0.01 });
      const all = out.lines();
      let bad = 0;
      let junk = 0;
      let prev = -Infinity;
      for (const l of all) {
        const m = l.length <= 65_536 ? shape.exec(l) : null;
        if (m === null) {
          bad++;
          if (JUNK_LINE.test(l)) junk++;
          continue;
        }
        assert.equal(m[9], offset);
        const t = epoch(m, 3);
        assert.ok(t >= prev, `timestamps must not decrease: ${l}`);
        prev = t;
      }
      const total = MALFORMED_KINDS.reduce((n, k) => n + result.malformed[k.kind], 0);
      assert.equal(bad, total);
      assert.equal(junk, result.malformed.tls_handshake + result.malformed.timeout_408);
      assert.equal(all.filter((l) => l === '').length, result.malformed.empty);
      assert.equal(all.filter((l) => l.length > 65_536).length, result.malformed.overlong);
      assert.equal(all.filter((l) => l.includes('" 999 ')).length, result.malformed.bad_status);
      assert.equal(all.filter((l) => /\[\d\d\/(?:Okt|Mrz|Dez|Foo|Mai)\//.test(l)).length, result.malformed.bad_month);
      assert.equal(all.filter((l) => l.includes('\0')).length, result.malformed.binary);
      for (const k of MALFORMED_KINDS) if (k.kind !== 'overlong') assert.ok(result.malformed[k.kind] > 0, `no ${k.kind} line was generated`);
    });
  }

  it('keeps the malformed share within tolerance (binomial, 5 sigma)', async () => {
    for (const ratio of [0, 0.004, 0.05]) {
      const lines = 100_000;
      const { result } = await gen({ lines, seed: 3, format: 'apache_combined', malformedRatio: ratio }, false);
      const n = MALFORMED_KINDS.reduce((s, k) => s + result.malformed[k.kind], 0);
      const sd = Math.sqrt(lines * ratio * (1 - ratio));
      assert.ok(Math.abs(n - lines * ratio) <= 5 * sd, `ratio ${ratio}: ${n} malformed of ${lines}`);
    }
  });

  it('spreads timestamps over the window with a diurnal curve', async () => {
    const start = new Date('2026-11-01T00:00:00Z');
    const { out } = await gen({ lines: 50_000, seed: 5, format: 'nginx_main', malformedRatio: 0, days: 7, start });
    const hours = new Array<number>(24).fill(0);
    let first = Infinity;
    let last = -Infinity;
    for (const l of out.lines()) {
      const m = NGINX_LINE.exec(l);
      assert.ok(m);
      const t = epoch(m, 3);
      first = Math.min(first, t);
      last = Math.max(last, t);
      hours[new Date(t * 1000).getUTCHours()]!++;
    }
    assert.ok(first >= start.getTime() / 1000 && first < start.getTime() / 1000 + 3600);
    assert.ok(last < start.getTime() / 1000 + 7 * 86400 && last > start.getTime() / 1000 + 7 * 86400 - 3600);
    assert.ok(hours[13]! > 4 * hours[4]!, `afternoon should be much busier than 4 am: ${hours.join(',')}`);
  });

  it('has a realistic mix: status classes, IPv6 and IPv4-mapped clients, methods, query strings', async () => {
    const { out } = await gen({ lines: 100_000, seed: 42, format: 'apache_combined', malformedRatio: 0 });
    const cls = [0, 0, 0, 0, 0, 0];
    const ips = new Map<string, number>();
    const methods = new Map<string, number>();
    const paths = new Set<string>();
    let encoded = 0;
    let bots = 0;
    const lines = out.lines();
    for (const l of lines) {
      const m = APACHE_LINE.exec(l)!;
      cls[Number(m[13]![0])]!++;
      ips.set(m[1]!, (ips.get(m[1]!) ?? 0) + 1);
      methods.set(m[10]!, (methods.get(m[10]!) ?? 0) + 1);
      paths.add(m[11]!.replace(/\?.*/, '').replace(/^(\/api\/v\d\/[a-z]+\/)\d+/, '$1:id'));
      if (/%[0-9A-F]{2}/.test(m[11]!)) encoded++;
      if (/Googlebot|bingbot|curl\//.test(m[16]!)) bots++;
    }
    const pct = (n: number): number => (100 * n) / lines.length;
    assert.ok(Math.abs(pct(cls[2]!) - 85) < 2.5, `2xx ${pct(cls[2]!)}`);
    assert.ok(Math.abs(pct(cls[3]!) - 8) < 2, `3xx ${pct(cls[3]!)}`);
    assert.ok(Math.abs(pct(cls[4]!) - 6) < 2, `4xx ${pct(cls[4]!)}`);
    assert.ok(Math.abs(pct(cls[5]!) - 1) < 0.6, `5xx ${pct(cls[5]!)}`);
    const distinct = [...ips.keys()];
    const v6 = distinct.filter((ip) => ip.includes(':')).length / distinct.length;
    assert.ok(distinct.length > 2_500 && distinct.length <= 5_000, `distinct clients ${distinct.length}`);
    assert.ok(v6 > 0.06 && v6 < 0.16, `IPv6 share of clients ${v6}`);
    assert.ok(distinct.some((ip) => ip.startsWith('::ffff:')));
    const top = Math.max(...ips.values());
    assert.ok(top > 50 * (lines.length / distinct.length), 'client traffic should be heavy-tailed');
    assert.ok(pct(methods.get('GET')! + (methods.get('POST') ?? 0)) > 95);
    assert.ok(paths.size > 1_000, `distinct path shapes ${paths.size}`);
    assert.ok(encoded > 100 && bots > 100);
  });

  it('respects backpressure: the backlog never exceeds one chunk beyond the high-water mark', async () => {
    const out = new CaptureStream({ keep: false, slow: true, highWaterMark: 64 * 1024 });
    await generateAccessLog({ lines: 120_000, format: 'nginx_main' }, out);
    assert.ok(out.bytes > 8 * CHUNK_BYTES);
    assert.ok(out.maxBacklog <= CHUNK_BYTES + 64 * 1024, `backlog ${out.maxBacklog}`);
  });
});
