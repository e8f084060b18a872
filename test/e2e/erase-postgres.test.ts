/**
 * `tributary erase` on a pipeline whose warehouse is the `postgres` sink, against the real
 * PostgreSQL of this machine (a fresh schema per test, dropped after; the password comes from the
 * vault through `${secret:...}`):
 * - `--ip`: a dry run counts the person's rows per table and changes nothing; the erasure deletes
 *   exactly them from requests, quarantine and security_events, other people's rows (the
 *   neighbour in the same /24 included) stay byte for byte, the touched partitions are rewritten
 *   by VACUUM FULL, the address and the person's visitor ids and pseudonyms are in no text column
 *   of any table afterwards, and the audit entry names neither;
 * - `--visitor`: one visitor id's rows go, nothing else;
 * - one transaction: a DELETE failing on one table leaves every table as it was;
 * - `--no-compact` leaves the vacuum owed, and the next erasure (finding nothing) does it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { ErasureReport } from '../../src/security/erase/erase-report.js';
import { cli } from './_cli.js';
import { erase, NEIGHBOUR, site, TARGET, type Site } from './_erase-site.js';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;
const FORMS = [TARGET, `::ffff:${TARGET}`];

/** A site whose only sink is PostgreSQL in a fresh schema, the password from the vault; `stages` as in the DuckDB tests. */
async function pgSite(name: string, stages: string): Promise<{ s: Site; schema: string; db: pg.Client; drop(): Promise<void> }> {
  const schema = `trb_erase_${name}_${randomBytes(4).toString('hex')}`;
  const db = new pg.Client(PG);
  await db.connect(); // fails loudly when PostgreSQL is not running
  const sinks = `  - id: pgw
    type: postgres
    connection: { host: ${PG.host}, port: ${PG.port}, database: ${PG.database}, user: ${PG.user} }
    password: \${secret:pg_warehouse}
    tls: { mode: disable }
    schema: ${schema}
`;
  const s = await site(`pg${name}`, stages, '', {
    sinks,
    prepare: async (dir) => {
      const r = await cli(['secrets', 'set', 'pg_warehouse', '--data-dir', join(dir, 'data')], 'not-needed-under-trust-auth\n');
      assert.equal(r.code, 0, r.stderr);
    },
  });
  return {
    s, schema, db,
    async drop() {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.end();
      s.cleanup();
    },
  };
}

const table = (r: ErasureReport, name: string) => r.warehouses[0]!.tables.find((t) => t.table === name)!;

/** Every base table (partitions included) of `schema` and every column of it stored as text. */
async function textColumns(db: pg.Client, schema: string): Promise<{ table: string; column: string }[]> {
  const r = await db.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE n.nspname = $1 AND c.relkind = 'r' AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'jsonb'::regtype, 'json'::regtype)`, [schema]);
  return r.rows;
}

/** Rows of any table of `schema` whose text columns contain one of `needles` (case-insensitive). */
async function occurrences(db: pg.Client, schema: string, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const { table: t, column } of await textColumns(db, schema)) {
    const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${t}" WHERE "${column}"::text ILIKE ANY ($1::text[])`,
      [needles.map((x) => `%${x}%`)]);
    if (Number(r.rows[0]!.n) > 0) found.push(`${t}.${column}: ${r.rows[0]!.n}`);
  }
  return found;
}

/** md5 of every base table's rows (partitions included): what a dry run or a rolled-back erasure must leave alone. */
async function fingerprint(db: pg.Client, schema: string): Promise<Record<string, string>> {
  const tables = await db.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`, [schema]);
  const out: Record<string, string> = {};
  for (const { relname } of tables.rows) {
    const r = await db.query<{ h: string | null; n: string }>(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h, count(*) AS n FROM "${schema}"."${relname}" t`);
    out[relname] = `${r.rows[0]!.n}:${r.rows[0]!.h ?? ''}`;
  }
  return out;
}

/** Counts of the person's rows (by address as read) and a hash of everybody else's request rows. */
async function facts(db: pg.Client, schema: string): Promise<{ mine: number; neighbour: number; total: number; othersHash: string; quarantineMine: number }> {
  const r = await db.query(`SELECT
    (SELECT count(*) FROM "${schema}".requests WHERE client_ip = ANY($1)) AS mine,
    (SELECT count(*) FROM "${schema}".requests WHERE client_ip = $2) AS neighbour,
    (SELECT count(*) FROM "${schema}".requests) AS total,
    (SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM "${schema}".requests t WHERE client_ip IS NULL OR client_ip <> ALL($1)) AS others,
    (SELECT count(*) FROM "${schema}".quarantine WHERE raw ILIKE $3) AS qmine`, [FORMS, NEIGHBOUR, `%${TARGET}%`]);
  const row = r.rows[0] as Record<string, string>;
  return { mine: Number(row.mine), neighbour: Number(row.neighbour), total: Number(row.total), othersHash: row.others!, quarantineMine: Number(row.qmine) };
}

