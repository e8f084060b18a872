/**
 * Matching one person's rows in a table, end to end on a real (in-memory) DuckDB: every identifier
 * form erasure knows (raw and IPv4-mapped addresses, pseudonyms of two epochs, encrypted tokens,
 * X-Forwarded-For lists, client_id, visitor ids recomputed with VisitorIds under two key versions,
 * quarantined raw lines in clear and encrypted) against rows that must NOT match (neighbours in the
 * same truncated /24, other addresses, undecryptable tokens, NULLs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { connectUtc } from '../../sinks/_shared/duckdb-values.js';
import { quoteLiteral } from '../../sinks/_shared/sql.js';
import { pseudonym } from '../../stages/privacy/pseudonym.js';
import { stageSpecs } from '../../engine/stage-registry.js';
import { DAY1, DAY2, IP, keys, ps1, RAW, ROWS, TRUNCATING, v1, v2, vid } from '../../../test/helpers/erase-match-fixture.js';
import { parseEraseSubject } from './erase-subject.js';
import { relationColumns, type EraseRelation } from './erase-relation.js';
import { readIdentifierPolicies } from './identifier-policies.js';
import { MatchValues } from './match-values.js';
import { countRelation, relationPredicate } from './relation-predicate.js';
import { findVisitorIds, scanRelation } from './scan-relation.js';
import { resolveSubjectIdentifiers, type SubjectIdentifiers } from './subject-identifiers.js';
import { TokenOpener } from './token-opener.js';
import { VisitorMatcher } from './visitor-matcher.js';

let db: DuckDBInstance;
let conn: DuckDBConnection;
let rel: EraseRelation;
let quarantine: EraseRelation;

before(async () => {
  db = await DuckDBInstance.create(':memory:');
  conn = await connectUtc(db);
  await conn.run('CREATE TABLE t (label VARCHAR, client_ip VARCHAR, x_forwarded_for VARCHAR, client_id VARCHAR, visitor_id VARCHAR, user_agent VARCHAR, ts TIMESTAMP)');
  for (const r of ROWS) {
    const v = (x: string | null): string => (x === null ? 'NULL' : quoteLiteral(x));
    await conn.run(`INSERT INTO t VALUES (${r.slice(0, 6).map((x) => v(x as string | null)).join(', ')}, TIMESTAMP '${r[6]} 12:00:00')`);
  }
  await conn.run('CREATE TABLE q (raw VARCHAR, code VARCHAR)');
  for (const [raw] of RAW) await conn.run(`INSERT INTO q VALUES (${raw === null ? 'NULL' : quoteLiteral(raw)}, 'parse_failed')`);
  rel = { key: 'r0', label: 't', from: 't', columns: await relationColumns(conn, 't'), datasets: ['t'] };
  quarantine = { key: 'r1', label: 'q', from: 'q', columns: await relationColumns(conn, 'q'), datasets: ['q', 'quarantine'] };
});
after(() => { conn.disconnectSync(); db.closeSync(); });

/** Files the subject's values, scans both relations, recomputes visitor ids; returns the match SQL per relation. */
async function prepare(ids: SubjectIdentifiers): Promise<{ values: MatchValues; opener: TokenOpener; visitorIds: Set<string> }> {
  const values = await MatchValues.create(conn);
  for (const [column, v] of Object.entries(ids.exact)) await values.add(`*:${column}`, v);
  await values.add('*:truncated', ids.truncated);
  if (ids.linePattern !== undefined) await values.setPattern(ids.linePattern);
  const opener = new TokenOpener(keys, ['requests']);
  for (const r of [rel, quarantine]) await scanRelation(conn, r, ids, values, opener);
  const visitorIds = ids.subject.kind === 'ip'
    ? (await findVisitorIds(conn, rel, values, new VisitorMatcher(ids.visitorKeys.map((k) => k.material), ids.ipForms))) ?? new Set<string>()
    : new Set<string>();
  await values.add('*:visitor_id', visitorIds);
  return { values, opener, visitorIds };
}

