import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { IpPrefixTree } from './ip-prefix-tree.js';
import { parseReputationList, ReputationList } from './reputation-list.js';
import { ThreatConfig, ThreatStage, threatStageSpec } from './index.js';

describe('IP prefix tree', () => {
  it('finds the longest matching prefix over IPv4, IPv6 and IPv4-mapped addresses', () => {
    const t = new IpPrefixTree<string>();
    for (const [c, v] of [['10.0.0.0/8', 'ten'], ['10.1.0.0/16', 'ten-one'], ['203.0.113.7', 'host'], ['2001:db8::/32', 'doc6'], ['0.0.0.0/0', 'any4']] as const) assert.ok(t.insert(c, v));
    assert.equal(t.insert('not/a/cidr', 'x'), false);
    assert.deepEqual(['10.2.3.4', '10.1.9.9', '203.0.113.7', '203.0.113.8', '::ffff:10.1.0.1', '2001:db8:1::1', '2001:db9::1', 'junk'].map((ip) => t.lookup(ip)),
      ['ten', 'ten-one', 'host', 'any4', 'ten-one', 'doc6', undefined, undefined]);
    assert.equal(t.size, 5);
  });

  it('property: agrees with a linear scan of the same networks', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })), { minLength: 1, maxLength: 30 }), fc.array(fc.ipV4(), { minLength: 1, maxLength: 20 }), (nets, ips) => {
      const t = new IpPrefixTree<number>();
      const toInt = (ip: string): number => ip.split('.').reduce((a, b) => (a * 256) + Number(b), 0);
      nets.forEach(([ip, len], i) => t.insert(`${ip}/${len}`, i));
      for (const ip of ips) {
        let best: number | undefined;
        let bestLen = -1;
        nets.forEach(([net, len], i) => {
          const mask = len === 0 ? 0 : 2 ** 32 - 2 ** (32 - len);
          if (len >= bestLen && Math.floor(toInt(net) / 2 ** (32 - len)) === Math.floor(toInt(ip) / 2 ** (32 - len)) && mask >= 0) { best = i; bestLen = len; }
        });
        const got = t.lookup(ip);
        if (best === undefined) assert.equal(got, undefined);
        else assert.equal(nets[got as number]![1], bestLen, `${ip}: expected a /${bestLen} match`);
      }
    }));
  });
});

describe('reputation lists', () => {
  it('reads plain/netset and CSV-with-score formats', () => {
    const netset = parseReputationList('# FireHOL level1\n; comment\n192.0.2.0/24\n198.51.100.7 # inline\n\n2001:db8:bad::/48\n', 'fh', 60, 'x.netset');
    assert.deepEqual([netset.lookup('192.0.2.9'), netset.lookup('198.51.100.7'), netset.lookup('2001:db8:bad::1'), netset.lookup('8.8.8.8')],
      [{ list: 'fh', score: 60 }, { list: 'fh', score: 60 }, { list: 'fh', score: 60 }, undefined]);
    const csv = parseReputationList('ip,score,comment\n203.0.113.0/24,90,"botnet"\n"198.51.100.1",15,spam\n', 'feed', 50, 'x.csv');
    assert.deepEqual([csv.lookup('203.0.113.5')?.score, csv.lookup('198.51.100.1')?.score], [90, 15]);
    assert.throws(() => parseReputationList('ip,score\n1.2.3.4,high\n', 'bad', 50, 'bad.csv'), /score/);
  });

  it('scores listed clients in the threat stage and re-reads a replaced list', async (t) => {
    const dir = tmpDir(t);
    const file = join(dir, 'list.netset');
    writeFileSync(file, '192.0.2.0/24\n');
    const s = threatStageSpec.create('threat', ThreatConfig.parse({ reputation_lists: [{ name: 'local', file, score: 40 }], reload_check_secs: 0 })) as ThreatStage;
    const rec: Record<string, unknown> & { source_line: number; source_offset: number } = { client_ip: '192.0.2.55', path: '/', query: null, user_agent: 'Mozilla/5.0', referer: null, source_line: 1, source_offset: 0 };
    s.process({ meta: { source: 's', uri: 'u', stream: 'st' }, records: [rec], raws: [''] }, {} as never);
    assert.deepEqual([rec['threat_score'], rec['threat_tags'], rec['threat_rules']], [40, 'reputation', 'list.local']);
    const list = new ReputationList(file, 'local', 40, 1);
    writeFileSync(join(dir, 'next'), '198.51.100.0/24\n');
    renameSync(join(dir, 'next'), file);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    assert.equal(list.maybeReload(Date.now() + 10), true);
    assert.deepEqual([list.lookup('192.0.2.55'), list.lookup('198.51.100.9')?.list], [undefined, 'local']);
    assert.throws(() => new ReputationList(join(dir, 'missing.netset'), 'x', 50, 0), (e: Error & { code?: string }) => e.code === 'TRB_CONFIG_INVALID' && /missing\.netset/.test(e.message));
  });
});
