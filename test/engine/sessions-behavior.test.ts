/**
 * Keyed stages end to end: sessions and behaviour windows give the same answers whether the input
 * arrives in one run or split across chunks, commits, files and restarts; security events land in
 * the warehouse and the lake with the client's pseudonym, never its address.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateAccessLog } from '../../src/generator/index.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { readLakeRows } from '../../src/sinks/lake/read-lake.js';
import { askWarehouse as ask, filesUnder } from '../helpers/data-files.js';
import { tmpDir } from '../helpers/tmp.js';

const pipeline = (name: string, include: string, chunkBytes: number, commitLines: number, stages: string, table = 'requests'): string => `name: ${name}
sources:
  - id: access
    type: files
    include: ["${include}"]
    chunk_bytes: ${chunkBytes}
stages:
  - type: parse
    format: apache_combined
  - type: validate
  - type: dedupe
${stages}  - type: privacy
sinks:
  - id: lake
    type: lake
    dataset: ${table}
  - id: warehouse
    type: duckdb
    table: ${table}
engine:
  commit_lines: ${commitLines}
`;

test('sessions are the same in one pass as split across chunks, commits, a file append and a restart', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'once'));
  mkdirSync(join(dir, 'split'));
  await generateAccessLog({ lines: 6000, seed: 31, format: 'apache_combined', malformedRatio: 0 }, join(dir, 'once', 'access.log'));
  const lines = readFileSync(join(dir, 'once', 'access.log'), 'utf8').split(/(?<=\n)/);
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'once.yaml'), pipeline('once', 'once/*.log', 4 << 20, 100_000, '  - type: sessions\n', 'requests_once'));
  writeFileSync(join(dir, 'split.yaml'), pipeline('split', 'split/*.log', 16 << 10, 700, '  - type: sessions\n', 'requests_split'));
  const once = await runPipelineFile(join(dir, 'once.yaml'), { dataDir: data, workers: 1 });
  assert.equal(once.status, 'succeeded', once.error?.message);

  writeFileSync(join(dir, 'split', 'access.log'), lines.slice(0, 2345).join(''));
  const first = await runPipelineFile(join(dir, 'split.yaml'), { dataDir: data, workers: 2 });
  assert.equal(first.status, 'succeeded', first.error?.message);
  assert.ok(first.commits > 2, `several commits: ${first.commits}`);
  appendFileSync(join(dir, 'split', 'access.log'), lines.slice(2345).join(''));
  const second = await runPipelineFile(join(dir, 'split.yaml'), { dataDir: data, workers: 2 });
  assert.equal(second.status, 'succeeded', second.error?.message);
  assert.equal(first.landed + second.landed, once.landed);
  assert.ok((second.keyed?.['sessions']?.['open'] ?? 0) > 0);

  const wh = join(data, 'warehouse.duckdb');
  const q = (table: string): string => `select source_line, visitor_id, session_id, session_seq, is_page from ${table} order by source_line`;
  const a = await ask(wh, q('requests_once'));
  const b = await ask(wh, q('requests_split'));
  assert.equal(a.length, 6000);
  assert.deepEqual(b, a);
  const [[sessions, multi, visitors]] = await ask(wh, 'select count(distinct session_id), count(distinct session_id) filter (where session_seq > 1), count(distinct visitor_id) from requests_once') as [[bigint, bigint, bigint]];
  assert.ok(Number(sessions) >= Number(visitors) && Number(multi) > 0, `${sessions} sessions, ${multi} with several requests, ${visitors} visitors`);
  // Sequence numbers are 1..n within each session, and the sessions view agrees with the rows.
  const [[bad]] = await ask(wh, 'select count(*) from (select session_id, max(session_seq) m, count(*) n, count(distinct session_seq) d from requests_split group by 1) where m <> n or d <> n') as [[bigint]];
  assert.equal(Number(bad), 0);
  const [[viewRows, bounces]] = await ask(wh, 'select count(*), count(*) filter (where bounce) from sessions') as [[bigint, bigint]];
  assert.equal(Number(viewRows), Number(sessions));
  assert.ok(Number(bounces) > 0);
  const lake = await readLakeRows(join(data, 'lake'), 'requests_split');
  assert.equal(lake.length, 6000);
  assert.ok(lake.every((r) => typeof r.visitor_id === 'string' && /^v_[0-9a-f]{16}$/.test(r.visitor_id)));
});

test('sessions continue across a restart in watch mode: the same ids as one pass', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'once'));
  mkdirSync(join(dir, 'live'));
  await generateAccessLog({ lines: 3000, seed: 32, format: 'apache_combined', malformedRatio: 0 }, join(dir, 'once', 'access.log'));
  const lines = readFileSync(join(dir, 'once', 'access.log'), 'utf8').split(/(?<=\n)/);
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'once.yaml'), pipeline('once', 'once/*.log', 4 << 20, 100_000, '  - type: sessions\n', 'requests_once'));
  writeFileSync(join(dir, 'live.yaml'), pipeline('live', 'live/*.log', 8 << 10, 100_000, '  - type: sessions\n', 'requests_live'));
  assert.equal((await runPipelineFile(join(dir, 'once.yaml'), { dataDir: data, workers: 1 })).status, 'succeeded');

  /** Runs `live` in watch mode while `feed` appends, until `want` rows have landed. */
  const watchWhile = async (feed: () => void, want: number): Promise<void> => {
    const ac = new AbortController();
    let landed = 0;
    let reached!: () => void;
    const done = new Promise<void>((r) => { reached = r; });
    const running = runPipelineFile(join(dir, 'live.yaml'), { dataDir: data, workers: 1, watch: true, signal: ac.signal,
      onCommit: (c) => { landed += c.rows; if (landed >= want) reached(); } });
    feed();
    await Promise.race([done, running]);
    ac.abort();
    const s = await running;
    assert.equal(s.status, 'succeeded', s.error?.message);
    assert.equal(landed, want);
  };
  const file = join(dir, 'live', 'access.log');
  writeFileSync(file, '');
  await watchWhile(() => { appendFileSync(file, lines.slice(0, 1000).join('')); setTimeout(() => appendFileSync(file, lines.slice(1000, 1700).join('')), 300); }, 1700);
  await watchWhile(() => appendFileSync(file, lines.slice(1700).join('')), 1300);

  const wh = join(data, 'warehouse.duckdb');
  const q = (table: string): string => `select source_line, visitor_id, session_id, session_seq from ${table} order by source_line`;
  const a = await ask(wh, q('requests_once'));
  assert.equal(a.length, 3000);
  assert.deepEqual(await ask(wh, q('requests_live')), a);
});

