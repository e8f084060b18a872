/**
 * A real HTTP server on 127.0.0.1 (node:http, random port) serving files the test sets and changes
 * while it runs, with ETag / If-None-Match support, and recording every request. Closed when the
 * test ends.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** What a path answers. */
export interface ServedFile {
  readonly body?: string | Buffer;
  /** Default 200. */
  readonly status?: number;
  /** Sent as `ETag`; a request whose `If-None-Match` equals it gets 304. */
  readonly etag?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Delay before answering, in ms. */
  readonly delayMs?: number;
}

/** A request the server received. */
export interface ServedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

/** The running server. */
export interface HttpFileServer {
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /** Serves `file` at `path` from now on (unknown paths answer 404). */
  set(path: string, file: ServedFile): void;
  readonly requests: ServedRequest[];
}

/** Starts a server for `t` (closed after it, open connections included). */
export async function startHttpFileServer(t: TestContext): Promise<HttpFileServer> {
  const files = new Map<string, ServedFile>();
  const requests: ServedRequest[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const f = files.get(path);
    const answer = (): void => {
      if (f === undefined) {
        res.writeHead(404).end('not found');
        requests.push({ path, headers: req.headers, status: 404 });
        return;
      }
      const notModified = f.etag !== undefined && req.headers['if-none-match'] === f.etag;
      const status = notModified ? 304 : f.status ?? 200;
      requests.push({ path, headers: req.headers, status });
      const length = notModified || f.body === undefined || f.headers?.['transfer-encoding'] !== undefined ? {} : { 'content-length': String(Buffer.byteLength(f.body)) };
      res.writeHead(status, { ...(f.etag === undefined ? {} : { etag: f.etag }), ...length, ...f.headers });
      res.end(notModified ? undefined : f.body);
    };
    if (f?.delayMs) setTimeout(answer, f.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const { port } = server.address() as AddressInfo;
  return { url: (path) => `http://127.0.0.1:${port}${path}`, set: (path, file) => { files.set(path, file); }, requests };
}
