/**
 * End to end over the real control store (SQLite) and engine: a run started through
 * `POST /v1/pipelines/{name}/runs` is recorded, readable at `/v1/runs/{id}`, and moves the
 * Prometheus metrics at `/metrics`, whose text parses line by line.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { buildApp } from '../../src/server/app.js';
import { openServerDeps } from '../../src/server/serve/open-server-deps.js';
import { silentLogger } from '../../src/observe/logger.js';
import { REPO_ROOT, tmpDir } from '../helpers/tmp.js';
import { bearer, fakeDeps, serverSection } from './helpers/fake-deps.js';

type Sample = { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly value: number };

/** Parses the Prometheus text format (0.0.4); throws on any malformed line. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|\+Inf|-Inf)$/.exec(line);
    assert.ok(m, `malformed metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] ?? ''] = l[2] ?? '';
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return out;
}

const value = (s: readonly Sample[], name: string, labels: Record<string, string>): number | undefined =>
  s.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;

describe('metrics after a run started through the API', () => {
  it('records the run and moves the stage, run and HTTP metrics', async (t) => {
    const dir = tmpDir(t);
    mkdirSync(join(dir, 'pipelines', 'logs'), { recursive: true });
    copyFileSync(join(REPO_ROOT, 'test/fixtures/access/mixed.log'), join(dir, 'pipelines', 'logs', 'a.log'));
    writeFileSync(join(dir, 'pipelines', 'web.yaml'), 'name: web\nsources:\n  - id: access\n    type: files\n    include: ["logs/*.log"]\nstages:\n  - type: parse\n    format: combined\n  - type: validate\nsinks:\n  - id: wh\n    type: duckdb\n    path: warehouse.duckdb\nquality:\n  max_invalid_ratio: 1\n');
    const d = await openDeployment(join(dir, 'data'));
    t.after(() => d.close());
    const server = serverSection({ pipelines_dir: 'pipelines', warehouse: { type: 'duckdb', path: 'pipelines/warehouse.duckdb' } });
    const fake = fakeDeps();
    const wired = openServerDeps({ deployment: d, server, baseDir: dir, log: silentLogger, seams: { authenticate: fake.authenticate, roles: fake.roles, looksLikeApiKey: fake.looksLikeApiKey, keyStillValid: fake.keyStillValid } });
    t.after(() => wired.close());
    const app = await buildApp(wired.deps, { server });
    t.after(() => app.close());

    const before = parseMetrics((await app.inject({ url: '/metrics' })).body);
    assert.equal(value(before, 'tributary_runs_total', { pipeline: 'web' }), undefined);

    assert.deepEqual((await app.inject({ url: '/v1/pipelines', headers: bearer('analyst') })).json(), { pipelines: [{ name: 'web', file: 'web.yaml' }] });
    assert.equal((await app.inject({ method: 'POST', url: '/v1/pipelines/web/validate', headers: bearer('analyst') })).json().ok, true);
    const started = await app.inject({ method: 'POST', url: '/v1/pipelines/web/runs', headers: bearer('engineer') });
    assert.equal(started.statusCode, 202, started.body);
    const runId = started.json().run_id as string;
    assert.ok(runId);
    let run: { status: string; trigger: string; counts: { stages: Record<string, { in: number; passed: number; rejected: number }> } | null } | undefined;
    for (let i = 0; i < 200; i++) {
      run = (await app.inject({ url: `/v1/runs/${runId}`, headers: bearer('analyst') })).json();
      if (run?.status !== 'running') break;
      await sleep(100);
    }
    assert.equal(run?.status, 'succeeded', JSON.stringify(run));
    assert.equal(run?.trigger, 'api');
    const parse = run?.counts?.stages['parse'];
    assert.ok(parse && parse.in > 0);

    const text = (await app.inject({ url: '/metrics' })).body;
    const after = parseMetrics(text);
    assert.equal(value(after, 'tributary_runs_total', { pipeline: 'web', status: 'succeeded' }), 1);
    assert.equal(value(after, 'tributary_stage_received_records_total', { pipeline: 'web', stage: 'parse' }), parse.in);
    assert.equal(value(after, 'tributary_stage_rejected_records_total', { pipeline: 'web', stage: 'parse' }), parse.rejected);
    assert.ok((value(after, 'tributary_run_last_success_timestamp_seconds', { pipeline: 'web' }) ?? 0) > Date.now() / 1000 - 600);
    assert.equal(value(after, 'tributary_run_duration_seconds_count', { pipeline: 'web', status: 'succeeded' }), 1);
    assert.ok((value(after, 'tributary_http_requests_total', { method: 'POST', route: '/v1/pipelines/:name/runs', status: '202' }) ?? 0) >= 1);
    // The run's rejections are browsable, raw lines masked without pii:read.
    const q = (await app.inject({ url: '/v1/quarantine?limit=5', headers: bearer('engineer') })).json() as { records: { raw: string | null; raw_masked: boolean; code: string; run_id: string; uri: string }[] };
    assert.ok(q.records.length > 0 && q.records.length <= 5);
    assert.ok(q.records.every((r) => r.raw === null && r.raw_masked && r.run_id === runId && r.uri.endsWith('a.log')));
    const clear = (await app.inject({ url: `/v1/quarantine?code=${q.records[0]?.code}`, headers: bearer('admin') })).json() as { records: { raw: string | null; code: string }[] };
    assert.ok(clear.records.length > 0 && clear.records.every((r) => typeof r.raw === 'string' && r.code === q.records[0]?.code));
    assert.deepEqual((await app.inject({ url: '/readyz' })).json().checks, { control_store: 'ok', warehouse: 'ok' });
    // Scraping again does not count the same run twice.
    const again = parseMetrics((await app.inject({ url: '/metrics' })).body);
    assert.equal(value(again, 'tributary_runs_total', { pipeline: 'web', status: 'succeeded' }), 1);
    // Bounded labels only: no raw URLs, addresses or keys.
    assert.ok(!/127\.0\.0\.1|trb_|run-|\?/.test(after.filter((s) => s.name.startsWith('tributary_http')).map((s) => JSON.stringify(s.labels)).join('')));
  });
});