const stamp = (ms: number): string => {
  const d = new Date(ms);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};
const line = (ip: string, ms: number, method: string, path: string, status: number): string =>
  `${ip} - - [${stamp(ms)}] "${method} ${path} HTTP/1.1" ${status} 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"\n`;

test('behaviour windows fire once per burst across files and a restart; security events hold pseudonyms only', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  const t0 = Date.UTC(2026, 2, 1, 9);
  const prober = '203.0.113.7';
  const guesser = '198.51.100.23';
  const benign = '192.0.2.44';
  const first: string[] = [];
  const second: string[] = [];
  for (let i = 0; i < 6; i++) first.push(line(prober, t0 + i * 4000, 'GET', `/old/page-${i}.html`, 404));
  for (let i = 0; i < 3; i++) first.push(line(guesser, t0 + i * 9000, 'POST', '/wp-login.php', 200));
  for (let i = 0; i < 40; i++) first.push(line(benign, t0 + i * 1500, 'GET', `/docs/${i}`, 200));
  first.push(line(benign, t0 + 70_000, 'GET', '/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--&email=jo@example.com', 200));
  // The burst goes on in the next file, read by a later run (a restart).
  for (let i = 6; i < 14; i++) second.push(line(prober, t0 + i * 4000, 'GET', `/old/page-${i}.html`, 404));
  for (let i = 3; i < 6; i++) second.push(line(guesser, t0 + i * 9000, 'POST', '/wp-login.php', 401));
  second.push(line(guesser, t0 + 60_000, 'POST', '/wp-login.php', 302));
  for (let i = 40; i < 60; i++) second.push(line(benign, t0 + i * 1500, 'GET', `/docs/${i}`, 200));
  writeFileSync(join(dir, 'logs', 'a.log'), first.join(''));
  const stages = `  - type: threat
  - type: behavior
    http_404_burst: { threshold: 10, window_secs: 60 }
    login_bruteforce: { threshold: 5, window_secs: 300 }
    rate_spike: { threshold: 100, window_secs: 60 }
`;
  writeFileSync(join(dir, 'p.yaml'), pipeline('sec', 'logs/*.log', 4 << 20, 100_000, stages));
  const data = join(dir, 'data');
  const r1 = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 });
  assert.equal(r1.status, 'succeeded', r1.error?.message);
  assert.equal(r1.keyed?.['behavior']?.['behavior_events'], 0, 'no burst yet');
  writeFileSync(join(dir, 'logs', 'b.log'), second.join(''));
  const r2 = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 });
  assert.equal(r2.status, 'succeeded', r2.error?.message);

  const wh = join(data, 'warehouse.duckdb');
  const events = await ask(wh, 'select kind, rule, severity, hits, client_id, evidence, source_line from security_events order by ts, rule');
  const behaviour = events.filter((e) => e[0] === 'behavior');
  assert.deepEqual(behaviour.map((e) => [e[1], e[2], Number(e[3])]), [
    ['behavior.http_404_burst', 'medium', 10],
    ['behavior.login_bruteforce', 'high', 5],
  ]);
  const signatures = events.filter((e) => e[0] === 'signature');
  assert.equal(signatures.filter((e) => e[1] === 'probe.admin').length, 7, 'every /wp-login.php request is a probe signature event');
  const sqli = signatures.filter((e) => String(e[1]).startsWith('sqli'));
  assert.equal(sqli.length, 1, JSON.stringify(signatures));
  assert.equal(sqli[0]![2], 'high');
  assert.match(String(sqli[0]![5]), /UNION%20SELECT.*email=\[redacted\]/, 'evidence shows the attack, redacts the e-mail');
  const [[proberId]] = await ask(wh, "select distinct client_id from requests where path like '/old/%'") as [[string]];
  assert.match(proberId, /^ps1_[0-9a-f]{24}$/);
  assert.ok(events.some((e) => e[4] === proberId && e[1] === 'behavior.http_404_burst'));

  const lake = await readLakeRows(join(data, 'lake'), 'security_events');
  assert.equal(lake.length, events.length);
  for (const f of [...filesUnder(join(data, 'lake')), wh]) {
    const bytes = readFileSync(f).toString('latin1');
    for (const ip of [prober, guesser, benign]) assert.ok(!bytes.includes(ip), `${ip} in ${f}`);
  }
});
