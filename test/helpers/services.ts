/**
 * Real services for integration tests. `requireService(name)` returns a connection URL for a service
 * that runs on this machine. Outside CI, a missing service skips the test loudly (printed reason and
 * how to start it); in CI (`CI=true`) or with `TRB_REQUIRE_SERVICES=1` a missing service fails.
 */
import { createConnection } from 'node:net';
import type { TestContext } from 'node:test';

/** Services the test suites use, their default URL and how to start them. */
export const SERVICES = {
  postgresql: { url: process.env.TRB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', port: 5432,
    start: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start" },
  mariadb: { url: process.env.TRB_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test', port: 3306,
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd' },
  nats: { url: process.env.TRB_TEST_NATS_URL ?? 'nats://127.0.0.1:4222', port: 4222,
    start: 'nats-server -js (see .ci/run)' },
  redis: { url: 'redis://127.0.0.1:6379', port: 6379, start: 'redis-server --daemonize yes' },
} as const;

/** Name of a service tests can require. */
export type ServiceName = keyof typeof SERVICES;

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.setTimeout(1000);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}

/**
 * Returns the service URL, or (outside CI) skips `t` with a printed reason and returns null.
 * In CI a missing service throws, so the suite fails loudly instead of passing on a skip.
 */
export async function requireService(t: TestContext, name: ServiceName): Promise<string | null> {
  const svc = SERVICES[name];
  if (await reachable(svc.port)) return svc.url;
  const reason = `${name} is not reachable on 127.0.0.1:${svc.port}; start it with: ${svc.start}`;
  if (process.env.CI === 'true' || process.env.TRB_REQUIRE_SERVICES === '1') throw new Error(`Required service missing: ${reason}`);
  console.warn(`SKIP (service missing): ${reason}`);
  t.skip(reason);
  return null;
}

/**
 * Returns the service URL, or throws when it is not reachable: for suites that must fail, never
 * skip, without their service (the `postgres` sink's contract and parity tests).
 */
export async function needService(name: ServiceName): Promise<string> {
  const svc = SERVICES[name];
  if (await reachable(svc.port)) return svc.url;
  throw new Error(`Required service missing: ${name} is not reachable on 127.0.0.1:${svc.port}; start it with: ${svc.start}`);
}
