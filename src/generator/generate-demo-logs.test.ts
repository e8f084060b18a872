import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { generateDemoLogs } from './generate-demo-logs.js';
import { MALFORMED_KINDS } from './malformed-kinds.js';
import { APACHE_LINE, NGINX_LINE } from './test-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'trb-gen-'));
after(() => rmSync(root, { recursive: true, force: true }));

const text = (path: string): string => {
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
};
const linesOf = (s: string): string[] => s.split('\n').slice(0, -1);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const instant = (m: RegExpExecArray): number =>
  Date.UTC(Number(m[5]), MONTHS.indexOf(m[4]!), Number(m[3]), Number(m[6]), Number(m[7]), Number(m[8])) / 1000 -
  (m[9]!.startsWith('-') ? -1 : 1) * (Number(m[9]!.slice(1, 3)) * 60 + Number(m[9]!.slice(3))) * 60;

describe('generateDemoLogs', () => {
  it('writes Apache (+0100, with a rotated gzip part) and nginx (-0500) logs with exact counts', async () => {
    const dir = join(root, 'a');
    const r = await generateDemoLogs(dir, { lines: 20_001, seed: 9 });
    assert.deepEqual(r.files, [join(dir, 'apache/access.log.1.gz'), join(dir, 'apache/access.log'), join(dir, 'nginx/access.log')]);
    const [gz, live, nginx] = r.files.map((f) => linesOf(text(f)));
    assert.equal(gz!.length + live!.length + nginx!.length, 20_001);
    assert.equal(gz!.length + live!.length, 10_001);
    assert.equal(gz!.length, Math.round(10_001 * 0.4));
    assert.equal(r.parts.reduce((n, p) => n + p.lines, 0), 20_001);
    assert.equal(r.bytes, r.files.reduce((n, f) => n + Buffer.byteLength(text(f), 'latin1'), 0));
    const shaped = (l: string, re: RegExp): RegExpExecArray | null => (l.length <= 65_536 ? re.exec(l) : null);
    const a = [...gz!, ...live!].map((l) => shaped(l, APACHE_LINE)).filter((m) => m !== null);
    const n = nginx!.map((l) => shaped(l, NGINX_LINE)).filter((m) => m !== null);
    assert.ok(a.every((m) => m[9] === '+0100') && n.every((m) => m[9] === '-0500'));
    const times = a.map(instant);
    assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]!), 'Apache timeline continues from the rotated part');
    const malformed = MALFORMED_KINDS.reduce((s, k) => s + r.malformed[k.kind], 0);
    assert.equal(malformed, 20_001 - a.length - n.length);
  });

  it('splits files inside a block identically in-thread and on workers', async () => {
    const sums = async (d: string, workers: number): Promise<string[]> => {
      const r = await generateDemoLogs(join(root, d), { lines: 90_001, seed: 4, workers, rotatedShare: 0.37 });
      return r.files.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
    };
    assert.deepEqual(await sums('p0', 0), await sums('p2', 2));
  });

  it('is deterministic and honours format weights', async () => {
    const hash = async (d: string, seed: number): Promise<string[]> => {
      const r = await generateDemoLogs(join(root, d), { lines: 5_000, seed, formats: { apache_combined: 1, nginx_main: 3 } });
      return r.files.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
    };
    const [x, y, z] = [await hash('x', 1), await hash('y', 1), await hash('z', 2)];
    assert.deepEqual(x, y);
    assert.notDeepEqual(x, z);
    const r = await generateDemoLogs(join(root, 'w'), { lines: 4_000, formats: { apache_combined: 1, nginx_main: 3 } });
    assert.equal(r.parts.filter((p) => p.format === 'nginx_main')[0]!.lines, 3_000);
    const only = await generateDemoLogs(join(root, 'v'), { lines: 100, formats: { apache_combined: 0, nginx_main: 1 } });
    assert.deepEqual(only.files, [join(root, 'v', 'nginx/access.log')]);
  });
});
