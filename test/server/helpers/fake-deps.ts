/**
 * In-test implementations of the server's own seams (API key authenticator, roles, query engine,
 * pipelines, runs, audit): small and deterministic, so the server tests exercise the HTTP layer.
 * The lead's end-to-end tests wire the real security/apikeys, rbac and query engine instead.
 */
import { Validation } from '../../../src/core/errors.js';
import type { AuditEvent, AuditTrail } from '../../../src/security/audit/audit-trail.js';
import { PERMISSIONS, type Identity, type Permission } from '../../../src/security/identity/identity.js';
import type { Cell, QueryEngine, QueryStream, VisibleRelation } from '../../../src/query/query-engine.js';
import type { RunRecord } from '../../../src/seams/control-store/control-store.js';
import { createServerMetrics } from '../../../src/observe/metrics-registry.js';
import { defineError } from '../../../src/core/errors.js';
import type { AppDeps, QuarantineRow } from '../../../src/server/app-deps.js';
import { ServerSection } from '../../../src/server/config/server-config.js';

/** Refusal used by the fake authenticator (the real one has its own codes). */
export const FakeKeyRefused = defineError<{ reason: string }>('TRB_TEST_FAKE_KEY_REFUSED', 'API key refused: {reason}', { family: 'auth' });

/** Role → permissions of the fake role directory. */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  admin: PERMISSIONS,
  analyst: ['sql:query', 'datasets:read', 'runs:read', 'pipelines:read'],
  engineer: ['sql:query', 'datasets:read', 'runs:read', 'pipelines:read', 'pipelines:run', 'quarantine:read'],
  auditor: ['audit:read', 'runs:read'],
  nobody: [],
};

/** The fake keys: `trb_<role>_<secret>` → identity of that role. */
export const KEYS = Object.freeze({
  admin: 'trb_admin0000_s3cretadminkeyvalue0000000000',
  analyst: 'trb_analyst00_s3cretanalystkeyvalue000000000',
  engineer: 'trb_engineer0_s3cretengineerkeyvalue00000000',
  auditor: 'trb_auditor00_s3cretauditorkeyvalue000000000',
  nobody: 'trb_nobody000_s3cretnobodykeyvalue0000000000',
});

/** Looks like a fake key. */
export const looksLikeApiKey = (s: string): boolean => /^trb_[a-z0-9]{9}_[A-Za-z0-9]{20,}$/.test(s);

/** A query engine returning `rows` in batches of `batchSize`, waiting `delayMs` before each. */
export function fakeQueryEngine(o: { rows?: readonly (readonly Cell[])[]; batchSize?: number; delayMs?: number; relations?: readonly VisibleRelation[] } = {}): QueryEngine & { readonly closed: string[] } {
  const closed: string[] = [];
  const rows = o.rows ?? [[1, 'a'], [2, 'b'], [3, 'c,"d"']];
  return {
    closed,
    async query(_id: Identity, sql: string): Promise<QueryStream> {
      if (!/^\s*select\b/i.test(sql)) throw Validation({ reason: 'only SELECT statements are allowed' });
      let isClosed = false;
      return {
        columns: [{ name: 'n', type: 'BIGINT' }, { name: 's', type: 'VARCHAR' }],
        async *batches() {
          const size = o.batchSize ?? 2;
          for (let i = 0; i < rows.length && !isClosed; i += size) {
            if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
            yield rows.slice(i, i + size);
          }
        },
        async close() { if (!isClosed) { isClosed = true; closed.push(sql); } },
      };
    },
    async describe() { return { params: [], columns: [] }; },
    async relations(id: Identity) {
      return o.relations ?? [{ name: 'access', columns: [
        { name: 'ts', type: 'TIMESTAMP WITH TIME ZONE', pii: 'none', masked: false },
        { name: 'client_ip', type: 'VARCHAR', pii: 'personal', masked: !id.permissions.has('pii:read') },
      ] }];
    },
    async close() {},
  };
}

/** An audit trail keeping events in memory. */
export function memoryAudit(): AuditTrail & { readonly events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return { events, async record(e) { events.push(e); } };
}

