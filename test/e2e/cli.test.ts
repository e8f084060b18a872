/**
 * The CLI end to end on test/fixtures/access/mixed.log (expectations in test/fixtures/README.md):
 * run → warehouse + lake + quarantine, idempotent re-runs and rotated copies, parse, validate,
 * schema, --help, query formats, the quality gate and path confinement. Spawns are few and the two
 * groups run side by side: every spawn pays the tsx start-up.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { cleanEnv, cli, collect, pipelineYaml, queryJson, REPO_ROOT, runJson, workspace, type Summary } from './_cli.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/access/mixed.log');
const TEXT = readFileSync(FIXTURE, 'utf8');
const LINES = TEXT.slice(0, -1).split('\n');
/** Byte offset of the start of a 1-based line. */
const OFFSET = (line: number): number => Buffer.byteLength(LINES.slice(0, line - 1).map((l) => `${l}\n`).join(''));
const QUARANTINED = [20, 27, 36];
const EMPTY = 33;
const LANDED_LINES = LINES.map((_, i) => i + 1).filter((n) => !QUARANTINED.includes(n) && n !== EMPTY);
const ACCESS_FORMATS = ['apache_combined', 'nginx_main'];

type StageCounts = Summary['stages'][string];
const pick = (c: StageCounts | undefined): number[] | undefined => c && [c.in, c.passed, c.rejected, c.filtered];

/** Every stage balances and the summary's totals agree with the stages. */
function assertBalanced(s: Summary): void {
  for (const [id, c] of Object.entries(s.stages)) assert.equal(c.in, c.passed + c.rejected + c.filtered, `stage ${id} balances`);
  const { parse, validate, dedupe } = s.stages;
  assert.ok(parse && validate && dedupe, 'three stages reported');
  assert.equal(parse.in, s.linesRead);
  assert.equal(validate.in, parse.passed);
  assert.equal(dedupe.in, validate.passed);
  assert.equal(s.landed, dedupe.passed);
  assert.equal(s.parsed, parse.passed);
  assert.equal(s.quarantined, parse.rejected + validate.rejected + dedupe.rejected);
  assert.equal(s.filtered, parse.filtered + validate.filtered + dedupe.filtered);
  assert.equal(s.linesRead, s.landed + s.quarantined + s.filtered);
  assert.equal(Object.values(s.quarantineByReason).reduce((a, b) => a + b, 0), s.quarantined);
}

/** Copies the fixture to `<sub>/logs/access.log` and writes a pipeline for it. */
function setUp(root: string, sub: string, o: { maxInvalidRatio?: number } = {}): { pipeline: string; live: string } {
  const base = join(root, sub);
  mkdirSync(join(base, 'logs'), { recursive: true });
  const live = join(base, 'logs', 'access.log');
  copyFileSync(FIXTURE, live);
  const pipeline = join(base, 'pipeline.yaml');
  writeFileSync(pipeline, pipelineYaml({ name: sub, include: ['logs/access.log*'], ...o }));
  return { pipeline, live };
}

