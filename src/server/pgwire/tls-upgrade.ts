/**
 * The TLS upgrade for pg-gateway (its `upgradeTls` adapter), done here rather than by
 * `pg-gateway/node` so that the minimum protocol version is explicit (TLS 1.2 or 1.3, never lower
 * whatever Node's defaults) and the TLS socket gets the same guards as the plain one.
 */
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import type { DuplexStream, TlsInfo } from 'pg-gateway';
import { socketDuplex, type DuplexHooks } from './socket-duplex.js';

/** Certificate, key and minimum version of the listener. */
export interface GatewayTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
}

/** A secure context for the gateway's listener. */
export function gatewaySecureContext(tls: GatewayTls): SecureContext {
  return createSecureContext({ cert: tls.cert, key: tls.key, minVersion: tls.minVersion });
}

function closedDuplex(): DuplexStream<Uint8Array> {
  return {
    readable: new ReadableStream<Uint8Array>({ start(c) { c.close(); } }),
    writable: new WritableStream<Uint8Array>(),
  };
}

/**
 * Upgrades the plain duplex of a connection that answered `S` to an SSLRequest; resolves once the
 * handshake is done (a failed handshake, e.g. a TLS version below the minimum, destroys the socket). The
 * guarded duplex of the TLS socket replaces the plain one.
 */
export async function upgradeSocket(
  plain: DuplexStream<Uint8Array>, context: SecureContext, hooks: DuplexHooks, onSocket: (tls: TLSSocket) => void,
): Promise<{ duplex: DuplexStream<Uint8Array>; tlsInfo: TlsInfo }> {
  const tls = new TLSSocket(Duplex.fromWeb(plain as never), { isServer: true, secureContext: context });
  onSocket(tls);
  try {
    await once(tls, 'secure');
  } catch {
    // A failed handshake (version below the minimum, bad record) ends the connection here; handing
    // pg-gateway a closed duplex lets it finish quietly instead of aborting a locked stream.
    tls.destroy();
    return { duplex: closedDuplex(), tlsInfo: {} };
  }
  return { duplex: socketDuplex(tls, hooks, true), tlsInfo: {} };
}
