/**
 * `url` reputation lists prepared on the main thread, against a real HTTP server on 127.0.0.1:
 * download and cache, conditional requests (ETag → 304), fallback to the cached copy, refusals
 * (status, size, malformed bodies), redirects, timeouts, watch-mode refreshes, and secrets that
 * never reach the workers' config, logs or errors.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StagePrepareContext } from '../../core/component.js';
import { isTributaryError, type TributaryError } from '../../core/errors.js';
import { SecretValue } from '../../core/secret-value.js';
import { captureLogger, type CaptureLogger } from '../../../test/helpers/capture-logger.js';
import { startHttpFileServer, type HttpFileServer } from '../../../test/helpers/http-file-server.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { ThreatConfig } from './config.js';
import { ListCache } from './list-cache.js';
import { prepareThreatStage } from './prepare-threat.js';
import { parseReputationList } from './reputation-list.js';
import { UrlListRefresher, type UrlListConfig } from './url-list-refresher.js';

const CANARY = 'canary-token-5f1d9c';

interface Setup {
  readonly server: HttpFileServer;
  readonly dataDir: string;
  readonly log: CaptureLogger;
  readonly ac: AbortController;
  /** Prepares a stage whose one list `fh` has `options` (url defaults to the server's /fh.netset). */
  prepare(options?: Record<string, unknown>, watch?: boolean): ReturnType<typeof prepareThreatStage>;
  /** The cached copy's path. */
  readonly cached: string;
}

async function setup(t: TestContext): Promise<Setup> {
  const server = await startHttpFileServer(t);
  const dataDir = tmpDir(t);
  const log = captureLogger();
  const ac = new AbortController();
  t.after(() => ac.abort());
  const ctx = (watch: boolean): StagePrepareContext => ({ pipeline: 'p', stageId: 'threat', baseDir: dataDir, dataDir, watch, signal: ac.signal, log });
  return {
    server, dataDir, log, ac, cached: join(dataDir, 'threat', 'threat', 'fh.list'),
    prepare: (options = {}, watch = false) =>
      prepareThreatStage(ThreatConfig.parse({ reputation_lists: [{ name: 'fh', url: server.url('/fh.netset'), score: 40, ...options }] }), ctx(watch)),
  };
}

/** Makes the cached copy look `secs` old. */
function age(cached: string, secs: number): void {
  const metaFile = `${cached}.meta.json`;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(metaFile, JSON.stringify({ ...meta, checked_at: new Date(Date.now() - secs * 1000).toISOString() }));
}

async function rejection(p: Promise<unknown>): Promise<TributaryError> {
  try { await p; } catch (err) { if (isTributaryError(err)) return err; throw err; }
  return assert.fail('expected a rejection');
}

