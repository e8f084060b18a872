/**
 * The PostgreSQL wire gateway: a TCP listener speaking the PostgreSQL v3 protocol through
 * pg-gateway. TLS is required (TLS 1.2+, unless the explicit insecure development flag is set),
 * authentication is SCRAM-SHA-256 only, every authentication failure is audited, connections are
 * bounded, idle sessions time out and oversized messages are refused. Authenticated sessions are
 * answered by {@link WireSession} over the {@link QueryEngine}.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { BackendError, PostgresConnection, closeSignal, type ConnectionState, type MessageResponse } from 'pg-gateway';
import { can, type Identity } from '../../security/identity/identity.js';
import type { QueryEngine } from '../../query/query-engine.js';
import type { AuditTrail } from '../../security/audit/audit-trail.js';
import { backendKeyData, errorResponse, parameterStatus } from './protocol/backend-messages.js';
import { SQLSTATE } from './sqlstate.js';
import { socketDuplex, type DuplexHooks } from './socket-duplex.js';
import { gatewaySecureContext, upgradeSocket, type GatewayTls } from './tls-upgrade.js';
import { createVerifierResolver, type ScramLookup } from './scram-verifiers.js';
import { SessionFatal, WireSession } from './wire-session.js';
import { PgWireTlsRequired } from './errors.js';

/** Options of {@link startPgWireServer}. */
export interface PgWireServerOptions {
  readonly host?: string;
  /** 0 picks a free port (see the returned `port`). */
  readonly port: number;
  /** Certificate and key (PEM); required unless `insecureNoTls`. */
  readonly tls?: GatewayTls;
  /** Development only: accept plain-text sessions. */
  readonly insecureNoTls?: boolean;
  readonly scram: { readonly lookup: ScramLookup; readonly iterations?: number };
  readonly engine: QueryEngine;
  /** Builds the identity of an authenticated wire user (method `scram`). */
  identityFor(user: string, role: string, address: string | undefined): Identity | Promise<Identity>;
  readonly audit: AuditTrail;
  readonly maxConnections?: number;
  readonly idleTimeoutMs?: number;
  readonly authTimeoutMs?: number;
  readonly maxMessageBytes?: number;
}

/** A running gateway. */
export interface PgWireServer {
  readonly port: number;
  /** Number of open client connections. */
  connections(): number;
  /** Stops listening and ends every session (FATAL 57P01 to clients). Safe to call twice. */
  close(): Promise<void>;
}

const SERVER_VERSION = '15.0';
const VERSION_STRING = 'PostgreSQL 15.0 (Tributary SQL gateway; DuckDB engine) on x86_64-pc-linux-gnu, 64-bit';
const CANCEL_REQUEST = 80877102;
const GSSENC_REQUEST = 80877104;

interface Live { readonly socket: Socket; session: WireSession | undefined; readonly secret: number }

/**
 * Starts the gateway; resolves once it listens. Throws `TRB_PGWIRE_TLS_REQUIRED` without TLS
 * material unless `insecureNoTls` is set.
 */
