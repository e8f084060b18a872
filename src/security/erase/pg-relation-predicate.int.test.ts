/**
 * Integration (real PostgreSQL): the person's rows are matched on a PostgreSQL warehouse exactly as
 * on DuckDB — the same fixture as relation-predicate.test.ts (every identifier form, and rows that
 * must not match) in a fresh schema, scanned, matched and counted through the PostgreSQL reader and
 * match values.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { dropSchema, freshSchemaName, postgresUrl } from '../../../test/helpers/postgres.js';
import { IP, keys, ps1, RAW, ROWS, TRUNCATING, v1, vid } from '../../../test/helpers/erase-match-fixture.js';
import { pseudonym } from '../../stages/privacy/pseudonym.js';
import { qualified } from '../../sinks/postgres/pg-sql.js';
import type { EraseRelation } from './erase-relation.js';
import { parseEraseSubject } from './erase-subject.js';
import { PgMatchValues } from './pg-match-values.js';
import { countRelation, relationPredicate } from './relation-predicate.js';
import { postgresReader } from './row-reader.js';
import { findVisitorIds, scanRelation } from './scan-relation.js';
import { resolveSubjectIdentifiers, type SubjectIdentifiers } from './subject-identifiers.js';
import { TokenOpener } from './token-opener.js';
import { VisitorMatcher } from './visitor-matcher.js';

let url: string;
let schema: string;
let client: pg.Client;
let rel: EraseRelation;
let quarantine: EraseRelation;

before(async () => {
  url = await postgresUrl();
  schema = freshSchemaName();
  client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  const t = qualified(schema, 't');
  const q = qualified(schema, 'q');
  await client.query(`CREATE TABLE ${t} (label text, client_ip text, x_forwarded_for text, client_id text, visitor_id text, user_agent text, ts timestamptz)`);
  for (const r of ROWS) await client.query(`INSERT INTO ${t} VALUES ($1, $2, $3, $4, $5, $6, $7::date + time '12:00')`, [...r.slice(0, 7)]);
  await client.query(`CREATE TABLE ${q} (raw text, code text)`);
  for (const [raw] of RAW) await client.query(`INSERT INTO ${q} VALUES ($1, 'parse_failed')`, [raw]);
  const cols = ['label', 'client_ip', 'x_forwarded_for', 'client_id', 'visitor_id', 'user_agent', 'ts'];
  rel = { key: 'pg.t', label: 't', from: t, columns: new Set(cols), datasets: ['t'] };
  quarantine = { key: 'pg.q', label: 'q', from: q, columns: new Set(['raw', 'code']), datasets: ['q', 'quarantine'] };
});
after(async () => {
  await client?.end();
  if (schema) await dropSchema(url, schema);
});

async function prepare(ids: SubjectIdentifiers): Promise<PgMatchValues> {
  const values = await PgMatchValues.create(client);
  for (const [column, v] of Object.entries(ids.exact)) await values.add(`*:${column}`, v);
  await values.add('*:truncated', ids.truncated);
  if (ids.linePattern !== undefined) await values.setPattern(ids.linePattern);
  const reader = postgresReader(client);
  for (const r of [rel, quarantine]) await scanRelation(reader, r, ids, values, new TokenOpener(keys, ['requests']));
  if (ids.subject.kind === 'ip') {
    await values.add('*:visitor_id', await findVisitorIds(reader, rel, values, new VisitorMatcher(ids.visitorKeys.map((k) => k.material), ids.ipForms)) ?? []);
  }
  return values;
}

const labels = async (where: string): Promise<string[]> =>
  (await client.query<{ label: string }>(`SELECT label FROM ${rel.from} WHERE ${where} ORDER BY label COLLATE "C"`)).rows.map((r) => r.label);
const sorted = (xs: string[]): string[] => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('matching a person on PostgreSQL (integration)', () => {
  it('by address: exactly the rows DuckDB matches, by every identifier, with the same counts', async () => {
    const ids = await resolveSubjectIdentifiers(parseEraseSubject({ ip: IP }), TRUNCATING, keys);
    const values = await prepare(ids);
    const p = relationPredicate(rel, ids, values);
    assert.deepEqual(await labels(p.match), sorted(ROWS.filter((r) => r[7]).map((r) => r[0])));
    assert.deepEqual(await labels(`NOT ${p.match}`), sorted(ROWS.filter((r) => !r[7]).map((r) => r[0])), 'NOT keeps the all-NULL row');
    const c = await countRelation(postgresReader(client), rel, p);
    assert.deepEqual({ ...c, byColumn: { ...c.byColumn } }, {
      rows: ROWS.length, matched: ROWS.filter((r) => r[7]).length, shared: 2,
      byColumn: { client_ip: 5, client_id: 1, visitor_id: 2, x_forwarded_for: 1 },
    });
    const q = relationPredicate(quarantine, ids, values);
    assert.equal((await countRelation(postgresReader(client), quarantine, q)).matched, RAW.filter((r) => r[1]).length);
    for (const sql of [p.match, p.shared ?? '', q.match]) assert.ok(!sql.includes('203') && !sql.includes('ps1_'), 'no personal value is part of an SQL text');
  });

  it('by visitor id and by pseudonym', async () => {
    const id = vid(v1.material, IP, 'UA-1', '2026-11-01');
    const byId = await resolveSubjectIdentifiers(parseEraseSubject({ visitor: id }), TRUNCATING, keys);
    assert.deepEqual(await labels(relationPredicate(rel, byId, await prepare(byId)).match), ['dropped ip, visitor id (key v1)']);
    const byPs = await resolveSubjectIdentifiers(parseEraseSubject({ visitor: pseudonym(ps1.material, 1, 'client_ip', IP) }), TRUNCATING, keys);
    assert.deepEqual(await labels(relationPredicate(rel, byPs, await prepare(byPs)).match), ['client_id', 'pseudonym epoch 1']);
  });
});
