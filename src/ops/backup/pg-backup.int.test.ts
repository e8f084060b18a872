/**
 * The PostgreSQL warehouse path against the real server: a scratch schema (a partitioned table, an
 * index, a view) is dumped by `createBackup({ postgres })` into an encrypted member, dropped, and
 * brought back by `restoreBackup({ postgres })`; row counts and content hashes match, the backup's
 * files hold no plaintext value of the table, and without a target the dump is only verified.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openDeployment } from '../../engine/bootstrap.js';
import { filesUnder } from '../../../test/helpers/data-files.js';
import { requireService } from '../../../test/helpers/services.js';
import { createBackup } from './create-backup.js';
import { restoreBackup } from './restore-backup.js';

const SECRET_VALUE = '198.51.100.77';

async function facts(client: pg.Client, schema: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['requests', 'daily']) {
    const r = await client.query(`SELECT count(*)::text AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${schema}".${t} x`);
    out[t] = `${r.rows[0].n}:${r.rows[0].h}`;
  }
  return out;
}

describe('backup --postgres [postgresql]', () => {
  it('dumps a schema encrypted, restores it after a drop, and the data is equal', async (t) => {
    const url = await requireService(t, 'postgresql');
    if (url === null) return;
    const work = mkdtempSync(join(tmpdir(), 'trb-pg-backup-'));
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: join(work, 'config') };
    for (const k of Object.keys(env)) if (k.startsWith('TRIBUTARY_')) delete env[k];
    const schema = `trb_bk_${randomBytes(5).toString('hex')}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.after(async () => {
      try { await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await client.end(); }
      rmSync(work, { recursive: true, force: true });
    });
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`CREATE TABLE "${schema}".requests (id bigint, day date, client_ip text, status int, PRIMARY KEY (id, day)) PARTITION BY RANGE (day)`);
    await client.query(`CREATE TABLE "${schema}".requests_d1 PARTITION OF "${schema}".requests FOR VALUES FROM ('2026-11-01') TO ('2026-11-02')`);
    await client.query(`CREATE TABLE "${schema}".requests_d2 PARTITION OF "${schema}".requests FOR VALUES FROM ('2026-11-02') TO ('2026-11-03')`);
    await client.query(`INSERT INTO "${schema}".requests SELECT g, DATE '2026-11-01' + (g % 2), CASE WHEN g = 7 THEN '${SECRET_VALUE}' ELSE '10.0.' || (g % 250) || '.1' END, 200 + (g % 3) * 100 FROM generate_series(1, 5000) g`);
    await client.query(`CREATE INDEX ON "${schema}".requests (status)`);
    await client.query(`CREATE VIEW "${schema}".daily AS SELECT day, status, count(*) AS n FROM "${schema}".requests GROUP BY 1, 2`);
    const before = await facts(client, schema);

    const data = join(work, 'data');
    await (await openDeployment(data, env)).close();
    const out = join(work, 'backup');
    const b = await createBackup({ dataDir: data, out, postgres: { url, schema }, env });
    assert.equal(b.path, out);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { members: { role: string; name: string }[] };
    const dump = manifest.members.find((m) => m.role === 'postgres-dump');
    assert.ok(dump, 'the dump is a member');
    assert.match(dump.name, new RegExp(`#${schema}$`));
    for (const f of filesUnder(out)) assert.ok(!readFileSync(f).includes(SECRET_VALUE), `${f} holds a table value in plaintext`);

    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    const verifyOnly = await restoreBackup({ backup: out, dataDir: join(work, 'r1'), env });
    assert.deepEqual(verifyOnly.postgres.verifiedOnly, [dump.name.slice('postgres-dump:'.length)]);
    assert.equal((await client.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [schema])).rows[0].n, 0, 'not loaded without --postgres');

    const r = await restoreBackup({ backup: out, dataDir: join(work, 'r2'), env, postgres: { url } });
    assert.equal(r.postgres.restored.length, 1);
    assert.deepEqual(await facts(client, schema), before);
    const parts = await client.query(`SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind = 'p'`, [schema]);
    assert.equal(parts.rows[0].n, 2, 'both partitions are back');
  });
});