export async function startPgWireServer(opts: PgWireServerOptions): Promise<PgWireServer> {
  if (!opts.tls && opts.insecureNoTls !== true) throw PgWireTlsRequired({});
  const context = opts.tls ? gatewaySecureContext(opts.tls) : undefined;
  const resolve = createVerifierResolver(opts.scram.lookup, opts.scram.iterations ?? 4096);
  const maxConnections = opts.maxConnections ?? 64;
  const idleMs = opts.idleTimeoutMs ?? 900_000;
  const authMs = opts.authTimeoutMs ?? 30_000;
  const live = new Map<number, Live>();
  const sockets = new Set<Socket>();
  const counted = new Set<Socket>();
  /** Where to write out-of-band FATAL messages: the TLS socket once the session is encrypted. */
  const outs = new Map<Socket, { end(b: Uint8Array): void }>();
  const fatal = (socket: Socket, code: string, message: string): void => {
    (outs.get(socket) ?? socket).end(errorResponse({ severity: 'FATAL', code, message }));
  };
  const sessions = (): number => counted.size;

  const server: Server = createServer((socket) => {
    // Over the limit, the client still gets its TLS handshake and then FATAL 53300 in answer to its
    // startup message, as PostgreSQL does (an error in place of the SSLRequest answer confuses
    // drivers); beyond twice the limit the socket is dropped at once.
    if (sockets.size >= 2 * maxConnections) { socket.destroy(); return; }
    const overLimit = sessions() >= maxConnections;
    sockets.add(socket);
    if (!overLimit) counted.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    const address = socket.remoteAddress;
    let pid = 0;
    while (pid === 0 || live.has(pid)) pid = randomInt(1, 2 ** 31 - 1);
    const entry: Live = { socket, session: undefined, secret: randomInt(0, 2 ** 31 - 1) };
    const hooks: DuplexHooks = { maxMessageBytes: opts.maxMessageBytes ?? 1 << 20, beforeReady: undefined };
    let role: string | undefined;
    const authTimer = setTimeout(() => socket.destroy(), authMs);
    const audit = (user: string, reason: string): Promise<void> => opts.audit.record({
      actor: `user:${user}`, action: 'auth.fail', target: 'pgwire', outcome: 'denied',
      details: { interface: 'pgwire', address: address ?? null, reason },
    });

    socket.setTimeout(idleMs, () => {
      // A query in progress is not idleness: re-arm and look again later.
      if (entry.session?.busy) { socket.setTimeout(idleMs); return; }
      fatal(socket, SQLSTATE.idleSessionTimeout, 'terminating connection due to idle-session timeout');
    });
    socket.once('close', () => {
      clearTimeout(authTimer);
      sockets.delete(socket);
      counted.delete(socket);
      outs.delete(socket);
      live.delete(pid);
      void entry.session?.close();
    });

    new PostgresConnection(socketDuplex(socket, hooks, !context), {
      serverVersion: SERVER_VERSION,
      // pg-gateway answers an SSLRequest with 'S' only when `tls` is set; the material itself is in
      // `context`, used by our own upgradeTls adapter below.
      ...(context ? { tls: { key: new ArrayBuffer(0), cert: new ArrayBuffer(0) } } : {}),
      auth: {
        method: 'scram-sha-256',
        async getScramSha256Data({ username }) {
          const v = await resolve(username);
          role = v.role;
          return v.data;
        },
        async validateCredentials({ authMessage, clientProof, username, scramSha256Data }) {
          // The dummy verifier of an unknown user never verifies; the client sees the same failure
          // either way, the audit entry (operators only) says which it was.
          const ok = verifyProof(authMessage, clientProof, scramSha256Data.storedKey);
          if (ok && role !== undefined) return true;
          await audit(username, role === undefined ? 'unknown_user' : 'bad_password');
          return false;
        },
      },
      onMessage(data, state) { return route(data, state); },
      async onAuthenticated(state) {
        clearTimeout(authTimer);
        const user = state.clientParams?.user ?? '';
        const identity = await Promise.resolve(opts.identityFor(user, role as string, address)).catch(() => undefined);
        if (!identity || !can(identity, 'sql:query')) {
          // Authenticated but not allowed to query (role without `sql:query`, identity refused):
          // the session ends here, and it is an authentication failure for the audit log.
          await audit(user, identity ? 'no_sql_permission' : 'identity_refused');
          throw BackendError.create({ severity: 'FATAL', code: SQLSTATE.insufficientPrivilege, message: `role of user "${user}" may not query over this interface` });
        }
        entry.session = new WireSession({
          engine: opts.engine, identity, user, database: state.clientParams?.database ?? user,
          backendPid: pid, versionString: VERSION_STRING,
        });
        live.set(pid, entry);
        hooks.beforeReady = [
          ...[['server_encoding', 'UTF8'], ['client_encoding', 'UTF8'], ['DateStyle', 'ISO, MDY'], ['TimeZone', 'UTC'],
            ['integer_datetimes', 'on'], ['standard_conforming_strings', 'on'], ['IntervalStyle', 'postgres'],
            ['is_superuser', 'off'], ['session_authorization', user], ['application_name', state.clientParams?.application_name ?? '']]
            .map(([k, v]) => parameterStatus(k as string, v as string)),
          backendKeyData(pid, entry.secret),
        ];
        await opts.audit.record({ actor: `user:${user}`, action: 'auth.login', target: 'pgwire', outcome: 'ok', details: { interface: 'pgwire', address: address ?? null } });
      },
    }, context ? { upgradeTls: (duplex) => upgradeSocket(duplex, context, hooks, (tls) => { tls.on('error', () => undefined); outs.set(socket, tls); }) } : {});

    function route(data: Uint8Array, state: ConnectionState): MessageResponse {
      if (state.step === 'AwaitingInitialMessage' && data.length >= 8) {
        const code = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4);
        if (code === CANCEL_REQUEST && data.length === 16) return cancel(data);
        if (code === GSSENC_REQUEST) return [Uint8Array.of('N'.charCodeAt(0))];
        if (code === 196608 && context && !state.tlsInfo) {
          void audit(startupUser(data), 'tls_required');
        } else if (code === 196608 && overLimit) {
          return [errorResponse({ severity: 'FATAL', code: SQLSTATE.tooManyConnections, message: 'sorry, too many clients already' }), closeSignal as unknown as Uint8Array];
        }
        return undefined;
      }
      if (state.step !== 'ReadyForQuery' || !entry.session || data[0] === 'X'.charCodeAt(0)) return undefined;
      return guarded(entry.session.handle(data));
    }
  });

  function cancel(data: Uint8Array): MessageResponse {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const target = live.get(v.getInt32(8));
    if (target && target.secret === v.getInt32(12)) target.session?.cancel();
    return (async function* () { yield closeSignal as unknown as Uint8Array; })();
  }

  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => { server.off('error', ko); ok(); });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  let closed: Promise<void> | undefined;
  return {
    port,
    connections: () => counted.size,
    close() {
      closed ??= new Promise<void>((ok) => {
        server.close(() => ok());
        for (const s of sockets) fatal(s, SQLSTATE.adminShutdown, 'terminating connection due to administrator command');
        setTimeout(() => { for (const s of sockets) s.destroy(); }, 1000).unref();
      });
      return closed;
    },
  };
}

