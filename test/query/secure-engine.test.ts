/**
 * The secure DuckDB engine against a real warehouse built by a pipeline run: the permission matrix
 * (every built-in role × every dataset, masking of every personal column), custom roles with column
 * grants and row filters, the hardening of the instance, limits, streaming, prepared statements and
 * the audit trail. Bypass attempts are in secure-engine-bypass.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecureDuckdbEngine } from '../../src/query/secure-duckdb-engine.js';
import { MASK_TEXT } from '../../src/query/secure-views.js';
import type { Cell, QueryEngine } from '../../src/query/query-engine.js';
import type { AuditEvent } from '../../src/security/audit/audit-trail.js';
import { PERMISSIONS, type Identity, type Permission } from '../../src/security/identity/identity.js';
import { BUILTIN_ROLE_NAMES } from '../../src/security/rbac/builtin-roles.js';
import { parseRolesText } from '../../src/security/rbac/load-roles.js';
import { rolePermissions, type RoleSet } from '../../src/security/rbac/role-set.js';
import { isFieldToken } from '../../src/security/crypto/field-cipher.js';
import { buildRbacWarehouse, type RbacWarehouse } from '../helpers/rbac-warehouse.js';

const ROLES_YAML = `roles:
  shop:
    extends: analyst
    description: requests below 500 only, a few columns
    datasets:
      requests:
        columns: [ts, method, path, status, bytes_sent, user_agent]
        row_filter: "status < 500"
  shop_pii:
    extends: security
    datasets:
      requests:
        row_filter: "status < 500"
  office:
    extends: analyst
    allowed_cidrs: [10.0.0.0/8]
`;

/** What each built-in role may query (explicit, not computed from the grants). */
const ANALYTIC = ['requests', 'sessions', 'requests_per_hour', 'top_paths', 'status_mix', 'top_clients', 'fact_requests',
  'dim_date', 'dim_endpoint', 'dim_geo', 'dim_referrer', 'dim_user_agent', 'dim_visitor', 'rollup_requests_day',
  'rollup_requests_hour', 'rollup_requests_minute', 'bots_day', 'endpoint_performance_day', 'entry_exit_pages_day',
  'not_found_day', 'referrers_day', 'search_keywords_day', 'sessions_day', 'visitor_days', 'visitor_geo_days'];
const SECURITY = ['security_events', 'security_events_day', 'stg_security_events', 'bots_day', 'not_found_day', 'requests',
  'top_clients', 'fact_requests', 'quarantine', 'quarantine_by_reason'];

let w: RbacWarehouse;
let engine: SecureDuckdbEngine;
let roles: RoleSet;
let datasets: string[];
const audit: AuditEvent[] = [];

const who = (role: string, opts: { permissions?: readonly Permission[]; address?: string } = {}): Identity => ({
  subject: `user:${role}`, role, method: 'local',
  permissions: new Set(opts.permissions ?? rolePermissions(role, roles)),
  ...(opts.address === undefined ? {} : { address: opts.address }),
});

async function all(e: QueryEngine, id: Identity, sql: string, params?: readonly Cell[]): Promise<{ columns: string[]; rows: Cell[][] }> {
  const s = await e.query(id, sql, { via: 'http', ...(params === undefined ? {} : { params }) });
  const rows: Cell[][] = [];
  for await (const b of s.batches()) rows.push(...b.map((r) => [...r]));
  return { columns: s.columns.map((c) => c.name), rows };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  }
  return 'no error';
}

before(async () => {
  w = await buildRbacWarehouse();
  roles = parseRolesText(ROLES_YAML, 'roles.yaml');
  engine = await SecureDuckdbEngine.open({
    warehouse: w.warehouse, roles, pii: { runColumns: w.columns }, keys: w.keys,
    audit: { record: async (e) => { audit.push(e); } },
  });
  datasets = (await engine.relations(who('admin'))).map((r) => r.name);
});
after(async () => {
  await engine?.close();
  await w?.cleanup();
});