/** A finished run record. */
export function runRecord(id: string, pipeline: string, status: RunRecord['status'] = 'succeeded', stages: Record<string, { in: number; passed: number; rejected: number; filtered: number }> = { parse: { in: 10, passed: 8, rejected: 2, filtered: 0 } }): RunRecord {
  return {
    id, pipeline, config_hash: 'h', trigger: 'cli', status, started_at: '2026-01-01T00:00:00.000Z', finished_at: '2026-01-01T00:00:30.000Z',
    counts: { linesRead: 10, landed: 8, quarantined: 2, filtered: 0, quarantineByReason: { parse_failed: 2 }, stages, locations: [{ path: '/secret/path' }] },
    error_code: null, error_message: null,
  };
}

/** Options of {@link fakeDeps}. */
export interface FakeDepsOptions {
  readonly revoked?: Set<string>;
  readonly engine?: QueryEngine;
  readonly roleCidrs?: Readonly<Record<string, readonly string[]>>;
  readonly quarantine?: readonly QuarantineRow[];
}

/** Every seam faked; `runs` is a mutable array the test can push to. */
export function fakeDeps(o: FakeDepsOptions = {}): AppDeps & { readonly auditEvents: AuditEvent[]; readonly runList: RunRecord[]; readonly revoked: Set<string> } {
  const audit = memoryAudit();
  const runList: RunRecord[] = [];
  const revoked = o.revoked ?? new Set<string>();
  const identityOf = (key: string): Identity | undefined => {
    const role = (Object.entries(KEYS).find(([, k]) => k === key) ?? [])[0];
    if (!role) return undefined;
    return { subject: `key:${key.slice(0, 13)}`, role, permissions: new Set(ROLE_PERMISSIONS[role]), method: 'api_key', keyId: key.slice(0, 13) };
  };
  const runs = {
    listRuns: async (q?: { pipeline?: string; limit?: number }) => runList.filter((r) => !q?.pipeline || r.pipeline === q.pipeline).slice(0, q?.limit ?? 100),
    getRun: async (id: string) => runList.find((r) => r.id === id),
  };
  return {
    auditEvents: audit.events, runList, revoked,
    authenticate: async ({ authorization }) => {
      const m = /^Bearer (\S+)$/.exec(authorization);
      const id = m?.[1] ? identityOf(m[1]) : undefined;
      if (!id) throw FakeKeyRefused({ reason: 'unknown key' });
      if (revoked.has(id.keyId ?? '')) throw FakeKeyRefused({ reason: 'revoked' });
      return id;
    },
    keyStillValid: async (keyId) => !revoked.has(keyId),
    looksLikeApiKey,
    roles: {
      permissions: (role) => (ROLE_PERMISSIONS[role] ? new Set(ROLE_PERMISSIONS[role]) : undefined),
      allowedCidrs: (role) => o.roleCidrs?.[role],
    },
    queryEngine: o.engine ?? fakeQueryEngine(),
    runs,
    pipelines: {
      list: async () => [{ name: 'web', file: 'web.yaml' }],
      validate: async () => ({ ok: true, problems: [] }),
      start: async (name, actor) => {
        const id = `run-${runList.length + 1}`;
        runList.unshift({ ...runRecord(id, name), trigger: 'api' });
        await audit.record({ actor, action: 'run.start', target: name, outcome: 'ok' });
        return { runId: id };
      },
    },
    audit,
    auditReader: {
      list: async () => audit.events.map((e, i) => ({ seq: i + 1, ts: '2026-01-01T00:00:00.000Z', actor: e.actor, action: e.action, target: e.target, outcome: e.outcome, requestId: e.requestId ?? 'r', details: e.details ?? null, prevHash: 'p', hash: `h${i}`, mac: 'm', keyVersion: 1 })),
      verify: async () => ({ ok: true, entries: audit.events.length, lastSeq: audit.events.length, headHash: 'h', anchors: 0 }),
    },
    quarantine: { browse: async () => o.quarantine ?? [] },
    readiness: { control_store: async () => {}, warehouse: async () => {} },
    metrics: createServerMetrics({ runs, processMetrics: false }),
  };
}

/** A `server:` section with defaults and the given overrides. */
export function serverSection(over: Record<string, unknown> = {}): ServerSection {
  return ServerSection.parse(over);
}

/** `Authorization` header of a fake key. */
export const bearer = (role: keyof typeof KEYS): { authorization: string } => ({ authorization: `Bearer ${KEYS[role]}` });
