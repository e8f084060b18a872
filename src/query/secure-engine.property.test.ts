/**
 * Property: for random role grants (datasets, columns, row filter, pii:read) and random queries
 * from a small grammar (projections, aggregates, predicates, CTEs, UNIONs, subqueries, qualified
 * and unknown names), no result cell and no error message ever carries a value the role may not
 * see. Every text value in the warehouse is a marker `table|column|k|V-or-H` naming where it came
 * from, and hidden rows have keys in a range of their own, so a leak is recognisable wherever it
 * surfaces.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { connectUtc } from '../sinks/_shared/duckdb-values.js';
import { parseRolesText } from '../security/rbac/load-roles.js';
import type { Identity, Permission } from '../security/identity/identity.js';
import { SecureDuckdbEngine } from './secure-duckdb-engine.js';
import type { Cell } from './query-engine.js';

const TABLES = ['alpha', 'beta'] as const;
const COLS = ['k', 'pub', 'per', 'extra'] as const;
const HIDDEN_BASE: Record<string, number> = { alpha: 1000, beta: 2000 };
let dir: string;
let warehouse: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trb-rbac-prop-'));
  warehouse = join(dir, 'w.duckdb');
  const db = await DuckDBInstance.create(warehouse);
  const c = await connectUtc(db);
  for (const t of TABLES) {
    const key = `CASE WHEN i < 50 THEN i ELSE ${HIDDEN_BASE[t]} + i - 50 END`;
    const mark = (col: string) => `'${t}|${col}|' || (${key}) || '|' || CASE WHEN i < 50 THEN 'V' ELSE 'H' END`;
    await c.run(`CREATE TABLE ${t} AS SELECT CAST(${key} AS INTEGER) AS k, ${mark('pub')} AS pub, ${mark('per')} AS per, ${mark('extra')} AS extra FROM range(100) r(i)`);
  }
  c.disconnectSync();
  db.closeSync();
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface TableGrant { readonly columns: 'all' | readonly string[]; readonly filtered: boolean }
interface Grants { readonly tables: Readonly<Partial<Record<string, TableGrant>>>; readonly pii: boolean }

const grantArb: fc.Arbitrary<Grants> = fc.record({
  tables: fc.record({
    alpha: fc.option(fc.record({ columns: fc.oneof(fc.constant('all' as const), fc.subarray([...COLS], { minLength: 1 })), filtered: fc.boolean() }), { nil: undefined, freq: 4 }),
    beta: fc.option(fc.record({ columns: fc.oneof(fc.constant('all' as const), fc.subarray([...COLS], { minLength: 1 })), filtered: fc.boolean() }), { nil: undefined, freq: 4 }),
  }),
  pii: fc.boolean(),
});

const rel = fc.oneof({ arbitrary: fc.constantFrom('alpha', 'beta', '"ALPHA"', 'Beta'), weight: 8 },
  { arbitrary: fc.constantFrom('gamma', '__trb_wh.main.alpha', 'main.beta', 'trb_r0.alpha'), weight: 1 });
const col = fc.constantFrom(...COLS);
const expr = fc.oneof(col, col.map((c) => `upper(CAST(${c} AS VARCHAR))`), col.map((c) => `${c} || '-'`), fc.constant('count(*)'),
  col.map((c) => `min(${c})`), col.map((c) => `max(${c})`), col.map((c) => `string_agg(CAST(${c} AS VARCHAR), ',')`));
const pred = fc.oneof(fc.integer({ min: 0, max: 2100 }).map((n) => `k < ${n}`), fc.integer({ min: 0, max: 2100 }).map((n) => `k >= ${n}`),
  fc.constant("pub LIKE '%|H'"), fc.constant("per LIKE '%|V'"), fc.constant('CAST(pub AS INTEGER) > 0'),
  fc.constant("CASE WHEN extra LIKE '%|H' THEN CAST(extra AS INTEGER) > 0 ELSE true END"));
const queryArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.array(expr, { minLength: 1, maxLength: 3 }), rel, fc.option(pred), fc.option(col), fc.option(fc.integer({ min: 1, max: 500 })))
    .map(([es, r, p, o, l]) => `SELECT ${es.join(', ')} FROM ${r}${p ? ` WHERE ${p}` : ''}${o ? ` ORDER BY ${o}` : ''}${l ? ` LIMIT ${l}` : ''}`),
  fc.tuple(expr, rel, fc.option(pred)).map(([e, r, p]) => `WITH c AS (SELECT * FROM ${r}) SELECT ${e} FROM c${p ? ` WHERE ${p}` : ''}`),
  fc.tuple(col, rel, rel).map(([c, a, b]) => `SELECT ${c} FROM ${a} UNION ALL SELECT ${c} FROM ${b}`),
  fc.tuple(expr, rel, rel).map(([e, a, b]) => `SELECT ${e} FROM ${a} WHERE k IN (SELECT k FROM ${b})`),
  fc.tuple(col, rel, rel).map(([c, a, b]) => `SELECT x.${c}, y.${c} FROM ${a} x JOIN ${b} y ON x.k = y.k`),
);

function rolesYaml(g: Grants): string {
  const ds = Object.entries(g.tables).filter(([, t]) => t !== undefined).map(([name, t]) =>
    `      ${name}:\n        columns: ${t!.columns === 'all' ? 'all' : `[${t!.columns.join(', ')}]`}\n${t!.filtered ? `        row_filter: "k < 1000"\n` : ''}`).join('');
  return `roles:\n  p:\n    permissions: [sql:query${g.pii ? ', pii:read' : ''}]\n    datasets:\n${ds || '      none_such: {}\n'}`;
}

/** Problems with `text` for grants `g` (a cell or an error message). */
function leaks(text: string, g: Grants): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(alpha|beta)\|(pub|per|extra)\|(\d+)\|([VH])/g)) {
    const [, t, c, , vh] = m as unknown as [string, string, string, string, string];
    const grant = g.tables[t];
    if (grant === undefined) out.push(`${m[0]}: table not granted`);
    else if (grant.columns !== 'all' && !grant.columns.includes(c)) out.push(`${m[0]}: column not granted`);
    else if (c === 'per' && !g.pii) out.push(`${m[0]}: personal value unmasked`);
    else if (vh === 'H' && grant.filtered) out.push(`${m[0]}: filtered row`);
  }
  return out;
}