describe('permission matrix: built-in roles × datasets', () => {
  const expected: Record<string, (d: string) => boolean> = {
    admin: () => true, engineer: () => true, analyst: (d) => ANALYTIC.includes(d), security: (d) => SECURITY.includes(d), auditor: () => false,
  };

  it('the warehouse has the datasets the roles are about', () => {
    for (const d of ['requests', 'quarantine', 'security_events', 'sessions', 'fact_requests', 'rollup_requests_day', 'top_clients']) {
      assert.ok(datasets.includes(d), d);
    }
    assert.ok(!datasets.some((d) => d.startsWith('_')), 'bookkeeping tables are never datasets');
  });

  for (const role of BUILTIN_ROLE_NAMES) {
    it(`${role}: allowed exactly on its datasets, personal columns masked unless pii:read`, async () => {
      const id = who(role);
      const pii = id.permissions.has('pii:read');
      const visible = new Map((await engine.relations(id)).map((r) => [r.name, r]));
      for (const d of datasets) {
        const allowed = expected[role]!(d);
        assert.equal(visible.has(d), allowed, `${role} lists ${d}`);
        if (!allowed) {
          assert.match(await code(all(engine, id, `SELECT * FROM ${d} LIMIT 1`)), /^TRB_QUERY_(RELATION|PERMISSION)_DENIED$/, `${role} on ${d}`);
          continue;
        }
        const { columns, rows } = await all(engine, id, `SELECT * FROM ${d} LIMIT 200`);
        const rel = visible.get(d)!;
        assert.deepEqual(columns, rel.columns.map((c) => c.name));
        rel.columns.forEach((c, i) => {
          const personal = c.pii === 'personal' || c.pii === 'sensitive';
          assert.equal(c.masked, personal && !pii, `${role} ${d}.${c.name} masked flag`);
          const values = rows.map((r) => r[i]);
          if (c.masked) {
            assert.ok(values.every((v) => v === null || v === MASK_TEXT), `${role} ${d}.${c.name} is masked`);
          } else if (personal && values.some((v) => v !== null)) {
            assert.ok(values.some((v) => v !== MASK_TEXT), `${role} ${d}.${c.name} is not masked`);
            assert.ok(!values.some(isFieldToken), `${role} ${d}.${c.name}: encrypted tokens are decrypted for pii:read`);
          }
        });
      }
    });
  }

  it('the personal columns are the expected ones, and unclassified columns fail closed', async () => {
    const rels = new Map((await engine.relations(who('admin'))).map((r) => [r.name, r]));
    const pii = (d: string, c: string) => rels.get(d)!.columns.find((x) => x.name === c)!.pii;
    assert.equal(pii('requests', 'user_agent'), 'sensitive');
    assert.equal(pii('requests', 'ident'), 'personal');
    assert.equal(pii('requests', 'status'), 'none');
    assert.equal(pii('quarantine', 'raw'), 'personal');
    assert.equal(pii('security_events', 'evidence'), 'personal');
    assert.equal(pii('sessions', 'entry_page'), pii('requests', 'path'));
    const bare = await SecureDuckdbEngine.open({ warehouse: w.warehouse, audit: { record: async () => {} } });
    try {
      const raw = new Map((await bare.relations(who('admin'))).map((r) => [r.name, r]));
      assert.equal(raw.get('requests')!.columns.find((c) => c.name === 'client_ip')!.pii, 'personal', 'without a run summary, raw tags apply');
    } finally {
      await bare.close();
    }
  });

  it('analyst sees user agents masked, admin and security see them decrypted', async () => {
    const q = 'SELECT user_agent FROM requests WHERE user_agent IS NOT NULL LIMIT 5';
    const masked = (await all(engine, who('analyst'), q)).rows.map((r) => r[0]);
    assert.ok(masked.length > 0 && masked.every((v) => v === MASK_TEXT));
    for (const role of ['admin', 'security']) {
      const clear = (await all(engine, who(role), q)).rows.map((r) => r[0]);
      assert.ok(clear.every((v) => typeof v === 'string' && /Mozilla|curl|bot|Python|Go-http|okhttp/i.test(v)), `${role}: ${clear.join(' | ')}`);
    }
    // A key without the pii:read scope narrows an admin to masked.
    const narrowed = who('admin', { permissions: PERMISSIONS.filter((p) => p !== 'pii:read') });
    assert.ok((await all(engine, narrowed, q)).rows.every((r) => r[0] === MASK_TEXT));
  });
});

