/**
 * `threat` reputation lists given by URL, end to end through runPipelineFile against a real HTTP
 * server on 127.0.0.1: a FireHOL netset and a CSV feed with scores (behind a secret header) flag
 * the right clients; a later run whose downloads fail uses the cached copies; a first run whose
 * download fails stops with a typed error; in watch mode a list changed on the server flags new
 * records after the refresh. No secret reaches a log line or the run summary.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import type { RunSummary } from '../../src/engine/runtime/run-summary.js';
import { dropMemoryStore, memoryStore } from '../../src/sinks/memory/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { startHttpFileServer, type HttpFileServer } from '../helpers/http-file-server.js';
import { tmpDir } from '../helpers/tmp.js';

const CANARY = `feed-secret-${randomBytes(6).toString('hex')}`;

const line = (ip: string, path: string): string => `${ip} - - [10/Oct/2024:13:55:36 +0000] "GET ${path} HTTP/1.1" 200 5 "-" "Mozilla/5.0"\n`;

interface Workspace {
  readonly dir: string;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly server: HttpFileServer;
  readonly store: string;
  /** Writes the pipeline (lists as YAML flow maps) and returns its path. */
  pipeline(lists: readonly string[], extra?: string): string;
  /** Threat columns of the committed rows, by request path. */
  rows(): Record<string, [number, string | null]>;
}

async function workspace(t: TestContext): Promise<Workspace> {
  const dir = tmpDir(t);
  const dataDir = join(dir, 'data');
  mkdirSync(join(dir, 'logs'));
  const env: NodeJS.ProcessEnv = { ...process.env, TRIBUTARY_MASTER_KEY: randomBytes(32).toString('base64') };
  delete env['TRIBUTARY_DATA_DIR'];
  delete env['TRIBUTARY_CONTROL_STORE_URL'];
  const d = await openDeployment(dataDir, env);
  await d.vault.set('feed_token', CANARY);
  await d.close();
  const store = `threat-url-${randomBytes(4).toString('hex')}`;
  t.after(() => dropMemoryStore(store));
  const server = await startHttpFileServer(t);
  return {
    dir, dataDir, env, server, store,
    pipeline: (lists, extra = '') => {
      const file = join(dir, 'pipeline.yaml');
      writeFileSync(file, `name: threat-urls
sources:
  - id: access
    type: files
    include: ["logs/*.log"]
stages:
  - type: parse
    format: apache_combined
  - type: threat
    reputation_lists:
${lists.map((l) => `      - ${l}\n`).join('')}${extra}sinks:
  - id: mem
    type: memory
    store: ${store}
engine:
  commit_interval_ms: 100
`);
      return file;
    },
    rows: () => Object.fromEntries(memoryStore(store).rows.map((r) => [String(r['path']), [Number(r['threat_score']), r['threat_rules'] as string | null]])),
  };
}

/** Makes the cached copy of `list` look older than any `refresh`. */
function ageCache(dataDir: string, list: string): void {
  const metaFile = join(dataDir, 'threat', 'threat', `${list}.list.meta.json`);
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(metaFile, JSON.stringify({ ...meta, checked_at: new Date(Date.now() - 40 * 86_400_000).toISOString() }));
}

function assertNoSecrets(where: string): void {
  for (const secret of [CANARY, 'querysecret']) assert.ok(!where.includes(secret), `\`${secret}\` leaked into: ${where}`);
}

