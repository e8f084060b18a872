/**
 * What {@link import('./app.js').buildApp} needs from the rest of Tributary: small seams, so tests
 * build the app with in-test implementations and `serve` wires the real services. Every seam that
 * crosses into another component (API keys, roles, the query engine) is typed against the shared
 * contracts in security/identity and query.
 */
import type { Identity, Permission } from '../security/identity/identity.js';
import type { QueryEngine } from '../query/query-engine.js';
import type { AuditTrail } from '../security/audit/audit-trail.js';
import type { RunQuery, RunRecord } from '../seams/control-store/control-store.js';
import type { AuditEntryRow, AuditQuery } from '../seams/control-store/audit-store.js';
import type { AuditVerifyResult } from '../security/audit/verify-audit-chain.js';
import type { Logger } from '../core/component.js';
import type { ServerMetrics } from '../observe/metrics-registry.js';

/** The credentials of one request as the auth plugin hands them to {@link AppDeps.authenticate}. */
export interface AuthRequest {
  /** The raw `Authorization` header value (present: the plugin refuses a request without one first). */
  readonly authorization: string;
  /** Client address as the listener saw it. */
  readonly address: string;
  readonly requestId: string;
}

/**
 * Turns an `Authorization` header into an {@link Identity} (the identity engineer's
 * `authenticateApiKey`). Rejects with a TributaryError of the `auth` family for a wrong, truncated,
 * expired or revoked key; it records its own authentication failures in the audit log.
 */
export type Authenticate = (req: AuthRequest) => Promise<Identity>;

/** Role facts the server needs (the rbac engineer's role resolution). */
export interface RoleDirectory {
  /** Permissions the role grants; undefined for an unknown role (then a certificate mapping to it is refused). */
  permissions(role: string): ReadonlySet<Permission> | undefined;
  /** CIDRs the role may connect from; undefined or empty = any address. */
  allowedCidrs(role: string): readonly string[] | undefined;
}

/** A pipeline the server can show, validate and run. */
export interface PipelineInfo {
  /** File stem in the pipelines directory; the name used in routes. */
  readonly name: string;
  /** Path relative to the pipelines directory. */
  readonly file: string;
}

/** One validation problem of a pipeline file. */
export interface PipelineProblem {
  readonly code: string;
  readonly message: string;
  readonly line?: number;
  readonly path?: string;
}

/** Pipelines of the server's pipelines directory. */
export interface PipelineService {
  list(): Promise<readonly PipelineInfo[]>;
  /** Validates one pipeline; rejects with `TRB_NOT_FOUND` for an unknown name. */
  validate(name: string): Promise<{ readonly ok: boolean; readonly problems: readonly PipelineProblem[] }>;
  /**
   * Starts a run in the background (trigger `api`, audited with `actor`) and resolves once the
   * run is recorded, with its id (undefined when the run could not be seen starting in time).
   * Rejects with `TRB_NOT_FOUND` for an unknown name.
   */
  start(name: string, actor: string): Promise<{ readonly runId: string | undefined }>;
}

/** Read access to runs (the control store). */
export interface RunReader {
  listRuns(q?: RunQuery): Promise<readonly RunRecord[]>;
  getRun(runId: string): Promise<RunRecord | undefined>;
}

/** One quarantined record as the API shows it (the warehouse's `quarantine` table). */
export interface QuarantineRow {
  /** Source component id the line came from. */
  readonly source: string | null;
  /** Stage that rejected it. */
  readonly stage: string | null;
  /** Run that quarantined it (from the commit id). */
  readonly run_id: string | null;
  readonly code: string;
  readonly field: string | null;
  readonly reason: string;
  readonly uri: string | null;
  readonly line: number | null;
  /** The raw line or its field token (personal data: masked unless the caller holds `pii:read`). */
  readonly raw: string | null;
  /** ISO-8601 UTC. */
  readonly ts: string | null;
}

/** Filter of {@link QuarantineReader.browse}. */
export interface QuarantineQuery {
  readonly source?: string;
  readonly code?: string;
  readonly limit: number;
  readonly offset: number;
}

/** Reads the quarantine (rejected records with their reason and origin). */
export interface QuarantineReader {
  browse(q: QuarantineQuery): Promise<readonly QuarantineRow[]>;
}

/** Reads and verifies the audit log. */
export interface AuditReader {
  list(q: AuditQuery): Promise<readonly AuditEntryRow[]>;
  verify(): Promise<AuditVerifyResult>;
}

/** A key as listed (never the secret). */
export interface ApiKeySummary {
  /** The key's public id (its prefix). */
  readonly id: string;
  readonly name: string;
  readonly role: string;
  /** Empty = all of the role's permissions. */
  readonly scopes: readonly string[];
  readonly status: 'active' | 'expired' | 'revoked';
  readonly created_at: string;
  readonly created_by: string;
  readonly expires_at: string | null;
  /** When it stopped or stops working (future during a rotation grace period). */
  readonly revoked_at: string | null;
  readonly replaced_by: string | null;
  readonly last_used_at: string | null;
}

/** Input of {@link ApiKeyAdmin.create}. */
export interface ApiKeyCreate {
  readonly name?: string;
  readonly role: string;
  readonly scopes?: readonly Permission[];
  readonly expiresInDays?: number;
}

/** API key administration (delegates to security/apikeys); `actor` is audited by the implementation. */
export interface ApiKeyAdmin {
  /** Returns the summary and the key itself, which is shown only this once. */
  create(input: ApiKeyCreate, actor: string): Promise<{ readonly key: string; readonly summary: ApiKeySummary }>;
  list(): Promise<readonly ApiKeySummary[]>;
  revoke(id: string, actor: string): Promise<void>;
  /** A new key for the same role and scopes; the old one stops working after `graceMs` (default 0: at once). */
  rotate(id: string, actor: string, opts?: { readonly graceMs?: number }): Promise<{ readonly key: string; readonly summary: ApiKeySummary }>;
}

/** A readiness probe: resolves when the dependency answers, rejects otherwise. */
export type ReadinessProbe = () => Promise<void>;

/** Everything buildApp needs. Optional seams switch their routes to `TRB_SERVER_NOT_CONFIGURED`. */
export interface AppDeps {
  readonly authenticate: Authenticate;
  /** Whether an API key id is still valid (`checkKeyStillValid`), re-checked while results stream. */
  readonly keyStillValid: (keyId: string) => Promise<boolean>;
  /** Whether a string looks like an API key (`looksLikeApiKey`), to refuse keys in query strings. */
  readonly looksLikeApiKey: (s: string) => boolean;
  readonly roles: RoleDirectory;
  readonly queryEngine: QueryEngine;
  readonly runs: RunReader;
  readonly pipelines: PipelineService;
  readonly audit: AuditTrail;
  readonly auditReader?: AuditReader;
  readonly quarantine?: QuarantineReader;
  readonly apiKeys?: ApiKeyAdmin;
  /** Named readiness probes (`control_store`, `warehouse`); `/readyz` is 200 only when all resolve. */
  readonly readiness: Readonly<Record<string, ReadinessProbe>>;
  /** The metrics registry (see observe/metrics-registry.ts); `/metrics` serves it. */
  readonly metrics: ServerMetrics;
  readonly log?: Logger;
  /** Used by the metrics `Date` and tests; default `Date.now`. */
  readonly now?: () => number;
}