/** relfilenode per partition of requests: VACUUM FULL gives a rewritten partition a new one. */
async function fileNodes(db: pg.Client, schema: string): Promise<Map<string, number>> {
  const r = await db.query<{ relname: string; relfilenode: number }>(
    `SELECT c.relname, c.relfilenode FROM pg_partition_tree($1::regclass) p JOIN pg_class c ON c.oid = p.relid WHERE p.isleaf`, [`"${schema}".requests`]);
  return new Map(r.rows.map((x) => [x.relname, x.relfilenode]));
}

describe('erase on a PostgreSQL warehouse: --ip, sessions and behaviour', { concurrency: 1 }, () => {
  let site0: Awaited<ReturnType<typeof pgSite>>;
  let s: Site;
  let schema: string;
  let db: pg.Client;
  before(async () => {
    site0 = await pgSite('ip', '  - type: sessions\n  - type: behavior\n');
    ({ s, schema, db } = site0);
  });
  after(async () => { await site0?.drop(); });

  it('a dry run counts per table and changes nothing; the erasure deletes exactly the person\'s rows in one go and vacuums the touched partitions', async () => {
    const f0 = await facts(db, schema);
    assert.equal(f0.mine, 43);
    assert.equal(f0.neighbour, 5);
    assert.equal(f0.quarantineMine, 2);
    const events = Number((await db.query(`SELECT count(*) AS n FROM "${schema}".security_events WHERE source_offset = ANY($1)`, [s.offsets])).rows[0].n);
    assert.ok(events >= 1, 'the 404 burst raised a security event');
    const visitorIds = (await db.query<{ v: string }>(`SELECT DISTINCT visitor_id AS v FROM "${schema}".requests WHERE client_ip = ANY($1)`, [FORMS])).rows.map((x) => x.v);
    const clientIds = (await db.query<{ v: string }>(`SELECT DISTINCT client_id AS v FROM "${schema}".requests WHERE client_ip = ANY($1)`, [FORMS])).rows.map((x) => x.v);
    assert.ok(visitorIds.length >= 2 && clientIds.length >= 1);

    const snap = await fingerprint(db, schema);
    const dry = await erase(s, '--ip', TARGET, '--dry-run');
    assert.equal(dry.applied, false);
    assert.equal(dry.warehouses.length, 1);
    assert.match(dry.warehouses[0]!.path, new RegExp(`^postgres://127\\.0\\.0\\.1:5432/test#${schema}$`));
    assert.deepEqual([table(dry, 'requests').matched, table(dry, 'quarantine').matched, table(dry, 'security_events').matched], [43, 2, events]);
    assert.deepEqual({ ...table(dry, 'requests').byColumn }, { client_ip: 43, client_id: 43, visitor_id: 43 });
    assert.equal(dry.warehouses[0]!.compaction, 'not_needed');
    assert.deepEqual(await fingerprint(db, schema), snap, 'a dry run changes no row');

    const nodes0 = await fileNodes(db, schema);
    const r = await erase(s, '--ip', TARGET, '--yes');
    assert.equal(r.applied, true);
    assert.deepEqual([table(r, 'requests').deleted, table(r, 'quarantine').deleted, table(r, 'security_events').deleted], [43, 2, events]);
    assert.equal(r.warehouses[0]!.compaction, 'done');
    const f1 = await facts(db, schema);
    assert.deepEqual(f1, { ...f0, mine: 0, quarantineMine: 0, total: f0.total - 43 }, 'other people\'s rows (the neighbour in the /24 too) are untouched');

    // The person's rows were on 2026-11-08 and 2026-11-09: exactly those partitions were rewritten.
    const nodes1 = await fileNodes(db, schema);
    const rewritten = [...nodes0].filter(([name, node]) => nodes1.get(name) !== node).map(([name]) => name).sort();
    assert.deepEqual(rewritten, ['requests_p20261108', 'requests_p20261109']);

    assert.deepEqual(await occurrences(db, schema, [TARGET, ...visitorIds, ...clientIds]), [], 'the address, visitor ids and pseudonyms are in no text column');
    const again = await erase(s, '--ip', TARGET, '--dry-run');
    assert.equal(again.totals.warehouseRows, 0);
  });

  it('is audited with counts per table and a keyed pseudonym, never the address', async () => {
    const found = await cli(['audit', 'search', '--action', 'erase', '--data-dir', s.data, '--json']);
    assert.equal(found.code, 0, found.stderr);
    assert.ok(!found.stdout.includes(TARGET));
    const mirror = readFileSync(join(s.data, 'audit', 'audit.jsonl'), 'utf8');
    assert.ok(!mirror.includes(TARGET), 'the audit log never holds the address');
    const ok = mirror.trim().split('\n').map((l) => JSON.parse(l) as { action: string; outcome: string; details?: { dryRun?: boolean; warehouse?: Record<string, number> } })
      .filter((e) => e.action === 'erase' && e.outcome === 'ok' && e.details?.dryRun === false);
    assert.equal(ok.length, 1);
    assert.equal(ok[0]!.details!.warehouse!['pgw.requests'], 43);
  });

  it('--visitor erases one visitor id\'s rows and nothing else', async () => {
    const [v] = (await db.query<{ v: string; n: string }>(
      `SELECT visitor_id AS v, count(*) AS n FROM "${schema}".requests WHERE client_ip = $1 GROUP BY 1 ORDER BY 2 DESC LIMIT 1`, [NEIGHBOUR])).rows;
    const total = Number((await db.query(`SELECT count(*) AS n FROM "${schema}".requests`)).rows[0].n);
    const others = (await db.query(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM "${schema}".requests t WHERE visitor_id IS DISTINCT FROM $1`, [v!.v])).rows[0].h;
    const r = await erase(s, '--visitor', v!.v, '--yes');
    assert.equal(table(r, 'requests').deleted, Number(v!.n));
    assert.equal(Number((await db.query(`SELECT count(*) AS n FROM "${schema}".requests`)).rows[0].n), total - Number(v!.n));
    assert.equal((await db.query(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM "${schema}".requests t`)).rows[0].h, others);
    assert.deepEqual(await occurrences(db, schema, [v!.v]), []);
  });
});

