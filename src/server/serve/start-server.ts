/**
 * Starts every configured listener: TLS per listener (certificate files, or the development
 * certificate with `devCert`), plain HTTP only with `insecureHttp` and only on a loopback address.
 * One app per listener over the same deps. This is the only place that calls `listen()`.
 */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp } from '../app.js';
import type { AppDeps } from '../app-deps.js';
import type { ListenerConfig, ServerSection } from '../config/server-config.js';
import { InsecureListener } from '../errors.js';
import { ensureDevCert } from '../tls/dev-cert.js';
import { buildTlsOptions, type CertFiles } from '../tls/tls-options.js';
import { writeListenerState, type ListenerState } from './listener-state.js';

/** Options of {@link startServer}. */
export interface StartOptions {
  readonly server: ServerSection;
  /** Directory relative paths of the config resolve against. */
  readonly baseDir: string;
  readonly dataDir: string;
  /** Use the self-signed development certificate for listeners without `tls`. */
  readonly devCert?: boolean;
  /** Serve listeners without `tls` over plain HTTP (loopback addresses only). */
  readonly insecureHttp?: boolean;
  readonly redis?: Redis;
  /** Listeners started elsewhere (the PostgreSQL wire gateway), recorded with these for `tributary doctor`. */
  readonly otherListeners?: readonly ListenerState[];
}

/** A started server. */
export interface RunningServer {
  /** `https://127.0.0.1:8443`-style address per listener name. */
  readonly addresses: ReadonlyMap<string, string>;
  readonly apps: readonly FastifyInstance[];
  /** Stops accepting connections, waits for in-flight requests, closes the apps. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Starts the listeners; throws `TRB_SERVER_INSECURE_LISTENER` / `TRB_SERVER_TLS_INVALID` before listening on any when one is misconfigured. */
export async function startServer(deps: AppDeps, o: StartOptions): Promise<RunningServer> {
  const plans = await Promise.all(o.server.listeners.map((l) => plan(l, o)));
  const apps: FastifyInstance[] = [];
  const addresses = new Map<string, string>();
  const states: ListenerState[] = [];
  try {
    for (const p of plans) {
      const app = await buildApp(deps, {
        server: o.server, listener: p.listener, ...(p.https ? { https: p.https } : {}), ...(o.redis ? { redis: o.redis } : {}),
      });
      apps.push(app);
      const address = await app.listen({ host: p.listener.host, port: p.listener.port });
      addresses.set(p.listener.name, address);
      const port = Number(new URL(address).port);
      states.push({
        name: p.listener.name, host: p.listener.host, port, tls: p.mode, min_version: p.listener.tls?.min_version ?? '1.2',
        mtls: p.listener.mtls !== undefined, started_at: new Date().toISOString(), ...(p.certFile ? { cert_file: p.certFile } : {}),
      });
    }
  } catch (err) {
    await Promise.allSettled(apps.map((a) => a.close()));
    throw err;
  }
  await writeListenerState(o.dataDir, [...states, ...(o.otherListeners ?? [])]);
  return { addresses, apps, close: async () => { await Promise.allSettled(apps.map((a) => a.close())); } };
}

async function plan(listener: ListenerConfig, o: StartOptions) {
  if (listener.tls || o.devCert) {
    const files: CertFiles = listener.tls
      ? { certFile: resolve(o.baseDir, listener.tls.cert_file), keyFile: resolve(o.baseDir, listener.tls.key_file) }
      : await ensureDevCert(o.dataDir);
    const https = await buildTlsOptions(listener, files, o.baseDir);
    return { listener, https, mode: listener.tls ? 'files' as const : 'dev_cert' as const, certFile: files.certFile };
  }
  if (!o.insecureHttp) throw InsecureListener({ listener: listener.name, reason: 'give `tls.cert_file` and `tls.key_file`, or run with `--dev-cert` for local development' });
  if (!LOOPBACK.has(listener.host)) throw InsecureListener({ listener: listener.name, reason: `--insecure-http is only allowed on a loopback address, not ${listener.host}` });
  if (listener.mtls) throw InsecureListener({ listener: listener.name, reason: 'mutual TLS needs TLS' });
  return { listener, https: undefined, mode: 'insecure_http' as const, certFile: undefined };
}