describe('threat reputation lists from URLs (runPipelineFile)', () => {
  it('a netset and a CSV with scores flag the right clients; a later run whose downloads fail uses the cached copies', async (t) => {
    const w = await workspace(t);
    w.server.set('/firehol_level1.netset', { body: '# FireHOL level 1\n192.0.2.0/24\n', etag: '"n1"' });
    w.server.set('/feed.csv', { body: 'ip,score,comment\n198.51.100.7,90,botnet\n2001:db8:bad::/48,70,scanner\n' });
    const lists = [
      `{ name: fh, url: "${w.server.url('/firehol_level1.netset')}", score: 40 }`,
      `{ name: feed, url: "${w.server.url('/feed.csv?key=querysecret')}", headers: { Authorization: "Bearer \${secret:feed_token}" } }`,
    ];
    writeFileSync(join(w.dir, 'logs', 'a.log'), [line('192.0.2.10', '/fh'), line('198.51.100.7', '/feed'), line('2001:db8:bad::5', '/feed6'), line('198.51.100.8', '/clean'), line('203.0.113.5', '/clean2')].join(''));
    const log = captureLogger();
    const first = await runPipelineFile(w.pipeline(lists), { dataDir: w.dataDir, env: w.env, workers: 1, log });
    assert.equal(first.status, 'succeeded', first.error?.message);
    assert.deepEqual(w.rows(), { '/fh': [40, 'list.fh'], '/feed': [90, 'list.feed'], '/feed6': [70, 'list.feed'], '/clean': [0, null], '/clean2': [0, null] });
    const feedRequest = w.server.requests.find((r) => r.path === '/feed.csv');
    assert.equal(feedRequest?.headers['authorization'], `Bearer ${CANARY}`);
    assert.equal(w.server.requests.find((r) => r.path === '/firehol_level1.netset')?.headers['authorization'], undefined);

    // Both servers fail now; the cached copies (older than `refresh`) are used, with a warning each.
    w.server.set('/firehol_level1.netset', { status: 503 });
    w.server.set('/feed.csv', { status: 500 });
    ageCache(w.dataDir, 'fh');
    ageCache(w.dataDir, 'feed');
    writeFileSync(join(w.dir, 'logs', 'b.log'), [line('192.0.2.99', '/fh-again'), line('198.51.100.7', '/feed-again')].join(''));
    const second = await runPipelineFile(w.pipeline(lists), { dataDir: w.dataDir, env: w.env, workers: 1, log });
    assert.equal(second.status, 'succeeded', second.error?.message);
    assert.deepEqual([w.rows()['/fh-again'], w.rows()['/feed-again']], [[40, 'list.fh'], [90, 'list.feed']]);
    const warnings = log.entries('warn');
    assert.deepEqual(warnings.map((l) => [l['list'], l['reason'], String(l['cached_age']).slice(0, 3)]).sort(), [['feed', 'HTTP 500 Internal Server Error', '40d'], ['fh', 'HTTP 503 Service Unavailable', '40d']]);
    assertNoSecrets(log.lines.join('\n') + JSON.stringify([first, second]));
  });

  it('a first run whose list cannot be downloaded fails with a typed error naming the list and host, before reading input', async (t) => {
    const w = await workspace(t);
    writeFileSync(join(w.dir, 'logs', 'a.log'), line('192.0.2.10', '/x'));
    const log = captureLogger();
    const s = await runPipelineFile(w.pipeline([`{ name: gone, url: "${w.server.url('/gone.netset?key=querysecret')}" }`]), { dataDir: w.dataDir, env: w.env, workers: 1, log });
    assert.equal(s.status, 'failed');
    assert.equal(s.error?.code, 'TRB_SOURCE_LIST_DOWNLOAD_REFUSED');
    assert.match(s.error?.message ?? '', new RegExp(`list \`gone\` of stage \`threat\` from ${new URL(w.server.url('/')).host} cannot be used: HTTP 404`));
    assert.equal(s.landed, 0);
    assert.equal(s.linesRead, 0);
    assertNoSecrets(log.lines.join('\n') + JSON.stringify(s));
  });

  it('watch mode: after the list changes on the server and the refresh, new records are flagged', async (t) => {
    const w = await workspace(t);
    w.server.set('/fh.netset', { body: '192.0.2.0/24\n', etag: '"a"' });
    const logFile = join(w.dir, 'logs', 'a.log');
    writeFileSync(logFile, line('203.0.113.5', '/before'));
    const file = w.pipeline([`{ name: fh, url: "${w.server.url('/fh.netset')}", refresh: 1 }`], '    reload_check_secs: 1\n');
    const ac = new AbortController();
    const running = runPipelineFile(file, { dataDir: w.dataDir, env: w.env, workers: 1, watch: true, signal: ac.signal });
    let ended: RunSummary | undefined;
    void running.then((s) => { ended = s; }, () => undefined);
    t.after(async () => { ac.abort(); await running.catch(() => undefined); });
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (!ok()) {
        assert.equal(ended, undefined, `the watch run ended early: ${JSON.stringify(ended?.error)}`);
        assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
        await sleep(25);
      }
    };
    await until('the first record', () => w.rows()['/before'] !== undefined);
    assert.deepEqual(w.rows()['/before'], [0, null]);

    w.server.set('/fh.netset', { body: '192.0.2.0/24\n203.0.113.0/24\n', etag: '"b"' });
    const cached = join(w.dataDir, 'threat', 'threat', 'fh.list');
    await until('the refresh', () => readFileSync(cached, 'utf8').includes('203.0.113.0/24'));
    await sleep(1100); // the workers look for a replaced file every reload_check_secs
    appendFileSync(logFile, line('203.0.113.5', '/after'));
    await until('the second record', () => w.rows()['/after'] !== undefined);
    assert.deepEqual(w.rows()['/after'], [50, 'list.fh']);
    assert.ok(w.server.requests.some((r) => r.status === 304), 'unchanged lists were revalidated, not downloaded again');
    ac.abort();
    const s = await running;
    assert.equal(s.status, 'succeeded', s.error?.message);
  });
});
