/**
 * Starts a gateway for tests: the {@link MemoryQueryEngine}, a throwaway CA, wire user `alice`
 * (role `analyst`, password {@link ALICE_PASSWORD}) with a verifier made by pg-gateway's
 * createScramSha256Data, and an in-memory audit trail whose events the test can read.
 */
import { createScramSha256Data, type ScramSha256Data } from 'pg-gateway';
import type { AuditEvent, AuditTrail } from '../../../security/audit/audit-trail.js';
import type { Identity, Permission } from '../../../security/identity/identity.js';
import { startPgWireServer, type PgWireServer, type PgWireServerOptions } from '../start-pg-wire-server.js';
import { MemoryQueryEngine } from './memory-query-engine.js';
import { createThrowawayCa, type ThrowawayCa } from './throwaway-ca.js';

/** Alice's password (test only). */
export const ALICE_PASSWORD = 'correct horse battery staple';

/** A running test gateway. */
export interface TestGateway {
  readonly server: PgWireServer;
  readonly engine: MemoryQueryEngine;
  readonly ca: ThrowawayCa;
  readonly audit: AuditEvent[];
  close(): Promise<void>;
}

/** Starts the gateway; `overrides` replace any option (e.g. limits, insecureNoTls). */
export async function startTestGateway(overrides: Partial<PgWireServerOptions> = {}, ca = createThrowawayCa()): Promise<TestGateway> {
  const engine = await MemoryQueryEngine.create();
  const users = new Map<string, { data: ScramSha256Data; role: string }>([
    ['alice', { data: await createScramSha256Data(ALICE_PASSWORD), role: 'analyst' }],
  ]);
  const audit: AuditEvent[] = [];
  const trail: AuditTrail = { record: async (e) => { audit.push(e); } };
  const server = await startPgWireServer({
    port: 0,
    tls: { cert: ca.cert, key: ca.key, minVersion: 'TLSv1.2' },
    scram: { lookup: async (u) => users.get(u) },
    engine,
    identityFor: (user, role, address): Identity => ({
      subject: `user:${user}`, role, method: 'scram', ...(address ? { address } : {}),
      permissions: new Set<Permission>(['sql:query', 'datasets:read']),
    }),
    audit: trail,
    ...overrides,
  });
  return {
    server, engine, ca, audit,
    async close() { await server.close(); await engine.close(); },
  };
}