function numberLeak(n: number, g: Grants): string | undefined {
  for (const t of TABLES) {
    const b = HIDDEN_BASE[t]!;
    if (n >= b && n < b + 50 && (g.tables[t] === undefined || g.tables[t]!.filtered)) return `${t} hidden key ${n}`;
  }
  return undefined;
}

test('no result or error ever shows a value the role may not see', async () => {
  await fc.assert(fc.asyncProperty(grantArb, fc.array(queryArb, { minLength: 5, maxLength: 12 }), async (g, queries) => {
    const roles = parseRolesText(rolesYaml(g), 'p.yaml');
    const engine = await SecureDuckdbEngine.open({
      warehouse, roles, connections: 1, pii: { declared: { alpha: { k: 'none', pub: 'none', per: 'personal', extra: 'none' }, beta: { k: 'none', pub: 'none', per: 'personal', extra: 'none' } } },
      audit: { record: async () => {} },
    });
    const id: Identity = { subject: 'user:p', role: 'p', method: 'local', permissions: new Set<Permission>(['sql:query', ...(g.pii ? ['pii:read' as const] : [])]) };
    try {
      for (const sql of queries) {
        try {
          const s = await engine.query(id, sql, { via: 'http' });
          for await (const batch of s.batches()) {
            for (const row of batch) for (const cell of row as Cell[]) {
              const found = typeof cell === 'number' ? [numberLeak(cell, g)].filter((x) => x !== undefined) : leaks(String(cell), g);
              assert.deepEqual(found, [], `${sql}\n${rolesYaml(g)}`);
            }
          }
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assert.deepEqual(leaks((err as Error).message, g), [], `error of ${sql}: ${(err as Error).message}`);
          assert.match((err as { code?: string }).code ?? '', /^TRB_QUERY_/, `${sql}: ${(err as Error).message}`);
        }
      }
    } finally {
      await engine.close();
    }
  }), { numRuns: 60, seed: 20261123 });
});