const labels = async (sql: string): Promise<string[]> => (await conn.runAndReadAll(sql)).getRows().map((r) => String(r[0]));

describe('matching a person by address', () => {
  it('matches exactly the person\'s rows, by every identifier, and counts what it cannot attribute', async () => {
    const ids = await resolveSubjectIdentifiers(parseEraseSubject({ ip: IP }), TRUNCATING, keys);
    const { values, opener, visitorIds } = await prepare(ids);
    assert.equal(visitorIds.size, 2, 'one id per visitor-day, under both key versions');
    assert.equal(opener.failed, 1, 'the token bound to an unknown dataset cannot be opened');
    const p = relationPredicate(rel, ids, values);
    assert.deepEqual(await labels(`SELECT label FROM t WHERE ${p.match} ORDER BY label`), ROWS.filter((r) => r[7]).map((r) => r[0]).sort());
    const c = await countRelation(conn, rel, p);
    assert.deepEqual({ ...c, byColumn: { ...c.byColumn } }, {
      rows: ROWS.length, matched: ROWS.filter((r) => r[7]).length, shared: 2,
      byColumn: { client_ip: 5, client_id: 1, visitor_id: 2, x_forwarded_for: 1 },
    });
    // What a rewrite keeps: every other row, including the all-NULL one (NOT of a NULL test would drop it).
    assert.deepEqual(await labels(`SELECT label FROM t WHERE NOT ${p.match} ORDER BY label`), ROWS.filter((r) => !r[7]).map((r) => r[0]).sort());
    const q = relationPredicate(quarantine, ids, values);
    for (const sql of [p.match, p.shared ?? '', q.match]) assert.ok(!sql.includes('203') && !sql.includes('ps1_'), 'no personal value is part of an SQL text (DuckDB may quote it in an error)');
    assert.deepEqual((await countRelation(conn, quarantine, q)).matched, RAW.filter((r) => r[1]).length);
    assert.equal((await conn.runAndReadAll(`SELECT count(*) FROM q WHERE NOT ${q.match}`)).getRows()[0]![0], 2n);
  });

  it('an address with no host bits is not erased where the pipeline truncates (it cannot be told from its /24)', async () => {
    const ids = await resolveSubjectIdentifiers(parseEraseSubject({ ip: '203.0.113.0' }), TRUNCATING, keys);
    assert.equal(ids.matchesAddress('203.0.113.0'), false);
    const plain = await resolveSubjectIdentifiers(parseEraseSubject({ ip: '203.0.113.0' }), { ...TRUNCATING, clientIp: [], truncations: [] }, keys);
    assert.equal(plain.matchesAddress('203.0.113.0'), true, 'without truncation a stored .0 is that host');
  });
});

describe('visitor ids behind trusted proxies', () => {
  it('client_ip shows the proxy: only a scan of every row finds the id computed from X-Forwarded-For', async () => {
    await conn.run(`CREATE TABLE p AS SELECT '10.0.0.5' AS client_ip, ${quoteLiteral(vid(v1.material, IP, 'UA-9', DAY1))} AS visitor_id, 'UA-9' AS user_agent, TIMESTAMP '${DAY1} 08:00:00' AS ts`);
    const proxied: EraseRelation = { key: 'r2', label: 'p', from: 'p', columns: await relationColumns(conn, 'p'), datasets: ['p'] };
    const ids = await resolveSubjectIdentifiers(parseEraseSubject({ ip: IP }), TRUNCATING, keys);
    const { values } = await prepare(ids);
    const matcher = new VisitorMatcher(ids.visitorKeys.map((k) => k.material), ids.ipForms);
    assert.equal((await findVisitorIds(conn, proxied, values, matcher))?.size, 0);
    assert.equal((await findVisitorIds(conn, proxied, values, matcher, true))?.size, 1);
  });
});

