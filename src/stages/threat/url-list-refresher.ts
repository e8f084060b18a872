/**
 * Keeps the cached copy of one `url` reputation list current, on the main thread. A download is
 * checked (parsed as a list, not empty, mostly addresses) before it replaces the last good copy;
 * one download at a time per list. The workers read the copy as a plain `file` list and pick up a
 * replacement through their FileWatch.
 */
import { readFile, rm } from 'node:fs/promises';
import type { Logger } from '../../core/component.js';
import { isTributaryError, toTributaryError, type ErrorFactory, type TributaryError } from '../../core/errors.js';
import type { ReputationListConfig } from './config.js';
import { downloadList } from './download-list.js';
import { formatDuration } from './duration.js';
import { ListDownloadFailed, ListDownloadRefused, type ListDownloadDetails } from './errors.js';
import { urlFingerprint, type ListCache, type ListCacheMeta } from './list-cache.js';
import { urlHost } from './list-url.js';
import { readReputationList } from './reputation-list.js';

/** After a failed scheduled refresh, the next attempt comes after `refresh` or this, whichever is sooner. */
const RETRY_AFTER_FAILURE_MS = 5 * 60_000;
/** setTimeout's limit; a longer wait is taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Share of malformed lines above which a download is not taken for a list. */
const MAX_INVALID_SHARE = 0.1;
/** Temp files older than this are leftovers of a crash (a download is bounded by `timeout_secs` <= 1 h). */
const STALE_TEMP_MS = 2 * 3600_000;

/** A `url` list's config. */
export type UrlListConfig = ReputationListConfig & { readonly url: string };

/** The result of one refresh: the copy is current, or why it could not be refreshed. */
export type RefreshResult =
  | { readonly ok: true; readonly outcome: 'downloaded' | 'not_modified' }
  | { readonly ok: false; readonly error: TributaryError };

/** What a {@link UrlListRefresher} works with. */
export interface UrlListRefresherOptions {
  /** The stage id (for messages). */
  readonly stage: string;
  readonly list: UrlListConfig;
  readonly cache: ListCache;
  readonly log: Logger;
  /** Aborts downloads and stops the schedule (the run's signal). */
  readonly signal: AbortSignal;
}

/** See the module doc. Create one per list and run; {@link close} it when the run ends. */
export class UrlListRefresher {
  readonly #o: UrlListRefresherOptions;
  readonly #urlSha256: string;
  readonly #refreshMs: number;
  readonly #ac = new AbortController();
  readonly #onAbort = (): void => this.#ac.abort();
  #inflight: Promise<RefreshResult> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: UrlListRefresherOptions) {
    this.#o = opts;
    this.#urlSha256 = urlFingerprint(opts.list.url);
    this.#refreshMs = opts.list.refresh * 1000;
    if (opts.signal.aborted) this.#ac.abort();
    else opts.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** The cached copy's path (what the workers read). */
  get file(): string {
    return this.#o.cache.file;
  }

  #fields(): Omit<ListDownloadDetails, 'reason'> {
    return { stage: this.#o.stage, list: this.#o.list.name, host: urlHost(this.#o.list.url) };
  }

