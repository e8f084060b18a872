/**
 * Builds the {@link AppDeps} of `tributary serve` from an open deployment and the server config:
 * runs and the audit log from the control store, pipelines from the pipelines directory, readiness
 * probes for the control store and the warehouse, quarantine browsing over a DuckDB warehouse,
 * metrics from the runs. Seams owned by other
 * components come in through {@link ServerSeams}; absent ones fall back to fail-closed stand-ins
 * (pending-seams.ts).
 */
import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import pg from 'pg';
import type { Logger } from '../../core/component.js';
import type { Deployment } from '../../engine/bootstrap.js';
import { createServerMetrics } from '../../observe/metrics-registry.js';
import type { QueryEngine } from '../../query/query-engine.js';
import { verifyAuditChain } from '../../security/audit/verify-audit-chain.js';
import type { ApiKeyAdmin, AppDeps, Authenticate, QuarantineReader, ReadinessProbe, RoleDirectory } from '../app-deps.js';
import type { ServerSection } from '../config/server-config.js';
import { createDirectoryPipelines, type DirectoryPipelines } from '../pipelines/directory-pipelines.js';
import { createWarehouseQuarantine } from '../quarantine/warehouse-quarantine.js';
import { genericLooksLikeKey, noRoles, refuseAllKeys, unavailableQueryEngine } from './pending-seams.js';

/** The seams other components provide (identity, rbac, query engine). */
export interface ServerSeams {
  readonly authenticate?: Authenticate;
  readonly keyStillValid?: (keyId: string) => Promise<boolean>;
  readonly looksLikeApiKey?: (s: string) => boolean;
  readonly roles?: RoleDirectory;
  readonly queryEngine?: QueryEngine;
  readonly apiKeys?: ApiKeyAdmin;
  readonly quarantine?: QuarantineReader;
}

/** Deps plus what must be closed with them. */
export interface ServerDeps {
  readonly deps: AppDeps;
  readonly pipelines: DirectoryPipelines;
  close(): Promise<void>;
}

/** Options of {@link openServerDeps}. */
export interface OpenServerDepsOptions {
  readonly deployment: Deployment;
  readonly server: ServerSection;
  readonly baseDir: string;
  readonly log: Logger;
  /** The warehouse URL with its secret resolved (postgres warehouses). */
  readonly warehouseUrl?: string;
  readonly seams?: ServerSeams;
}

/** Wires the deps (see the module doc). */
export function openServerDeps(o: OpenServerDepsOptions): ServerDeps {
  const d = o.deployment;
  const s = o.seams ?? {};
  const pipelines = createDirectoryPipelines({ dir: resolve(o.baseDir, o.server.pipelines_dir), dataDir: d.dataDir, runs: d.control, audit: d.audit, log: o.log });
  const readiness: Record<string, ReadinessProbe> = { control_store: async () => { await d.control.listRuns({ limit: 1 }); } };
  const wh = o.server.warehouse;
  if (wh?.type === 'duckdb') readiness['warehouse'] = () => access(resolve(o.baseDir, wh.path), constants.R_OK);
  if (wh?.type === 'postgres' && o.warehouseUrl) {
    const url = o.warehouseUrl;
    readiness['warehouse'] = async () => {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      try { await c.connect(); await c.query('select 1'); } finally { await c.end().catch(() => undefined); }
    };
  }
  const engine = s.queryEngine ?? unavailableQueryEngine();
  const quarantine = s.quarantine ?? (wh?.type === 'duckdb' ? createWarehouseQuarantine(resolve(o.baseDir, wh.path)) : undefined);
  const deps: AppDeps = {
    authenticate: s.authenticate ?? refuseAllKeys,
    keyStillValid: s.keyStillValid ?? (async () => false),
    looksLikeApiKey: s.looksLikeApiKey ?? genericLooksLikeKey,
    roles: s.roles ?? noRoles,
    queryEngine: engine,
    runs: d.control,
    pipelines,
    audit: d.audit,
    auditReader: { list: (q) => d.control.audit.list(q), verify: () => verifyAuditChain(d.control.audit, d.keys) },
    ...(s.apiKeys ? { apiKeys: s.apiKeys } : {}),
    ...(quarantine ? { quarantine } : {}),
    readiness,
    metrics: createServerMetrics({ runs: d.control }),
    log: o.log,
  };
  return { deps, pipelines, close: async () => { await pipelines.close(); await engine.close(); } };
}