describe('matching by --visitor', () => {
  it('a visitor id matches visitor_id only; a pseudonym matches client_ip and client_id', async () => {
    const id = vid(v1.material, IP, 'UA-1', DAY1);
    const byId = await resolveSubjectIdentifiers(parseEraseSubject({ visitor: id }), TRUNCATING, keys);
    let { values } = await prepare(byId);
    assert.deepEqual(await labels(`SELECT label FROM t WHERE ${relationPredicate(rel, byId, values).match}`), ['dropped ip, visitor id (key v1)']);
    assert.equal(relationPredicate(quarantine, byId, values).match, 'false', 'raw lines hold addresses, not ids');
    const ps = pseudonym(ps1.material, 1, 'client_ip', IP);
    const byPs = await resolveSubjectIdentifiers(parseEraseSubject({ visitor: ps }), TRUNCATING, keys);
    ({ values } = await prepare(byPs));
    assert.deepEqual(await labels(`SELECT label FROM t WHERE ${relationPredicate(rel, byPs, values).match} ORDER BY label`), ['client_id', 'pseudonym epoch 1']);
  });
});

describe('VisitorMatcher', () => {
  it('recomputes ids for every key version and address form, exactly', () => {
    const m = new VisitorMatcher([v1.material, v2.material], ['203.0.113.7', '::ffff:203.0.113.7']);
    assert.ok(m.usable);
    assert.ok(m.matches(vid(v1.material, IP, 'UA', DAY1), 'UA', DAY1));
    assert.ok(m.matches(vid(v2.material, `::ffff:${IP}`, 'UA', DAY1), 'UA', DAY1), 'the form the log wrote');
    assert.ok(m.matches(vid(v1.material, IP, null, DAY1), null, DAY1), 'a missing agent hashes as empty');
    assert.ok(!m.matches(vid(v1.material, IP, 'UA', DAY1), 'UA', DAY2), 'another day is another id');
    assert.ok(!m.matches(vid(v1.material, IP, 'UA', DAY1), 'UA2', DAY1));
    assert.ok(!m.matches(vid(v1.material, '203.0.113.8', 'UA', DAY1), 'UA', DAY1));
    assert.ok(!m.matches(vid(keys.rotate('other', 'hmac').material, IP, 'UA', DAY1), 'UA', DAY1), 'another key');
    assert.equal(new VisitorMatcher([], [IP]).usable, false);
  });
});

describe('readIdentifierPolicies', () => {
  it('reads truncation prefixes, pseudonym and visitor keys, token datasets and agent policies from stage options', () => {
    const p = readIdentifierPolicies([
      { id: 'parse', type: 'parse' },
      { id: 'privacy', type: 'privacy', fields: { client_ip: { policy: 'truncate', ipv4_prefix: 16 }, user: 'pseudonymize' }, pseudonym_key: 'ps_web' },
      { id: 'encrypt', type: 'encrypt', fields: ['user_agent'], dataset: 'web' },
    ], stageSpecs);
    assert.equal(readIdentifierPolicies([{ id: 'sessions', type: 'sessions', trusted_proxies: ['10.0.0.0/8'], visitor_key: 'vk' }], stageSpecs).behindProxies, true);
    assert.deepEqual(readIdentifierPolicies([{ id: 'sessions', type: 'sessions', visitor_key: 'vk' }], stageSpecs).visitorKeys, ['vk', 'visitors']);
    assert.deepEqual(p, {
      clientIp: ['truncate'], truncations: [{ ipv4: 16, ipv6: 48 }], userAgent: ['encrypt'],
      pseudonymKeys: ['ps_web', 'pseudonyms'], visitorKeys: ['visitors'], tokenDatasets: ['web'], behindProxies: false, outputDatasets: [],
    });
    assert.deepEqual(readIdentifierPolicies([{ id: 'behavior', type: 'behavior' }], stageSpecs).outputDatasets, ['security_events']);
  });
});