describe('erase on a PostgreSQL warehouse: one transaction, and --no-compact', { concurrency: 1 }, () => {
  let site0: Awaited<ReturnType<typeof pgSite>>;
  before(async () => { site0 = await pgSite('tx', '  - type: behavior\n'); });
  after(async () => { await site0?.drop(); });

  it('a DELETE failing on one table rolls back every table; --no-compact leaves the vacuum owed until the next erasure', async () => {
    const { s, schema, db } = site0;
    const snap = await fingerprint(db, schema);
    // The quarantine refuses deletes: the requests already deleted in the same transaction must come back.
    await db.query(`CREATE FUNCTION "${schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$`);
    await db.query(`CREATE TRIGGER refuse BEFORE DELETE ON "${schema}".quarantine FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse()`);
    const failed = await cli(['erase', s.file, '--ip', TARGET, '--yes']);
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr + failed.stdout, /TRB_ERASE_WAREHOUSE_FAILED[^]*rolled back/);
    assert.ok(!failed.stderr.includes(TARGET) && !failed.stdout.includes(TARGET));
    assert.deepEqual(await fingerprint(db, schema), snap, 'all tables or none');
    await db.query(`DROP TRIGGER refuse ON "${schema}".quarantine`);

    const nodes0 = await fileNodes(db, schema);
    const r = await erase(s, '--ip', TARGET, '--yes', '--no-compact');
    assert.equal(table(r, 'requests').deleted, 43);
    assert.equal(r.warehouses[0]!.compaction, 'pending');
    assert.ok(r.notes.some((n) => /compacted/.test(n)), r.notes.join('\n'));
    assert.deepEqual(await fileNodes(db, schema), nodes0, 'no partition rewritten');
    assert.ok(existsSync(join(s.data, 'pgw.postgres.erase-compact')));

    const next = await erase(s, '--ip', TARGET, '--yes');
    assert.equal(next.totals.warehouseRows, 0);
    assert.equal(next.warehouses[0]!.compaction, 'done');
    const nodes1 = await fileNodes(db, schema);
    assert.ok([...nodes0].every(([name, node]) => nodes1.get(name) !== node), 'the owed vacuum rewrote every partition');
    assert.ok(!existsSync(join(s.data, 'pgw.postgres.erase-compact')));
    assert.deepEqual(await occurrences(db, schema, [TARGET]), []);
  });
});