describe('custom roles: column grants, row filters, networks', () => {
  it('shop sees only its columns and the rows its filter keeps', async () => {
    const rel = (await engine.relations(who('shop'))).find((r) => r.name === 'requests')!;
    assert.deepEqual(rel.columns.map((c) => c.name), ['ts', 'method', 'path', 'status', 'bytes_sent', 'user_agent']);
    assert.equal(await code(all(engine, who('shop'), 'SELECT client_ip FROM requests')), 'TRB_QUERY_INVALID');
    const [[maxStatus, n]] = (await all(engine, who('shop'), 'SELECT max(status), count(*) FROM requests')).rows as [[number, number]];
    const [[total, hidden]] = (await all(engine, who('admin'), 'SELECT count(*), count(*) FILTER (WHERE status >= 500) FROM requests')).rows as [[number, number]];
    assert.ok(maxStatus < 500 && hidden >= 1);
    assert.equal(n, total - hidden);
    // Derived datasets it inherits from analyst are not row-filtered: document, not hide.
    assert.ok((await engine.relations(who('shop'))).some((r) => r.name === 'rollup_requests_day'));
  });

  it('a predicate with a side error on a hidden row does not fail (the hidden row is never evaluated)', async () => {
    const probe = "SELECT count(*) FROM requests WHERE CASE WHEN status >= 500 THEN CAST(method || 'x' AS INTEGER) > 0 ELSE true END";
    assert.equal(await code(all(engine, who('admin'), probe)), 'TRB_QUERY_FAILED', 'control: the probe errors when the row is visible');
    const r = await all(engine, who('shop_pii'), probe);
    assert.ok(Number(r.rows[0]![0]) > 0);
    const ordered = await all(engine, who('shop_pii'), 'SELECT status FROM requests ORDER BY status DESC LIMIT 1');
    assert.ok(Number(ordered.rows[0]![0]) < 500);
  });

  it('allowed_cidrs: refused from outside the network, allowed inside', async () => {
    assert.equal(await code(all(engine, who('office', { address: '192.0.2.1' }), 'SELECT 1')), 'TRB_RBAC_ADDRESS_DENIED');
    assert.equal(await code(all(engine, who('office'), 'SELECT 1')), 'TRB_RBAC_ADDRESS_DENIED', 'unknown address fails closed');
    assert.deepEqual((await all(engine, who('office', { address: '::ffff:10.1.2.3' }), 'SELECT 1 AS x')).rows, [[1]]);
  });

  it('an unknown role and an identity without sql:query are refused', async () => {
    assert.equal(await code(all(engine, who('admin', { permissions: ['datasets:read'] }), 'SELECT 1')), 'TRB_QUERY_PERMISSION_DENIED');
    assert.equal(await code(all(engine, { ...who('admin'), role: 'ghost' }, 'SELECT 1')), 'TRB_RBAC_ROLE_UNKNOWN');
    assert.deepEqual(await engine.relations(who('auditor')), []);
  });

  it('a row filter that is not a plain predicate refuses to open the engine', async () => {
    for (const filter of ['status < 500) UNION SELECT 1 FROM requests WHERE (true', 'status IN (SELECT status FROM quarantine)', "status < 500; ATTACH 'x'", 'nope = 1']) {
      const bad = parseRolesText(`roles:\n  r:\n    permissions: [sql:query]\n    datasets:\n      requests:\n        row_filter: ${JSON.stringify(filter)}\n`, 'r.yaml');
      await assert.rejects(SecureDuckdbEngine.open({ warehouse: w.warehouse, roles: bad, audit: { record: async () => {} } }), { code: 'TRB_RBAC_ROW_FILTER_INVALID' }, filter);
    }
  });
});

