/**
 * The server side of `npm run bench:serve`, run as a child process so the load generator does not
 * share its event loop: `startServer` → `buildApp` with the REAL API-key authentication
 * (authenticateApiKey over the deployment's control store, one ApiKeyAuthCache per process,
 * checkKeyStillValid), the bench roles (serve-bench-roles.ts) and either the REAL
 * SecureDuckdbEngine (`secure`, auditing to the deployment's audit log, decrypting for roles with
 * pii:read; `secure-noaudit`: the same without the per-query audit entries) or the unrestricted
 * plain engine (`plain`, plain-duckdb-engine.ts). Plain HTTP on
 * 127.0.0.1 with rate-limit budgets too high to trigger. Prints `READY <port>` on stdout.
 *
 *   node serve-bench-server.js <secure|secure-noaudit|plain> <data dir> <pii columns JSON file>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PiiClass } from '../src/core/pii.js';
import { openDeployment } from '../src/engine/bootstrap.js';
import { createServerMetrics } from '../src/observe/metrics-registry.js';
import type { QueryEngine } from '../src/query/query-engine.js';
import { SecureDuckdbEngine } from '../src/query/secure-duckdb-engine.js';
import { ApiKeyAuthCache } from '../src/security/apikeys/api-key-auth-cache.js';
import { looksLikeApiKey } from '../src/security/apikeys/api-key-format.js';
import { authenticateApiKey, checkKeyStillValid } from '../src/security/apikeys/authenticate-api-key.js';
import { rolePermissions } from '../src/security/rbac/role-set.js';
import { ServerSection } from '../src/server/config/server-config.js';
import { startServer } from '../src/server/serve/start-server.js';
import { openPlainDuckdbEngine } from './plain-duckdb-engine.js';
import { serveBenchRoles } from './serve-bench-roles.js';

const [mode, dataDir, columnsFile] = process.argv.slice(2) as [string, string, string];
if (mode !== 'secure' && mode !== 'plain' && mode !== 'secure-noaudit') throw new Error('usage: serve-bench-server <secure|secure-noaudit|plain> <data dir> <columns.json>');
const roles = serveBenchRoles();
const perms = (r: string): ReturnType<typeof rolePermissions> | undefined => (roles.has(r) ? rolePermissions(r, roles) : undefined);
const d = await openDeployment(dataDir);
const warehouse = join(dataDir, 'warehouse.duckdb');
const runColumns = JSON.parse(readFileSync(columnsFile, 'utf8')) as Record<string, PiiClass>;
const queryEngine: QueryEngine = mode !== 'plain'
  ? await SecureDuckdbEngine.open({ warehouse, roles, pii: { runColumns }, audit: mode === 'secure' ? d.audit : { record: async () => {} }, keys: d.keys })
  : await openPlainDuckdbEngine(warehouse);
const auth = { store: d.control.apiKeys, rolePermissions: perms, audit: d.audit, cache: new ApiKeyAuthCache() };
const runs = { listRuns: async () => [], getRun: async () => undefined };
const running = await startServer({
  authenticate: ({ authorization, address }) => authenticateApiKey(authorization, auth, { address }),
  keyStillValid: (keyId) => checkKeyStillValid(keyId, auth),
  looksLikeApiKey,
  roles: { permissions: perms, allowedCidrs: (r) => (roles.has(r) ? roles.resolve(r).allowedCidrs : undefined) },
  queryEngine,
  runs,
  pipelines: { list: async () => [], validate: async () => ({ ok: true, problems: [] }), start: async () => ({ runId: undefined }) },
  audit: d.audit,
  readiness: {},
  metrics: createServerMetrics({ runs }),
}, {
  server: ServerSection.parse({ listeners: [{ port: 0 }], rate_limit: { per_key: { max: 1e9 }, per_address: { max: 1e9 } } }),
  baseDir: dataDir, dataDir, insecureHttp: true,
});
process.stdout.write(`READY ${new URL(running.addresses.get('main') ?? '').port}\n`);
process.on('SIGTERM', () => { void running.close().then(() => queryEngine.close()).then(() => d.close()).then(() => process.exit(0)); });