describe('threat prepare: url reputation lists', () => {
  it('downloads a list into the data directory and hands the workers a file list (no url, no headers, no secret)', async (t) => {
    const s = await setup(t);
    s.server.set('/fh.netset', { body: '# FireHOL\n192.0.2.0/24\n2001:db8:bad::/48\n', etag: '"v1"' });
    const token = SecretValue.reference('Bearer ${secret:feed_token}').resolve(() => CANARY);
    const p = await s.prepare({ headers: { Authorization: token } });
    const lists = (p.config as { reputation_lists: Record<string, unknown>[] }).reputation_lists;
    assert.deepEqual(lists, [{ name: 'fh', file: s.cached, score: 40 }]);
    assert.ok(!JSON.stringify(p.config).includes(CANARY) && !JSON.stringify(p.config).includes('127.0.0.1'));
    assert.equal(s.server.requests[0]?.headers['authorization'], `Bearer ${CANARY}`);
    assert.equal(statSync(s.cached).mode & 0o777, 0o640);
    assert.equal(parseReputationList(readFileSync(s.cached, 'utf8'), 'fh', 40, s.cached).lookup('192.0.2.7')?.score, 40);
    const meta = JSON.parse(readFileSync(`${s.cached}.meta.json`, 'utf8')) as Record<string, unknown>;
    assert.equal(meta['etag'], '"v1"');
    assert.equal(meta['entries'], 2);
    assert.ok(!readFileSync(`${s.cached}.meta.json`, 'utf8').includes('/fh.netset'), 'the metadata keeps no URL');
    await p.close();
    await p.close();
  });

  it('reuses a fresh copy without a request, and revalidates an old one with If-None-Match (304 keeps it)', async (t) => {
    const s = await setup(t);
    s.server.set('/fh.netset', { body: '192.0.2.0/24\n', etag: '"v1"' });
    await (await s.prepare()).close();
    await (await s.prepare()).close();
    assert.equal(s.server.requests.length, 1, 'a copy younger than `refresh` is used as is');
    age(s.cached, 7 * 3600);
    const before = statSync(s.cached).mtimeMs;
    await (await s.prepare()).close();
    assert.deepEqual(s.server.requests.map((r) => [r.status, r.headers['if-none-match']]), [[200, undefined], [304, '"v1"']]);
    assert.equal(statSync(s.cached).mtimeMs, before, 'a 304 leaves the list file alone');
    const meta = JSON.parse(readFileSync(`${s.cached}.meta.json`, 'utf8')) as { checked_at: string };
    assert.ok(Date.now() - Date.parse(meta.checked_at) < 60_000, 'a 304 counts as a check');
    s.server.set('/fh.netset', { body: '198.51.100.0/24\n', etag: '"v2"' });
    age(s.cached, 7 * 3600);
    await (await s.prepare()).close();
    assert.equal(readFileSync(s.cached, 'utf8'), '198.51.100.0/24\n');
  });

  it('keeps the cached copy when a refresh fails or brings something that is not a list, and warns with the reason and age', async (t) => {
    const s = await setup(t);
    s.server.set('/fh.netset', { body: '192.0.2.0/24\n' });
    await (await s.prepare({ max_bytes: 1000 })).close();
    const bad: [string, Parameters<HttpFileServer['set']>[1], RegExp, string][] = [
      ['server error', { status: 503, body: 'busy' }, /HTTP 503/, 'TRB_CONNECT_LIST_DOWNLOAD_FAILED'],
      ['HTML page', { body: '<html>\n<body>\n<p>Please log in</p>\n</body>\n</html>\n' }, /holds no IP addresses|not IP addresses/, 'TRB_SOURCE_LIST_DOWNLOAD_REFUSED'],
      ['empty', { body: '' }, /no IP addresses/, 'TRB_SOURCE_LIST_DOWNLOAD_REFUSED'],
      ['mostly junk', { body: '192.0.2.1\nfoo\nbar\nbaz\n' }, /3 of 4 lines/, 'TRB_SOURCE_LIST_DOWNLOAD_REFUSED'],
      ['bad score', { body: 'ip,score\n192.0.2.1,high\n' }, /score `high`/, 'TRB_SOURCE_LIST_DOWNLOAD_REFUSED'],
      ['too large, announced', { body: `${'203.0.113.1\n'.repeat(200)}` }, /max_bytes \(1000\)/, 'TRB_SOURCE_LIST_DOWNLOAD_REFUSED'],
      ['too large, streamed', { body: `${'203.0.113.1\n'.repeat(200)}`, headers: { 'transfer-encoding': 'chunked' } }, /larger than max_bytes/, 'TRB_SOURCE_LIST_DOWNLOAD_REFUSED'],
    ];
    for (const [what, served, reason, code] of bad) {
      s.server.set('/fh.netset', served);
      age(s.cached, 7 * 3600);
      s.log.lines.length = 0;
      const p = await s.prepare({ max_bytes: 1000 });
      await p.close();
      assert.equal(readFileSync(s.cached, 'utf8'), '192.0.2.0/24\n', `${what}: the last good copy stays`);
      const [w] = s.log.entries('warn');
      assert.equal(w?.['list'], 'fh', what);
      assert.equal(w?.['code'], code, what);
      assert.match(String(w?.['reason']), reason, what);
      assert.match(String(w?.['cached_age']), /^7h/, what);
    }
    assert.deepEqual(readdirTemps(s.cached), [], 'no temp file is left behind');
  });

  it('fails without a cached copy: refused (404, too large) or unreachable (connection refused, timeout), naming list and host', async (t) => {
    const s = await setup(t);
    const host = new URL(s.server.url('/')).host;
    let e = await rejection(s.prepare({ url: s.server.url('/missing.netset?token=querysecret') }));
    assert.equal(e.code, 'TRB_SOURCE_LIST_DOWNLOAD_REFUSED');
    assert.equal(e.family, 'source');
    assert.match(e.message, new RegExp(`\`fh\` of stage \`threat\` from ${host} cannot be used: HTTP 404`));
    assert.ok(!e.message.includes('querysecret') && !e.message.includes('missing.netset'), 'neither path nor query string is named');
    s.server.set('/big.netset', { body: '192.0.2.1\n'.repeat(100) });
    e = await rejection(s.prepare({ url: s.server.url('/big.netset'), max_bytes: 50 }));
    assert.match(e.message, /max_bytes \(50\)/);
    assert.equal(existsSync(s.cached), false);
    const closed = await closedPort();
    e = await rejection(s.prepare({ url: `http://127.0.0.1:${closed}/list` }));
    assert.equal(e.code, 'TRB_CONNECT_LIST_DOWNLOAD_FAILED');
    assert.equal(e.retry, 'backoff');
    assert.match(e.message, /ECONNREFUSED/);
    s.server.set('/slow.netset', { body: '192.0.2.1\n', delayMs: 3000 });
    e = await rejection(s.prepare({ url: s.server.url('/slow.netset'), timeout_secs: 1 }));
    assert.equal(e.code, 'TRB_CONNECT_LIST_DOWNLOAD_FAILED');
    assert.match(e.message, /within 1s/);
  });

  it('follows redirects, sending the configured headers to the original origin only', async (t) => {
    const s = await setup(t);
    const other = await startHttpFileServer(t);
    other.set('/mirror.netset', { body: '192.0.2.0/24\n' });
    s.server.set('/fh.netset', { status: 302, headers: { location: other.url('/mirror.netset') } });
    const token = SecretValue.reference('${secret:feed_token}').resolve(() => CANARY);
    await (await s.prepare({ headers: { 'X-Api-Key': token } })).close();
    assert.equal(s.server.requests[0]?.headers['x-api-key'], CANARY);
    assert.equal(other.requests[0]?.headers['x-api-key'], undefined, 'not sent to another origin');
    assert.equal(readFileSync(s.cached, 'utf8'), '192.0.2.0/24\n');
    s.server.set('/loop', { status: 302, headers: { location: '/loop' } });
    const e = await rejection(s.prepare({ url: s.server.url('/loop') }));
    assert.match(e.message, /more than 5 redirects/);
  });

  it('never writes a header value, a query string or a secret into logs or errors', async (t) => {
    const s = await setup(t);
    const token = SecretValue.reference('Bearer ${secret:feed_token}').resolve(() => CANARY);
    const url = s.server.url('/fh.netset?apikey=querysecret');
    s.server.set('/fh.netset', { body: '192.0.2.0/24\n' });
    await (await s.prepare({ url, headers: { Authorization: token } })).close();
    for (const served of [{ status: 500 }, { body: 'nonsense\n' }]) {
      s.server.set('/fh.netset', served);
      age(s.cached, 7 * 3600);
      await (await s.prepare({ url, headers: { Authorization: token } })).close();
    }
    const e = await rejection(s.prepare({ url: s.server.url('/gone?apikey=querysecret'), headers: { Authorization: token } }));
    const bad = SecretValue.reference('${secret:x}').resolve(() => `${CANARY}\r\nX-Injected: 1`);
    const crlf = await rejection(s.prepare({ url: s.server.url('/other'), headers: { Authorization: bad } }));
    assert.match(crlf.message, /header `Authorization` holds a character HTTP does not allow/);
    const everything = [...s.log.lines, e.message, JSON.stringify(e), crlf.message, JSON.stringify(crlf)].join('\n');
    assert.ok(s.log.entries('warn').length >= 2);
    for (const secret of [CANARY, 'querysecret', 'apikey']) assert.ok(!everything.includes(secret), `${secret} leaked: ${everything}`);
  });

  it('watch mode: refreshes on schedule until closed; one download at a time', async (t) => {
    const s = await setup(t);
    s.server.set('/fh.netset', { body: '192.0.2.0/24\n', etag: '"a"' });
    const p = await s.prepare({ refresh: 1 }, true);
    s.server.set('/fh.netset', { body: '198.51.100.0/24\n', etag: '"b"', delayMs: 100 });
    const deadline = Date.now() + 10_000;
    while (readFileSync(s.cached, 'utf8') !== '198.51.100.0/24\n') {
      assert.ok(Date.now() < deadline, 'the list was refreshed within 10 s');
      await sleep(50);
    }
    await p.close();
    const seen = s.server.requests.length;
    await sleep(1500);
    assert.equal(s.server.requests.length, seen, 'no refresh after close()');
  });

  it('shares one download between concurrent refreshes of a list', async (t) => {
    const s = await setup(t);
    s.server.set('/fh.netset', { body: '192.0.2.0/24\n', delayMs: 200 });
    const list = ThreatConfig.parse({ reputation_lists: [{ name: 'fh', url: s.server.url('/fh.netset') }] }).reputation_lists[0] as UrlListConfig;
    const r = new UrlListRefresher({ stage: 'threat', list, cache: new ListCache(dirname(s.cached), 'fh'), log: s.log, signal: s.ac.signal });
    const results = await Promise.all([r.refresh(), r.refresh(), r.refresh()]);
    assert.deepEqual(results.map((x) => x.ok), [true, true, true]);
    assert.equal(s.server.requests.length, 1);
    await r.close();
  });
});

/** Temp files left beside the cached copy. */
function readdirTemps(cached: string): string[] {
  return readdirSync(dirname(cached)).filter((n) => n.endsWith('.tmp'));
}

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