describe('the engine', () => {
  it('is hardened: external access off and the configuration locked, as DuckDB itself reports', async () => {
    assert.deepEqual(await engine.hardening(), { externalAccess: false, configurationLocked: true, changeRefused: true });
  });

  it('streams typed columns in batches; positional parameters; describe without running', async () => {
    const s = await engine.query(who('analyst'), 'SELECT range AS n, $1::VARCHAR AS tag, TIMESTAMP \'2026-03-01 10:00:00\' AS t FROM range(5000)', { via: 'pgwire', params: ['x'] });
    assert.deepEqual(s.columns, [{ name: 'n', type: 'BIGINT' }, { name: 'tag', type: 'VARCHAR' }, { name: 't', type: 'TIMESTAMP' }]);
    const sizes: number[] = [];
    let first: readonly Cell[] | undefined;
    for await (const b of s.batches()) { sizes.push(b.length); first ??= b[0]; }
    assert.ok(sizes.length >= 2, `batches ${sizes}`);
    assert.equal(sizes.reduce((a, b) => a + b), 5000);
    assert.deepEqual(first, [0, 'x', '2026-03-01T10:00:00.000000Z']);
    const d = await engine.describe(who('analyst'), 'SELECT status, count(*) AS n FROM requests WHERE status = $1 GROUP BY status');
    assert.deepEqual(d, { params: [{ name: '$1', type: 'INTEGER' }], columns: [{ name: 'status', type: 'INTEGER' }, { name: 'n', type: 'BIGINT' }] });
    await assert.rejects(engine.describe(who('analyst'), 'SELECT * FROM quarantine'), { code: 'TRB_QUERY_RELATION_DENIED' });
  });

  it('limits: timeout, rows, bytes, abort — typed errors, and the connection is reusable after', async () => {
    const small = await SecureDuckdbEngine.open({
      warehouse: w.warehouse, connections: 1, limits: { timeoutMs: 300, maxRows: 3000, maxBytes: 20_000 }, audit: { record: async () => {} },
    });
    try {
      const t0 = Date.now();
      assert.equal(await code(all(small, who('admin'), 'SELECT count(*) FROM range(100000000000) a')), 'TRB_QUERY_TIMEOUT');
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(await code(all(small, who('admin'), 'SELECT * FROM range(10000)')), 'TRB_QUERY_ROW_LIMIT');
      assert.equal(await code(all(small, who('admin'), "SELECT repeat('x', 100) FROM range(1000)")), 'TRB_QUERY_SIZE_LIMIT');
      const ac = new AbortController();
      const s = await small.query(who('admin'), 'SELECT * FROM range(2000) a', { via: 'http', signal: ac.signal });
      ac.abort();
      assert.equal(await code((async () => { for await (const _ of s.batches()) { /* drain */ } })()), 'TRB_QUERY_ABORTED');
      const early = await small.query(who('admin'), 'SELECT * FROM range(2500)', { via: 'http' });
      for await (const _ of early.batches()) break;
      await early.close();
      await early.close();
      assert.deepEqual((await all(small, who('admin'), 'SELECT 41 + 1 AS x')).rows, [[42]], 'the single connection works after all of that');
    } finally {
      await small.close();
    }
  });

  it('audits every query: who, interface, SQL, rows, duration, outcome', async () => {
    audit.length = 0;
    await all(engine, who('analyst'), 'SELECT status FROM requests LIMIT 7');
    await code(all(engine, who('analyst'), 'SELECT * FROM quarantine'));
    await code(all(engine, who('admin'), 'SELECT CAST(path AS INTEGER) FROM requests'));
    await new Promise((r) => setImmediate(r));
    const [ok, denied, failed] = audit;
    assert.deepEqual([ok?.actor, ok?.action, ok?.outcome, ok?.details?.['via'], ok?.details?.['rows'], ok?.details?.['sql']],
      ['user:analyst', 'sql.query', 'ok', 'http', 7, 'SELECT status FROM requests LIMIT 7']);
    assert.equal(typeof ok?.details?.['ms'], 'number');
    assert.deepEqual([denied?.outcome, denied?.details?.['code']], ['denied', 'TRB_QUERY_RELATION_DENIED']);
    assert.deepEqual([failed?.outcome, failed?.details?.['code']], ['error', 'TRB_QUERY_FAILED']);
  });
});