describe('tributary CLI (e2e)', { concurrency: 2 }, () => {
  let ws: ReturnType<typeof workspace>;
  before(() => { ws = workspace('trb-e2e-cli-'); });
  after(() => ws.cleanup());

  describe('run, query and re-runs on the fixture', { concurrency: 1 }, () => {
    let pipeline: string;
    let live: string;
    let db: string;
    let lake: string;
    before(() => {
      ({ pipeline, live } = setUp(ws.dir, 'main'));
      db = join(ws.dir, 'main', 'data', 'warehouse.duckdb');
      lake = join(ws.dir, 'main', 'data', 'lake');
    });

    it('run --json: counts balance and match the fixture', async () => {
      const { code, summary: s, stderr } = await runJson(pipeline);
      assert.equal(code, 0, stderr);
      assert.equal(s.status, 'succeeded');
      assert.equal(s.linesRead, 40);
      assert.equal(s.bytesRead, statSync(FIXTURE).size);
      assert.equal(s.parsed, 37);
      assert.equal(s.quarantined, 3);
      assert.deepEqual(s.quarantineByReason, { format_unknown: 2, value_out_of_range: 1 });
      assert.equal(s.filtered, 1);
      assert.equal(s.duplicates, 0);
      assert.equal(s.landed, 36);
      assert.deepEqual(pick(s.stages.parse), [40, 37, 2, 1]);
      assert.deepEqual(pick(s.stages.validate), [37, 36, 1, 0]);
      assert.deepEqual(pick(s.stages.dedupe), [36, 36, 0, 0]);
      assert.deepEqual(s.gate, { maxInvalidRatio: 0.2, ratio: 3 / 40, passed: true });
      assertBalanced(s);
    });

    it('query --format json: warehouse = landed rows, quarantine rows as expected, lake = warehouse', async () => {
      const [r] = await queryJson(db, `select
        (select count(*) from requests) as n,
        (select count(distinct (source_stream, source_offset)) from requests) as ids,
        (select list(source_line order by source_line) from requests) as lines,
        (select list(distinct source_uri) from requests) as uris,
        (select list(distinct source_stream) from requests) as streams,
        (select list(distinct format) from requests) as formats,
        (select to_json(list({line: source_line, off: source_offset, ip: client_ip, method: method, path: path, query: query,
           protocol: protocol, status: status, ua: user_agent, junk: extras->>'request', t: strftime(ts, '%Y-%m-%dT%H:%M:%S')} order by source_line))
           from requests where source_line in (3, 4, 5, 6, 7, 8, 9, 15)) as rows,
        (select to_json(list({source: source, uri: uri, stream: stream, line: line, "offset": "offset", code: code, field: field, stage: stage, raw: raw}
           order by line)) from quarantine) as quarantine,
        (select to_json(list({day: day::varchar, n: n, ids: ids} order by day)) from (select day, count(*) as n, count(distinct source_offset) as ids
           from read_parquet('${lake}/silver/requests/**/*.parquet', hive_partitioning = true) group by day)) as lake_days,
        (select count(*) from read_parquet('${lake}/quarantine/requests/**/*.parquet')) as lake_quarantine`);
      assert.ok(r);
      assert.equal(r.n, 36);
      assert.equal(r.ids, 36);
      assert.deepEqual(r.lines, LANDED_LINES);
      assert.deepEqual(r.uris, [live]);
      const streams = r.streams as string[];
      assert.equal(streams.length, 1);
      assert.match(streams[0]!, /^f:[0-9a-f]{16}$/);
      assert.ok((r.formats as string[]).every((f) => ACCESS_FORMATS.includes(f)), String(r.formats));
      const rows = new Map((JSON.parse(r.rows as string) as Record<string, unknown>[]).map((x) => [x.line, x]));
      for (const [line, x] of rows) assert.equal(x.off, OFFSET(line as number), `offset of line ${String(line)}`);
      assert.equal(rows.get(3)?.ip, '2001:db8::1');
      assert.equal(rows.get(4)?.ip, '::ffff:192.0.2.33');
      assert.deepEqual([rows.get(5)?.path, rows.get(5)?.query, rows.get(5)?.ua], ['/café', 'q="x"', 'Evil "UA" \\ back']);
      assert.deepEqual([rows.get(6)?.method, rows.get(6)?.path, rows.get(6)?.protocol], ['GET', '/', null]);
      assert.deepEqual([rows.get(7)?.method, rows.get(7)?.path, rows.get(7)?.status, rows.get(7)?.junk],
        [null, null, 400, String.raw`\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03`]);
      assert.deepEqual([rows.get(8)?.method, rows.get(8)?.status], [null, 408]);
      assert.deepEqual([rows.get(9)?.t, rows.get(15)?.t], ['2024-03-05T09:00:08', '2024-03-05T15:00:14']);
      const q = (line: number, code: string, field: string, stage: string) => ({
        source: 'access', uri: live, stream: streams[0], line, offset: OFFSET(line), code, field, stage, raw: LINES[line - 1],
      });
      assert.deepEqual(JSON.parse(r.quarantine as string), [
        q(20, 'value_out_of_range', 'status', 'validate'),
        q(27, 'format_unknown', 'time', 'parse'),
        q(36, 'format_unknown', 'request', 'parse'),
      ]);
      assert.deepEqual(JSON.parse(r.lake_days as string), [{ day: '2024-03-05', n: 33, ids: 33 }, { day: '2024-03-06', n: 3, ids: 3 }]);
      assert.equal(r.lake_quarantine, 3);
    });

    it('a second run reads and lands nothing', async () => {
      const { code, summary: s, stderr } = await runJson(pipeline);
      assert.equal(code, 0, `${JSON.stringify(s.error)}\n${stderr}`);
      assert.equal(s.status, 'succeeded');
      assert.deepEqual([s.linesRead, s.landed, s.quarantined, s.filtered, s.commits], [0, 0, 0, 0, 0]);
    });

    it('rotated copies (access.log.1, access.log.2.gz) land nothing; lines appended to the live file land once', async () => {
      copyFileSync(live, join(ws.dir, 'main', 'logs', 'access.log.1'));
      writeFileSync(join(ws.dir, 'main', 'logs', 'access.log.2.gz'), gzipSync(readFileSync(live)));
      appendFileSync(live, `${LINES[0]!.replace('10:00:00', '11:00:00')}\n${LINES[1]!.replace('10:00:01', '11:00:01')}\n`);
      const { code, summary: s, stderr } = await runJson(pipeline);
      assert.equal(code, 0, `${JSON.stringify(s.error)}\n${stderr}`);
      assert.equal(s.status, 'succeeded');
      assert.deepEqual([s.linesRead, s.landed, s.quarantined, s.filtered], [2, 2, 0, 0]);
      assertBalanced(s);
    });

    it('query --format csv and table (after the rotation run: 38 rows, quarantine unchanged)', async () => {
      const sql = `select status, count(*) as n, (select count(*) from requests) as total, (select count(distinct (source_stream, source_offset)) from requests) as ids,
        (select count(*) from quarantine) as q from requests where status < 205 group by status order by status`;
      const [csv, table] = await Promise.all([
        cli(['query', '--format', 'csv', '--db', db, sql]),
        cli(['query', '--format', 'table', '--db', db, sql]),
      ]);
      assert.equal(csv.code, 0, csv.stderr);
      assert.equal(csv.stdout, 'status,n,total,ids,q\n200,26,38,38,3\n201,1,38,38,3\n204,1,38,38,3\n');
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^status\s+n\s+total\s+ids\s+q$/);
      assert.ok(lines.some((l) => /^\s*200\s+26\s+38\s+38\s+3$/.test(l)), table.stdout);
      assert.match(lines.at(-1)!, /\(3 rows\)/);
    });
  });

  describe('commands without a pipeline run, quality gate, path confinement', { concurrency: 1 }, () => {
    it('parse (auto): one JSON line per input line; errors as {line, error:{code, reason}}; stdin gives the same', async () => {
      const [file, stdin] = await Promise.all([cli(['parse', FIXTURE]), cli(['parse'], TEXT)]);
      assert.equal(file.code, 0, file.stderr);
      const out = file.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(out.length, 40);
      const errs = out.filter((o) => 'error' in o);
      assert.deepEqual(errs.map((o) => o.line), [27, 33, 36]);
      for (const e of errs) {
        assert.deepEqual(Object.keys(e).sort(), ['error', 'line']);
        const err = e.error as { code: string; reason: string };
        assert.equal(err.code, 'format_unknown');
        assert.ok(typeof err.reason === 'string' && err.reason.length > 0);
      }
      assert.equal(out[19]?.status, 999, 'parse does not validate');
      assert.ok(out.filter((o) => !('error' in o)).every((o) => ACCESS_FORMATS.includes(o.format as string)));
      assert.equal(stdin.code, 0, stdin.stderr);
      assert.equal(stdin.stdout, file.stdout);
    });

    it('parse --log-format compiles an Apache LogFormat', async () => {
      const r = await cli(['parse', '--log-format', '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"', FIXTURE]);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(out.length, 40);
      assert.deepEqual(out.filter((o) => 'error' in o).map((o) => [o.line, (o.error as { code: string }).code]),
        [[27, 'parse_failed'], [33, 'parse_failed'], [36, 'parse_failed']]);
      assert.match(String(out[0]?.format), /^log_format:/);
      assert.equal(out[0]?.client_ip, '192.0.2.1');
    });

    it('validate: exit 0 on a good file, 2 with file:line for an unknown key', async () => {
      const { pipeline } = setUp(ws.dir, 'validate');
      const bad = join(ws.dir, 'validate', 'bad.yaml');
      writeFileSync(bad, readFileSync(pipeline, 'utf8').replace('    include:', '    incldue:'));
      const line = readFileSync(bad, 'utf8').split('\n').findIndex((l) => l.includes('incldue')) + 1;
      const [good, human] = await Promise.all([cli(['validate', pipeline]), cli(['validate', bad])]);
      assert.equal(good.code, 0, good.stderr);
      assert.match(good.stdout, /is valid: pipeline `validate`/);
      assert.equal(human.code, 2);
      assert.ok(human.stderr.includes(`${bad}:${line}`), human.stderr);
      assert.match(human.stderr, /sources\[0\]\.incldue`: unknown key `incldue` \(did you mean `include`\?\)/);
    });

    it('schema prints the JSON Schema of pipeline files; --help works on every command', async () => {
      // The per-command --help calls go through main() (what src/main.ts runs) in ONE child process.
      // Every command and subcommand the program defines, found by walking it (new commands are covered).
      const script = `import { main, buildProgram } from './src/cli/program.ts';
        const out = []; const write = process.stdout.write.bind(process.stdout);
        const paths = [[]];
        const walk = (c, p) => { for (const sub of c.commands) { paths.push([...p, sub.name()]); walk(sub, [...p, sub.name()]); } };
        walk(buildProgram(), []);
        for (const cmd of paths) {
          let text = ''; process.stdout.write = (s) => { text += s; return true; };
          const code = await main(['node', 'tributary', ...cmd, '--help']);
          process.stdout.write = write; out.push({ cmd: cmd.join(' '), code, text });
        }
        write(JSON.stringify(out));`;
      const helpChild = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, env: cleanEnv() });
      const [schema, rootHelp, helps] = await Promise.all([cli(['schema']), cli(['--help']), collect(helpChild)]);
      assert.equal(schema.code, 0);
      const s = JSON.parse(schema.stdout) as { $schema: string; type: string; required: string[]; properties: Record<string, unknown> };
      assert.match(s.$schema, /draft\/2020-12/);
      assert.equal(s.type, 'object');
      for (const k of ['name', 'sources', 'stages', 'sinks', 'quality', 'engine']) assert.ok(k in s.properties, k);
      assert.ok(s.required.includes('sources'));
      assert.equal(rootHelp.code, 0);
      assert.match(rootHelp.stdout, /^Usage: tributary /);
      assert.equal(helps.code, 0, helps.stderr);
      const results = JSON.parse(helps.stdout) as { cmd: string; code: number; text: string }[];
      for (const c of ['run', 'demo', 'parse', 'query', 'validate', 'schema', 'generate', 'runs', 'replay', 'audit verify', 'audit tail',
        'audit search', 'audit anchor', 'secrets set', 'secrets get', 'secrets list', 'secrets rm', 'secrets rotate', 'secrets generate',
        'secrets status', 'decrypt', 'doctor']) assert.ok(results.some((r) => r.cmd === c), `${c} is a command`);
      for (const r of results) {
        assert.equal(r.code, 0, `${r.cmd} --help`);
        assert.ok(r.text.startsWith(`Usage: tributary ${r.cmd ? `${r.cmd} ` : ''}`), r.text.slice(0, 80));
      }
    });

    it('quality gate: more than max_invalid_ratio quarantined → exit 7, status gate_failed', async () => {
      const { pipeline } = setUp(ws.dir, 'gate', { maxInvalidRatio: 0.01 });
      const { code, summary: s } = await runJson(pipeline);
      assert.equal(code, 7);
      assert.equal(s.status, 'gate_failed');
      assert.equal(s.error?.code, 'TRB_QUALITY_GATE_FAILED');
      assert.deepEqual(s.gate, { maxInvalidRatio: 0.01, ratio: 3 / 40, passed: false });
      assert.deepEqual([s.linesRead, s.quarantined], [40, 3]);
    });

    it('a symlink pointing outside the roots fails the run with TRB_SOURCE_PATH_REFUSED before reading', async () => {
      const { pipeline } = setUp(ws.dir, 'sym');
      const secret = join(ws.dir, 'sym', 'secret.log');
      copyFileSync(FIXTURE, secret);
      symlinkSync(secret, join(ws.dir, 'sym', 'logs', 'access.log.1'));
      const { code, summary: s } = await runJson(pipeline);
      assert.equal(code, 3);
      assert.equal(s.status, 'failed');
      assert.equal(s.error?.code, 'TRB_SOURCE_PATH_REFUSED');
      assert.ok(s.error.message.includes(secret), s.error.message);
      assert.deepEqual([s.linesRead, s.landed], [0, 0]);
    });
  });
});
