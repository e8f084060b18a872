/**
 * The server side of `npm run bench:serve`, run as a child process so the load generator does not
 * share its event loop: buildApp over the benchmark engine and a static bench key, listening on
 * 127.0.0.1 (plain HTTP, loopback only, via startServer) with budgets high enough never to limit.
 * Prints `READY <port>` on stdout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PERMISSIONS } from '../src/security/identity/identity.js';
import { createServerMetrics } from '../src/observe/metrics-registry.js';
import { AuthFailed } from '../src/server/errors.js';
import { ServerSection } from '../src/server/config/server-config.js';
import { startServer } from '../src/server/serve/start-server.js';
import { createBenchQueryEngine } from './serve-bench-engine.js';
import { BENCH_KEY } from './serve-bench-key.js';


const identity = { subject: 'key:benchbench01', role: 'admin', permissions: new Set(PERMISSIONS), method: 'api_key' as const, keyId: 'benchbench01' };
const runs = { listRuns: async () => [], getRun: async () => undefined };
const dataDir = mkdtempSync(join(tmpdir(), 'trb-serve-bench-'));
const running = await startServer({
  authenticate: async ({ authorization }) => { if (authorization !== `Bearer ${BENCH_KEY}`) throw AuthFailed({}); return identity; },
  keyStillValid: async () => true,
  looksLikeApiKey: (s) => s.startsWith('trb_'),
  roles: { permissions: () => undefined, allowedCidrs: () => undefined },
  queryEngine: await createBenchQueryEngine(),
  runs,
  pipelines: { list: async () => [], validate: async () => ({ ok: true, problems: [] }), start: async () => ({ runId: undefined }) },
  audit: { record: async () => {} },
  readiness: {},
  metrics: createServerMetrics({ runs }),
}, {
  server: ServerSection.parse({ listeners: [{ port: 0 }], rate_limit: { per_key: { max: 1e9 }, per_address: { max: 1e9 } } }),
  baseDir: dataDir, dataDir, insecureHttp: true,
});
process.stdout.write(`READY ${new URL(running.addresses.get('main') ?? '').port}\n`);
process.on('SIGTERM', () => { void running.close().then(() => process.exit(0)); });