  /** Age of the cached copy in ms, or undefined when there is none (or its clock is ahead). */
  #age(meta: ListCacheMeta | undefined, now = Date.now()): number | undefined {
    const age = meta === undefined ? undefined : now - Date.parse(meta.checked_at);
    return age === undefined || age < 0 ? undefined : age;
  }

  /**
   * Makes sure a copy is there for a run: downloads when the cached copy is missing or older than
   * `refresh`. When that download fails, a cached copy is used (warning with its age); without one
   * it throws `TRB_CONNECT_LIST_DOWNLOAD_FAILED` (transient) or `TRB_SOURCE_LIST_DOWNLOAD_REFUSED`.
   * Removes temp files a crash left first.
   */
  async ensure(): Promise<void> {
    await this.#o.cache.sweepTemps(STALE_TEMP_MS);
    const meta = this.#o.cache.current(this.#urlSha256);
    const age = this.#age(meta);
    if (meta !== undefined && age !== undefined && age < this.#refreshMs) {
      this.#o.log.debug({ ...this.#fields(), age: formatDuration(age / 1000) }, 'Reputation list cached copy is fresh');
      return;
    }
    const r = await this.refresh();
    if (r.ok) return;
    if (meta === undefined) throw r.error;
    this.#warnFallback(r.error, 'Reputation list download failed; using the cached copy');
  }

  #warnFallback(error: TributaryError, msg: string): void {
    const age = this.#age(this.#o.cache.current(this.#urlSha256));
    this.#o.log.warn({
      ...this.#fields(), code: error.code, reason: String(error.details['reason'] ?? error.message),
      ...(age === undefined ? {} : { cached_age: formatDuration(age / 1000), cached_age_secs: Math.round(age / 1000) }),
    }, msg);
  }

  /**
   * Downloads now (conditionally) unless a download of this list is already running, then shares
   * its result. Never rejects: a local failure (e.g. the disk is full) is a result with `TRB_INTERNAL`.
   */
  refresh(): Promise<RefreshResult> {
    this.#inflight ??= this.#refreshOnce()
      .catch((err: unknown): RefreshResult => ({ ok: false, error: toTributaryError(err) }))
      .finally(() => { this.#inflight = undefined; });
    return this.#inflight;
  }

  #fail(factory: ErrorFactory<ListDownloadDetails>, reason: string, cause?: unknown): RefreshResult {
    return { ok: false, error: factory({ ...this.#fields(), reason }, cause) };
  }

  async #refreshOnce(): Promise<RefreshResult> {
    const { cache } = this.#o;
    const meta = cache.current(this.#urlSha256);
    const temp = await cache.tempFile();
    try {
      return await this.#downloadInto(temp, meta);
    } finally {
      await rm(temp, { force: true }); // gone already when installed
    }
  }

  async #downloadInto(temp: string, meta: ListCacheMeta | undefined): Promise<RefreshResult> {
    const { cache, list } = this.#o;
    const out = await downloadList({
      url: list.url, headers: list.headers ?? {}, allowInsecureHttp: list.allow_insecure_http,
      timeoutMs: list.timeout_secs * 1000, maxBytes: list.max_bytes, etag: meta?.etag, lastModified: meta?.last_modified, tempFile: temp,
    }, this.#ac.signal);
    const now = new Date().toISOString();
    if (out.kind === 'failed') return this.#fail(out.transient ? ListDownloadFailed : ListDownloadRefused, out.reason, out.cause);
    if (out.kind === 'not_modified') {
      await cache.writeMeta({ ...(meta as ListCacheMeta), checked_at: now });
      this.#o.log.debug(this.#fields(), 'Reputation list unchanged on the server');
      return { ok: true, outcome: 'not_modified' };
    }
    const checked = await this.#check(temp);
    if (typeof checked === 'string') return this.#fail(ListDownloadRefused, checked);
    await cache.install(temp, {
      version: 1, url_sha256: this.#urlSha256, host: urlHost(list.url), checked_at: now, downloaded_at: now, bytes: out.bytes, entries: checked,
      ...(out.etag === undefined ? {} : { etag: out.etag }), ...(out.lastModified === undefined ? {} : { last_modified: out.lastModified }),
    });
    this.#o.log.info({ ...this.#fields(), bytes: out.bytes, entries: checked }, 'Reputation list downloaded');
    return { ok: true, outcome: 'downloaded' };
  }

  /** The number of networks in the downloaded file, or why it is not taken for a list. */
  async #check(file: string): Promise<number | string> {
    try {
      const { entries, invalid } = readReputationList(await readFile(file, 'utf8'), this.#o.list.name, this.#o.list.score, this.#o.cache.file);
      if (entries === 0) return 'the download holds no IP addresses or networks (an empty list or an error page?)';
      if (invalid / (entries + invalid) > MAX_INVALID_SHARE) return `${invalid} of ${entries + invalid} lines of the download are not IP addresses or networks (an HTML page or another format?)`;
      return entries;
    } catch (err) {
      return isTributaryError(err) ? `the download is not a valid list: ${String(err.details['reason'] ?? err.message)}` : `cannot read the download: ${(err as Error).message}`;
    }
  }

  /**
   * Watch mode: refreshes every `refresh` (the first time when the cached copy reaches that age)
   * until {@link close} or the run's signal; a failed refresh keeps the cached copy, warns, and is
   * retried after `refresh` or 5 minutes, whichever is sooner.
   */
  start(): void {
    const age = this.#age(this.#o.cache.current(this.#urlSha256));
    this.#schedule(age === undefined ? 0 : Math.max(0, this.#refreshMs - age));
  }

  #schedule(delayMs: number): void {
    if (this.#ac.signal.aborted) return;
    // refresh() never rejects; the catch only guards against a throwing logger.
    this.#timer = setTimeout(() => { this.#tick().catch(() => undefined); }, Math.min(delayMs, MAX_TIMER_MS));
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    let next = this.#refreshMs;
    try {
      const age = this.#age(this.#o.cache.current(this.#urlSha256));
      // A long wait taken in steps, or a copy another run refreshed meanwhile.
      if (age !== undefined && age < this.#refreshMs - 1000) next = this.#refreshMs - age;
      else {
        const r = await this.refresh();
        if (!r.ok && !this.#ac.signal.aborted) {
          this.#warnFallback(r.error, 'Scheduled reputation list refresh failed; keeping the cached copy');
          next = Math.min(this.#refreshMs, RETRY_AFTER_FAILURE_MS);
        }
      }
    } finally {
      this.#schedule(next);
    }
  }

  /** Stops the schedule and aborts a running download (waiting for it to end). Safe to call twice. */
  async close(): Promise<void> {
    this.#o.signal.removeEventListener('abort', this.#onAbort);
    this.#ac.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inflight?.catch(() => undefined);
  }
}
