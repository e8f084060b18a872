/**
 * One download of a reputation list with Node's fetch: a conditional request (If-None-Match /
 * If-Modified-Since from the cached copy), redirects followed by hand (at most 5, each target held
 * to the same URL policy, configured headers only to the original origin), the whole download
 * bounded by a timeout, and the body streamed to a temp file that is refused as soon as it passes
 * `maxBytes`. The outcome is a value; reasons name no URL path, query or header value.
 */
import { open, rm } from 'node:fs/promises';
import { scrubSecrets } from '../../core/secret-scrubber.js';
import type { SecretValue } from '../../core/secret-value.js';
import { LIST_FILE_MODE } from './list-cache.js';
import { listUrlProblem } from './list-url.js';

const MAX_REDIRECTS = 5;
const USER_AGENT = 'tributary (threat stage; reputation list refresh)';
/** HTTP statuses worth retrying later (the rest are refused: retrying cannot help). */
const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** What to download and where to. */
export interface ListRequest {
  readonly url: string;
  /** Configured headers (resolved secrets), sent to the URL's origin only. */
  readonly headers: Readonly<Record<string, SecretValue>>;
  readonly allowInsecureHttp: boolean;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Validators of the cached copy, when there is one. */
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  /** Path the body is written to (created exclusively, mode 0640, fsynced); removed on failure. */
  readonly tempFile: string;
}

/** The outcome of {@link downloadList}. */
export type DownloadOutcome =
  | { readonly kind: 'downloaded'; readonly bytes: number; readonly etag?: string; readonly lastModified?: string }
  | { readonly kind: 'not_modified' }
  /** `transient`: network, timeout, 408/425/429/5xx (retry may help); otherwise refused. */
  | { readonly kind: 'failed'; readonly transient: boolean; readonly reason: string; readonly cause?: unknown };

const failed = (transient: boolean, reason: string, cause?: unknown): DownloadOutcome =>
  ({ kind: 'failed', transient, reason: scrubSecrets(reason), ...(cause === undefined ? {} : { cause }) });

/** The configured headers' values; a string when one cannot be sent (the reason, naming no value). */
function revealHeaders(headers: Readonly<Record<string, SecretValue>>): readonly (readonly [string, string])[] | string {
  const out: [string, string][] = [];
  for (const [name, secret] of Object.entries(headers)) {
    const value = secret.reveal();
    // Checked here because Headers.set would quote the value in its error message.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) return `the value of header \`${name}\` holds a character HTTP does not allow (a line break, control or non-Latin-1 character)`;
    out.push([name, value]);
  }
  return out;
}

function requestHeaders(req: ListRequest, configured: readonly (readonly [string, string])[], sendConfigured: boolean): Headers {
  const h = new Headers({ 'user-agent': USER_AGENT, accept: 'text/plain, text/csv;q=0.9, */*;q=0.5' });
  if (req.etag !== undefined) h.set('if-none-match', req.etag);
  if (req.lastModified !== undefined) h.set('if-modified-since', req.lastModified);
  if (sendConfigured) for (const [name, value] of configured) h.set(name, value);
  return h;
}

/** Why fetch rejected, without the URL (undici's cause names the address and the system error). */
function networkReason(err: unknown, timedOut: boolean, timeoutMs: number, stopped: boolean): string {
  if (timedOut) return `no complete answer within ${timeoutMs / 1000}s (timeout_secs)`;
  if (stopped) return 'the run was stopped during the download';
  if (typeof (err as { syscall?: unknown }).syscall === 'string' && (err as { cause?: unknown }).cause === undefined) {
    return `cannot write the downloaded copy: ${(err as Error).message}`;
  }
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return `network error: ${detail}`;
}

/** Streams `body` into `file`, failing once more than `maxBytes` arrived. */
async function saveBody(body: ReadableStream<Uint8Array>, file: string, maxBytes: number): Promise<number | DownloadOutcome> {
  const fh = await open(file, 'wx', LIST_FILE_MODE);
  const reader = body.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return failed(false, `the list is larger than max_bytes (${maxBytes} bytes); raise \`max_bytes\` if that is expected`);
      }
      await fh.write(value);
    }
    await fh.sync();
    return bytes;
  } finally {
    await fh.close();
  }
}

/** The request loop of {@link downloadList} (it removes the temp file of a failed attempt). */
async function attempt(req: ListRequest, signal: AbortSignal, timeout: AbortSignal): Promise<DownloadOutcome> {
  const origin = new URL(req.url).origin;
  let target = new URL(req.url);
  const configured = revealHeaders(req.headers);
  if (typeof configured === 'string') return failed(false, configured);
  try {
    for (let hop = 0; ; hop++) {
      const headers = requestHeaders(req, configured, target.origin === origin);
      const res = await fetch(target, { headers, redirect: 'manual', signal: AbortSignal.any([signal, timeout]) });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && location !== null) {
        await res.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) return failed(false, `more than ${MAX_REDIRECTS} redirects`);
        const next = URL.canParse(location, target.href) ? new URL(location, target) : undefined;
        if (next === undefined) return failed(false, `HTTP ${res.status} redirect without a valid Location`);
        const problem = listUrlProblem(next, { allowInsecureHttp: req.allowInsecureHttp, withHeaders: next.origin === origin && Object.keys(req.headers).length > 0 });
        if (problem !== undefined) return failed(false, `redirected to ${next.host}, whose URL ${problem}`);
        target = next;
        continue;
      }
      if (res.status === 304) {
        await res.body?.cancel().catch(() => undefined);
        return req.etag === undefined && req.lastModified === undefined ? failed(false, 'HTTP 304 to an unconditional request') : { kind: 'not_modified' };
      }
      if (res.status !== 200 || res.body === null) {
        await res.body?.cancel().catch(() => undefined);
        return failed(TRANSIENT_STATUS.has(res.status), `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > req.maxBytes) {
        await res.body.cancel().catch(() => undefined);
        return failed(false, `the server announces ${declared} bytes, more than max_bytes (${req.maxBytes}); raise \`max_bytes\` if that is expected`);
      }
      const saved = await saveBody(res.body, req.tempFile, req.maxBytes);
      if (typeof saved !== 'number') return saved;
      const etag = res.headers.get('etag');
      const lastModified = res.headers.get('last-modified');
      return { kind: 'downloaded', bytes: saved, ...(etag === null ? {} : { etag }), ...(lastModified === null ? {} : { lastModified }) };
    }
  } catch (err) {
    return failed(true, networkReason(err, timeout.aborted, req.timeoutMs, signal.aborted), err);
  }
}

/**
 * Downloads `req.url` into `req.tempFile`. Never throws for a download problem: failures are
 * `{ kind: 'failed' }` with a reason for the user, and then no temp file is left behind. A
 * `downloaded` outcome hands the (fsynced) temp file to the caller. `signal` aborts the download.
 */
export async function downloadList(req: ListRequest, signal: AbortSignal): Promise<DownloadOutcome> {
  const outcome = await attempt(req, signal, AbortSignal.timeout(req.timeoutMs));
  if (outcome.kind !== 'downloaded') await rm(req.tempFile, { force: true });
  return outcome;
}
