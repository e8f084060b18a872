/** Roles: the roles file (errors with file, line, path), built-in roles, extends, grants, networks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TributaryError } from '../../core/errors.js';
import { BUILTIN_ROLES, BUILTIN_ROLE_NAMES } from './builtin-roles.js';
import { parseRolesText } from './load-roles.js';
import { grantFor, patternMatches } from './role.js';
import { assertAddressAllowed, resolveRole, rolePermissions } from './role-set.js';
import { addressInCidrs } from './address-in-cidrs.js';

function problems(text: string): { line: unknown; path: unknown; message: string }[] {
  try {
    parseRolesText(text, 'roles.yaml');
  } catch (err) {
    const e = err as TributaryError;
    const all = e.code === 'TRB_CONFIG_ISSUES' ? ((e.cause as AggregateError).errors as TributaryError[]) : [e];
    return all.map((x) => ({ line: x.details['line'], path: x.details['path'], message: x.message }));
  }
  return [];
}

test('built-in roles: admin holds every permission, only admin and security read personal data, auditor runs no SQL', () => {
  assert.deepEqual([...BUILTIN_ROLE_NAMES], ['admin', 'engineer', 'analyst', 'security', 'auditor']);
  assert.equal(rolePermissions('admin').size, 9);
  assert.deepEqual(BUILTIN_ROLE_NAMES.filter((r) => rolePermissions(r).has('pii:read')), ['admin', 'security']);
  assert.deepEqual(BUILTIN_ROLE_NAMES.filter((r) => rolePermissions(r).has('audit:read')), ['admin', 'auditor']);
  assert.ok(!rolePermissions('auditor').has('sql:query'));
  assert.throws(() => resolveRole('root'), { code: 'TRB_RBAC_ROLE_UNKNOWN' });
});

test('grants: default deny, exact names before globs, bookkeeping tables never granted', () => {
  const analyst = BUILTIN_ROLES.analyst;
  assert.ok(grantFor(analyst, 'requests'));
  assert.ok(grantFor(analyst, 'rollup_requests_day'));
  assert.equal(grantFor(analyst, 'quarantine'), undefined);
  assert.equal(grantFor(analyst, 'security_events_day'), undefined);
  assert.equal(grantFor(BUILTIN_ROLES.admin, '_tributary_watermarks'), undefined);
  assert.ok(patternMatches('rollup_*', 'ROLLUP_x') && !patternMatches('rollup_*', 'xrollup_') && !patternMatches('a.b', 'axb'));
  const set = parseRolesText('roles:\n  r:\n    extends: analyst\n    datasets:\n      requests: { columns: [ts, status], row_filter: "status < 500" }\n      "*": { columns: [day] }\n', 'r.yaml');
  const r = set.resolve('r');
  assert.deepEqual(grantFor(r, 'requests'), { pattern: 'requests', columns: ['ts', 'status'], rowFilter: 'status < 500' });
  assert.equal(grantFor(r, 'quarantine')?.pattern, '*', 'the custom role\'s own glob');
  assert.equal(grantFor(r, 'rollup_requests_day')?.pattern, '*', 'own globs come before the base role\'s');
});

test('custom roles extend a built-in: permissions added, networks inherited or replaced', () => {
  const set = parseRolesText(`roles:
  ops:
    extends: engineer
    description: on call
    permissions: [audit:read]
    allowed_cidrs: [10.0.0.0/8, "2001:db8::/32"]
  bare:
    permissions: [sql:query]
    datasets:
      status_mix:
`, 'roles.yaml');
  const ops = set.resolve('ops');
  assert.ok(ops.permissions.has('audit:read') && ops.permissions.has('pipelines:run') && !ops.permissions.has('pii:read'));
  assert.equal(ops.extends, 'engineer');
  assert.doesNotThrow(() => assertAddressAllowed(ops, '10.2.3.4'));
  assert.doesNotThrow(() => assertAddressAllowed(ops, '2001:db8::1'));
  assert.throws(() => assertAddressAllowed(ops, '192.0.2.1'), { code: 'TRB_RBAC_ADDRESS_DENIED' });
  assert.throws(() => assertAddressAllowed(ops, undefined), { code: 'TRB_RBAC_ADDRESS_DENIED' });
  const bare = set.resolve('bare');
  assert.deepEqual([...bare.permissions], ['sql:query']);
  assert.deepEqual(bare.datasets, [{ pattern: 'status_mix', columns: 'all' }]);
  assert.doesNotThrow(() => assertAddressAllowed(bare, undefined));
  assert.ok(set.has('admin') && set.has('ops'));
});

test('the roles file: every problem named with file, line and path', () => {
  const found = problems(`roles:
  admin:
    permissions: [sql:query]
  r1:
    extends: superuser
    permissions: [sql:query, pii:raed]
    datasets:
      "bad name!": {}
      requests:
        colums: all
    allowed_cidrs: [10.0.0.0/33]
  Bad: {}
`);
  const at = (path: string) => found.find((p) => p.path === path);
  assert.equal(at('roles.admin')?.line, 2);
  assert.match(at('roles.admin')!.message, /built-in.*extends: admin/);
  assert.equal(at('roles.r1.extends')?.line, 5);
  assert.equal(at('roles.r1.permissions[1]')?.line, 6);
  assert.match(at('roles.r1.permissions[1]')!.message, /pii:read/, 'did you mean');
  assert.equal(at('roles.r1.datasets.requests.colums')?.line, 10);
  assert.equal(at('roles.r1.allowed_cidrs[0]')?.line, 11);
  assert.ok(found.some((p) => String(p.path).includes('bad name!')), JSON.stringify(found));
  assert.ok(found.every((p) => /roles\.yaml/.test(p.message)), 'each message names the file');
  assert.equal(problems('roles:\n  a: [\n')[0]?.path, '(syntax)');
});

test('CIDR matching: v4, v6, v4-mapped v6; garbage never matches', () => {
  assert.ok(addressInCidrs('10.9.8.7', ['10.0.0.0/8']));
  assert.ok(addressInCidrs('::ffff:10.9.8.7', ['10.0.0.0/8']));
  assert.ok(!addressInCidrs('11.0.0.1', ['10.0.0.0/8']));
  assert.ok(addressInCidrs('2001:db8::5', ['2001:db8::/32']));
  assert.ok(!addressInCidrs('not an ip', ['0.0.0.0/0']));
  assert.ok(!addressInCidrs('10.0.0.1', ['nonsense']));
});

test('docs/security/access-control.md documents every key of the roles file and every built-in role', async () => {
  const { readFileSync } = await import('node:fs');
  const { RoleConfig, DatasetGrantConfig } = await import('./roles-config.js');
  const doc = readFileSync(new URL('../../../docs/security/access-control.md', import.meta.url), 'utf8');
  for (const key of Object.keys(RoleConfig.shape)) assert.match(doc, new RegExp(`\\| \`${key}\` \\|`), key);
  for (const key of Object.keys(DatasetGrantConfig.shape)) assert.match(doc, new RegExp(`\\| \`datasets\\.<d>\\.${key}\` \\|`), key);
  for (const role of BUILTIN_ROLE_NAMES) assert.match(doc, new RegExp(`\\| \`${role}\` \\|`), role);
});
