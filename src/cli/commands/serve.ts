/**
 * `tributary serve --config server.yaml`: the REST API, `/v1/sql` and the probes on every configured
 * listener. TLS everywhere: certificate files per listener, `--dev-cert` for a self-signed localhost
 * certificate (flagged by `tributary doctor`), or `--insecure-http` for plain HTTP on loopback only
 * (also flagged). Runs until SIGINT/SIGTERM, then drains in-flight requests and runs.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { locateSecretRefs } from '../../config/schema/secret-ref.js';
import { formatPath } from '../../config/config-path.js';
import { resolveConfigSecrets } from '../../config/resolve-secrets.js';
import { openDeployment } from '../../engine/bootstrap.js';
import { createLogger } from '../../observe/logger.js';
import { ServerConfigFile } from '../../server/config/server-config.js';
import { loadServerConfigFile, type LoadedServerConfig } from '../../server/config/load-server-config.js';
import { openServerDeps } from '../../server/serve/open-server-deps.js';
import { startServer } from '../../server/serve/start-server.js';
import { openServing } from '../../server/serve/open-serving.js';
import { cliActor } from '../cli-actor.js';

interface ServeFlags {
  readonly config?: string;
  readonly dataDir?: string;
  readonly devCert?: boolean;
  readonly insecureHttp?: boolean;
  readonly port?: number;
}

/** Registers `serve`. */
export function registerServe(program: Command): void {
  program.command('serve')
    .description('Serve the REST API, SQL over HTTP and the health and metrics probes (TLS on every listener)')
    .option('--config <file>', 'server configuration YAML (see docs/reference/server-configuration.md)')
    .option('--data-dir <dir>', 'data directory (default: the config\'s data_dir, TRIBUTARY_DATA_DIR or .tributary)')
    .option('--dev-cert', 'use a self-signed localhost certificate (generated with openssl) for listeners without tls; development only')
    .option('--insecure-http', 'serve listeners without tls over plain HTTP; loopback addresses only, development only')
    .option('--port <n>', 'override the port of the first listener', (v) => Number.parseInt(v, 10))
    .addHelpText('after', '\nExample: tributary serve --config server.yaml\n         tributary serve --dev-cert            (https://127.0.0.1:8443, development)')
    .action(async (o: ServeFlags) => { await serve(o); });
}

async function serve(o: ServeFlags): Promise<void> {
  const log = createLogger({ level: (process.env.TRIBUTARY_LOG_LEVEL as 'info' | undefined) ?? 'info' });
  const loaded: LoadedServerConfig = o.config
    ? await loadServerConfigFile(o.config)
    : { file: '(defaults)', baseDir: process.cwd(), config: ServerConfigFile.parse({}) };
  const dataDir = resolve(o.dataDir ?? process.env.TRIBUTARY_DATA_DIR ?? (loaded.config.data_dir ? resolve(loaded.baseDir, loaded.config.data_dir) : '.tributary'));
  const d = await openDeployment(dataDir);
  let redis: Redis | undefined;
  const closers: (() => Promise<void>)[] = [];
  try {
    const secretRefs = locateSecretRefs(loaded.config).map(({ name, path }) => ({ name, path: formatPath(path) }));
    const config = await resolveConfigSecrets({ file: loaded.file, secretRefs, config: loaded.config }, d.vault, { actor: cliActor(), pipeline: 'server' });
    let server = config.server;
    if (o.port !== undefined && server.listeners[0]) server = { ...server, listeners: [{ ...server.listeners[0], port: o.port }, ...server.listeners.slice(1)] };
    const redisUrl = server.rate_limit.redis_url?.reveal();
    if (redisUrl) redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    const wh = server.warehouse;
    const warehouseUrls = wh?.type === 'postgres'
      ? { warehouseUrl: wh.url.reveal(), ...(wh.admin_url ? { warehouseAdminUrl: wh.admin_url.reveal() } : {}) }
      : wh?.encryption_key ? { warehouseKey: wh.encryption_key.reveal() } : {};
    const serving = await openServing({ deployment: d, server, pgwire: config.pgwire, baseDir: loaded.baseDir, log, ...warehouseUrls });
    closers.push(() => serving.close());
    const wired = openServerDeps({ deployment: d, server, baseDir: loaded.baseDir, log, seams: serving.seams, ...(wh?.type === 'postgres' ? { warehouseUrl: wh.url.reveal() } : {}) });
    closers.push(() => wired.close());
    const refresher = setInterval(() => {
      serving.refresh().then((fresh) => { if (fresh) log.info({}, 'Serving a fresh warehouse snapshot'); })
        .catch((err: unknown) => log.debug({ code: (err as { code?: string }).code ?? 'TRB_INTERNAL' }, 'Warehouse refresh deferred'));
    }, server.query.refresh_secs * 1000);
    refresher.unref();
    closers.push(async () => { clearInterval(refresher); });
    const pgw = config.pgwire;
    const otherListeners = serving.pgwire && pgw ? [{
      name: 'pgwire', host: pgw.host, port: serving.pgwire.port, tls: pgw.tls ? 'files' as const : 'insecure_http' as const,
      min_version: pgw.tls?.min_version === 'TLSv1.3' ? '1.3' as const : '1.2' as const, mtls: false, started_at: new Date().toISOString(),
      ...(pgw.tls ? { cert_file: resolve(loaded.baseDir, pgw.tls.cert_file) } : {}),
    }] : [];
    const running = await startServer(wired.deps, { otherListeners,
      server, baseDir: loaded.baseDir, dataDir, ...(o.devCert ? { devCert: true } : {}), ...(o.insecureHttp ? { insecureHttp: true } : {}), ...(redis ? { redis } : {}),
    });
    await d.audit.record({ actor: cliActor(), action: 'server.start', target: dataDir, outcome: 'ok', details: { listeners: [...running.addresses.keys()] } });
    for (const [name, address] of running.addresses) process.stderr.write(`Listening: ${name} ${address}${o.insecureHttp && address.startsWith('http:') ? ' (INSECURE: plain HTTP)' : ''}\n`);
    if (serving.pgwire) process.stderr.write(`Listening: pgwire postgresql://${config.pgwire?.host ?? '127.0.0.1'}:${serving.pgwire.port}${config.pgwire?.insecure_no_tls ? ' (INSECURE: no TLS)' : ' (sslmode=require)'}\n`);
    await new Promise<void>((done) => {
      const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); done(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stderr.write('Stopping: draining requests and runs…\n');
    await running.close();
    await d.audit.record({ actor: cliActor(), action: 'server.stop', target: dataDir, outcome: 'ok' });
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    redis?.disconnect();
    await d.close();
  }
}