/** Wraps a session's answer so that a fatal protocol error closes the connection cleanly. */
async function* guarded(gen: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array, Uint8Array> {
  try {
    yield* gen;
  } catch (err) {
    if (!(err instanceof SessionFatal)) {
      yield errorResponse({ severity: 'FATAL', code: SQLSTATE.internal, message: 'internal error; the server log has the details' });
    }
    yield closeSignal as unknown as Uint8Array;
  }
  // A return value tells pg-gateway the message was handled even when nothing was yielded
  // (messages skipped until Sync, Flush); otherwise it would answer "not implemented".
  return new Uint8Array(0);
}

/** The `user` parameter of a StartupMessage, for the audit line of a refused plain-text startup. */
function startupUser(msg: Uint8Array): string {
  const parts = new TextDecoder().decode(msg.subarray(8)).split('\0');
  const i = parts.indexOf('user');
  return i >= 0 ? (parts[i + 1] ?? '') : '';
}

/** SCRAM ClientProof check with node:crypto (RFC 5802: H(ClientProof XOR HMAC(StoredKey, AuthMessage)) = StoredKey, timing-safe). */
function verifyProof(authMessage: string, clientProof: string, storedKeyB64: string): boolean {
  const storedKey = Buffer.from(storedKeyB64, 'base64');
  const proof = Buffer.from(clientProof, 'base64');
  if (proof.length !== 32 || storedKey.length !== 32) return false;
  const signature = createHmac('sha256', storedKey).update(authMessage).digest();
  const clientKey = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) clientKey[i] = (proof[i] ?? 0) ^ (signature[i] ?? 0);
  return timingSafeEqual(createHash('sha256').update(clientKey).digest(), storedKey);
}
