import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigInvalid, UnknownComponent, type TributaryError } from '../../src/core/errors.js';
import { ConfigEnvMissing, ConfigIssues, ConfigPlaintextSecret, ConfigSecretNotAllowed, SecretResolveFailed } from '../../src/config/config-errors.js';
import { isSecretValue, SecretValue } from '../../src/core/secret-value.js';
import { SecretNotFound } from '../../src/security/errors.js';
import { inspect } from 'node:util';
import {
  configProblems, loadPipelineFile, loadPipelineText, validatePipelineText, type LoadOptions,
} from '../../src/config/load-config.js';
import { resolveConfigSecrets } from '../../src/config/resolve-secrets.js';
import { tmpDir } from '../helpers/tmp.js';
import { fakeRegistry, VALID_YAML } from './fake-registry.js';

const opts: LoadOptions = { env: {}, cwd: '/srv/pipes' };

/** Every problem of `text` (fails when the text is valid). */
function problems(text: string, o: LoadOptions = opts): readonly TributaryError[] {
  const r = validatePipelineText(text, 'p.yaml', fakeRegistry, o);
  assert.equal(r.ok, false, 'expected the config to be invalid');
  return r.problems;
}

/** The only problem of `text`. */
function problem(text: string, o: LoadOptions = opts): TributaryError {
  const all = problems(text, o);
  assert.equal(all.length, 1, `expected one problem, got: ${all.map((p) => p.message).join(' | ')}`);
  return all[0]!;
}

describe('loadPipelineText', () => {
  it('loads a valid pipeline and applies every default', () => {
    const p = loadPipelineText(VALID_YAML, 'p.yaml', fakeRegistry, opts);
    assert.equal(p.file, '/srv/pipes/p.yaml');
    assert.equal(p.baseDir, '/srv/pipes');
    assert.equal(p.dataDir, '/srv/pipes/.tributary');
    assert.equal(p.configHash, createHash('sha256').update(VALID_YAML).digest('hex'));
    assert.deepEqual(p.secretRefs, []);
    const c = p.config;
    assert.equal(c.name, 'web-logs');
    assert.equal(c.description, 'Access logs');
    assert.deepEqual(c.quality, { max_invalid_ratio: 0.05, min_lines: 0 });
    assert.deepEqual(c.engine, { workers: 'auto', commit_lines: 100_000, commit_interval_ms: 500, max_inflight_batches: 4, bronze: { encryption: 'auto', key: 'bronze' }, quarantine: { raw: 'auto', key: 'field' } });
    assert.deepEqual(c.sources[0], {
      id: 'access', type: 'files', include: ['logs/*.log*'], exclude: [], max_line_bytes: 65536,
      follow: false, encoding: 'utf8', rotate: { wait_ms: 1000 },
    });
    assert.deepEqual(c.stages.map((s) => s.id), ['parse', 'validate', 'dedupe'], 'stage ids default to the type');
    assert.deepEqual(c.stages[2], { id: 'dedupe', type: 'dedupe', window_secs: 3600 });
    assert.deepEqual(c.sinks[1], { id: 'warehouse', type: 'duckdb', table: 'access' });
  });

  it('deep-freezes the result', () => {
    const p = loadPipelineText(VALID_YAML, 'p.yaml', fakeRegistry, opts);
    for (const v of [p, p.config, p.config.sources, p.config.sources[0], p.config.sources[0]?.['include'], p.config.engine, p.secretRefs]) {
      assert.ok(Object.isFrozen(v));
    }
    assert.throws(() => { (p.config.engine as { workers: unknown }).workers = 3; }, TypeError);
    assert.throws(() => { (p.config.sources[0]?.['include'] as string[]).push('x'); }, TypeError);
  });

  it('resolves data_dir against the pipeline file, and TRIBUTARY_DATA_DIR against the cwd', () => {
    const withDir = VALID_YAML.replace('description: Access logs', 'data_dir: ../state');
    assert.equal(loadPipelineText(withDir, 'sub/p.yaml', fakeRegistry, opts).dataDir, '/srv/pipes/state');
    const env = { TRIBUTARY_DATA_DIR: 'var/trb' };
    assert.equal(loadPipelineText(withDir, 'sub/p.yaml', fakeRegistry, { ...opts, env }).dataDir, '/srv/pipes/var/trb');
    assert.equal(loadPipelineText(VALID_YAML, '/abs/p.yaml', fakeRegistry, { ...opts, env: { TRIBUTARY_DATA_DIR: '/data' } }).dataDir, '/data');
  });

  it('reports an unknown key with its line and a suggestion', () => {
    const [missing, e] = problems(VALID_YAML.replace('include:', 'incldue:'));
    assert.equal(missing?.details['path'], 'sources[0].include', 'the misspelt key also leaves `include` missing');
    assert.ok(e && ConfigInvalid.is(e));
    assert.equal(e.details['line'], 6);
    assert.equal(e.details['path'], 'sources[0].incldue');
    assert.match(String(e.details['reason']), /unknown key `incldue` \(did you mean `include`\?\)/);
    assert.equal(e.details['file'], 'p.yaml');
    assert.match(e.message, /p\.yaml:6 at `sources\[0\]\.incldue`/);
  });

  it('lists the allowed keys when nothing is close', () => {
    const e = problem(`${VALID_YAML}quality:\n  zzzzzz: 1\n`);
    assert.equal(e.details['line'], 18);
    assert.match(String(e.details['reason']), /unknown key `zzzzzz`; allowed keys: max_invalid_ratio, min_lines/);
  });

  it('reports a wrong type with what was found', () => {
    const e = problem(VALID_YAML.replace('include: ["logs/*.log*"]', 'include: "logs/*.log"'));
    assert.equal(e.details['path'], 'sources[0].include');
    assert.equal(e.details['line'], 6);
    assert.match(String(e.details['reason']), /expected a list, got the string `logs\/\*\.log`/);
    const w = problem(`${VALID_YAML}engine:\n  workers: 200\n`);
    assert.equal(w.details['path'], 'engine.workers');
    assert.equal(w.details['line'], 18);
    assert.match(String(w.details['reason']), /must be at most 64, got `200`/);
    const x = problem(`${VALID_YAML}engine:\n  workers: many\n`);
    assert.match(String(x.details['reason']), /must be `auto` or an integer from 1 to 64, got the string `many`/);
  });

  it('reports a missing required key at the line of its parent', () => {
    const e = problem(VALID_YAML.replace('    include: ["logs/*.log*"]\n', ''));
    assert.equal(e.details['path'], 'sources[0].include');
    assert.equal(e.details['line'], 4, 'line of the `- id: access` entry');
    assert.match(String(e.details['reason']), /missing required key `include`/);
    const top = problem(VALID_YAML.replace('name: web-logs\n', ''));
    assert.equal(top.details['path'], 'name');
    assert.equal(top.details['line'], 1);
  });

  it('reports an unknown component type with the known types', () => {
    const e = problem(VALID_YAML.replace('type: duckdb', 'type: duck'));
    assert.ok(UnknownComponent.is(e));
    assert.equal(e.code, 'TRB_CONFIG_UNKNOWN_COMPONENT');
    assert.equal(e.details['kind'], 'sink');
    assert.equal(e.details['type'], 'duck');
    assert.deepEqual(e.details['known'], ['lake', 'duckdb']);
    assert.equal(e.details['path'], 'sinks[1].type');
    assert.equal(e.details['line'], 16);
    const missing = problem(VALID_YAML.replace('    type: files\n', ''));
    assert.equal(missing.details['path'], 'sources[0].type');
    assert.match(String(missing.details['reason']), /missing required key `type` \(one of: files, http\)/);
  });

  it('reports duplicate ids, explicit and defaulted from the stage type', () => {
    const e = problem(VALID_YAML.replace('id: lake', 'id: access'));
    assert.equal(e.details['path'], 'sinks[0].id');
    assert.equal(e.details['line'], 13);
    assert.match(String(e.details['reason']), /duplicate id `access` \(already used by `sources\[0\]`\)/);
    const s = problem(VALID_YAML.replace('  - type: validate\n', '  - type: dedupe\n'));
    assert.equal(s.details['path'], 'stages[2]');
    assert.match(String(s.details['reason']), /give this stage an `id`/);
    assert.doesNotThrow(() => loadPipelineText(VALID_YAML.replace('  - type: validate\n', '  - type: dedupe\n    id: dedupe2\n'), 'p.yaml', fakeRegistry, opts));
  });

  it('reports a YAML syntax error with line and column', () => {
    const e = problem('name: a\nsources:\n  - id: s\n   type: files\n');
    assert.ok(ConfigInvalid.is(e));
    assert.equal(e.details['line'], 4);
    assert.equal(typeof e.details['col'], 'number');
    assert.match(String(e.details['reason']), /YAML syntax error at column \d+/);
    const dup = problem(`${VALID_YAML}name: again\n`);
    assert.equal(dup.details['line'], 17, 'duplicate keys are YAML errors');
  });

  it('reports every problem at once, sorted by line', () => {
    const text = VALID_YAML.replace('name: web-logs', 'name: Web Logs').replace('include:', 'incldue:')
      .replace('format: auto', 'format: nginx_mian').replace('type: duckdb', 'type: duck');
    const all = problems(text);
    assert.deepEqual(all.map((p) => p.details['line']), [1, 4, 6, 9, 16]);
    assert.match(String(all[3]?.details['reason']), /did you mean `nginx_main`/);
    const thrown = (() => { try { loadPipelineText(text, 'p.yaml', fakeRegistry, opts); } catch (err) { return err; } })();
    assert.ok(ConfigIssues.is(thrown));
    assert.equal(thrown.details['count'], 5);
    assert.equal((thrown.details['issues'] as readonly string[]).length, 5);
    assert.match(thrown.message, /5 problems in pipeline config p\.yaml:\n {2}- Invalid pipeline config in p\.yaml:1/);
    assert.deepEqual(configProblems(thrown).map((p) => p.code), all.map((p) => p.code));
  });

  it('throws a single problem as itself', () => {
    assert.throws(() => loadPipelineText(VALID_YAML.replace('type: duckdb', 'type: duck'), 'p.yaml', fakeRegistry, opts),
      (err: unknown) => UnknownComponent.is(err) && configProblems(err).length === 1);
  });

  it('rejects a document that is not a mapping', () => {
    assert.match(String(problem('').details['reason']), /expected a mapping, got `null`/);
    assert.match(String(problem('- a\n').details['reason']), /expected a mapping, got a list/);
  });
});

describe('placeholders', () => {
  const http = (lines: string) => `name: a
sources:
  - id: api
    type: http
${lines}sinks: [{ id: lake, type: lake }]
`;

  it('substitutes ${env:NAME} and re-types plain scalars, keeping quoted ones as strings', () => {
    const env = { HOST: 'example.org', SECS: '2.5', DIR: 'out' };
    const p = loadPipelineText(http('    url: https://${env:HOST}/x\n    interval_secs: ${env:SECS}\n')
      .replace('type: lake }', () => 'type: duckdb, table: "${env:SECS}", file: "$${env:DIR}" }'), 'p.yaml', fakeRegistry, { ...opts, env });
    assert.equal(p.config.sources[0]?.['url'], 'https://example.org/x');
    assert.equal(p.config.sources[0]?.['interval_secs'], 2.5);
    assert.equal(p.config.sinks[0]?.['table'], '2.5');
    assert.equal(p.config.sinks[0]?.['file'], '${env:DIR}', '$${ escapes a placeholder');
  });

  it('uses ${env:NAME:-default} when the variable is unset or empty', () => {
    const text = http('    url: ${env:URL:-http://localhost:8080/a}\n    interval_secs: ${env:SECS:-5}\n');
    const a = loadPipelineText(text, 'p.yaml', fakeRegistry, { ...opts, env: { SECS: '' } });
    assert.equal(a.config.sources[0]?.['url'], 'http://localhost:8080/a');
    assert.equal(a.config.sources[0]?.['interval_secs'], 5);
    const b = loadPipelineText(text, 'p.yaml', fakeRegistry, { ...opts, env: { URL: 'http://x', SECS: '7' } });
    assert.equal(b.config.sources[0]?.['url'], 'http://x');
    assert.equal(b.config.sources[0]?.['interval_secs'], 7);
  });

  it('reports a missing variable with file, line, path and variable, without a follow-on type error', () => {
    const e = problem(http('    url: x\n    interval_secs: ${env:POLL_SECS}\n'));
    assert.ok(ConfigEnvMissing.is(e));
    assert.deepEqual({ ...e.details }, { file: 'p.yaml', line: 6, path: 'sources[0].interval_secs', variable: 'POLL_SECS' });
    assert.match(e.message, /`POLL_SECS` is not set, used in p\.yaml:6/);
  });

  it('rejects unknown placeholder providers and never substitutes keys', () => {
    const e = problem(http('    url: ${vault:X}\n'));
    assert.match(String(e.details['reason']), /unknown placeholder `\$\{vault:X\}`/);
    const k = problem(http('    url: x\n    ${env:K}: 1\n'), { ...opts, env: { K: 'interval_secs' } });
    assert.equal(k.details['path'], 'sources[0]["${env:K}"]');
  });

  it('parses ${secret:NAME} in secret fields into unresolved SecretValues, recorded with their lines', () => {
    const p = loadPipelineText(http('    url: https://h/x\n    token: Bearer ${secret:API_USER}:${secret:API_TOKEN}\n'), 'p.yaml', fakeRegistry, opts);
    const token = p.config.sources[0]?.['token'];
    assert.ok(isSecretValue(token));
    assert.equal(token.resolved, false);
    assert.deepEqual(token.names, ['API_USER', 'API_TOKEN']);
    assert.deepEqual(p.secretRefs, [
      { name: 'API_USER', path: 'sources[0].token', line: 6 },
      { name: 'API_TOKEN', path: 'sources[0].token', line: 6 },
    ]);
  });

  it('refuses ${secret:NAME} in a field that is not secret (it would be printed)', () => {
    const e = problem(http('    url: https://u:${secret:API_PASS}@h/\n'));
    assert.ok(ConfigSecretNotAllowed.is(e), e.message);
    assert.equal(e.details['line'], 5);
    assert.equal(e.details['path'], 'sources[0].url');
    assert.equal(e.details['secret'], 'API_PASS');
  });

  it('resolves secrets through the vault into values that print as [redacted]', async () => {
    const p = loadPipelineText(http('    url: https://h/x\n    token: Bearer ${secret:API_TOKEN}\n'), 'p.yaml', fakeRegistry, opts);
    const reads: string[] = [];
    const vault = { get: (name: string) => { reads.push(name); return Promise.resolve(SecretValue.of('canary-7f3a', name)); } };
    const cfg = await resolveConfigSecrets(p, vault, { pipeline: 'web' });
    const token = cfg.sources[0]?.['token'] as SecretValue;
    assert.equal(token.reveal(), 'Bearer canary-7f3a');
    assert.deepEqual(reads, ['API_TOKEN']);
    for (const shown of [JSON.stringify(cfg), String(token), `${token}`, inspect(cfg, { depth: 10 }), inspect(token)]) {
      assert.doesNotMatch(shown, /canary-7f3a/);
    }
    assert.match(JSON.stringify(cfg), /\[redacted\]/);
    assert.equal((p.config.sources[0]?.['token'] as SecretValue).resolved, false, 'the loaded config is not mutated');
  });

  it('names the secret, file, line and path when the vault cannot resolve it', async () => {
    const p = loadPipelineText(http('    url: https://h/x\n    token: ${secret:MISSING}\n'), 'p.yaml', fakeRegistry, opts);
    const vault = { get: (name: string) => Promise.reject(SecretNotFound({ secret: name })) };
    await assert.rejects(resolveConfigSecrets(p, vault), (err: unknown) => SecretResolveFailed.is(err)
      && err.details['secret'] === 'MISSING' && err.details['line'] === 6 && err.exit === 2 && /MISSING/.test(err.message));
  });

  it('rejects a plaintext value in a secret field', () => {
    const e = problem(http('    url: x\n    token: hunter2\n'));
    assert.ok(ConfigPlaintextSecret.is(e));
    assert.equal(e.details['line'], 6);
    assert.equal(e.details['path'], 'sources[0].token');
    assert.doesNotMatch(e.message, /hunter2/, 'the secret value is never echoed');
  });
});

describe('loadPipelineFile', () => {
  it('reads the file and resolves paths beside it', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'web.yaml'), VALID_YAML);
    const p = await loadPipelineFile(join(dir, 'web.yaml'), fakeRegistry, { env: {} });
    assert.equal(p.file, join(dir, 'web.yaml'));
    assert.equal(p.dataDir, join(dir, '.tributary'));
  });

  it('fails with TRB_CONFIG_INVALID for a missing file', async (t) => {
    const dir = tmpDir(t);
    await assert.rejects(loadPipelineFile(join(dir, 'nope.yaml'), fakeRegistry, { env: {} }),
      (err: unknown) => ConfigInvalid.is(err) && /ENOENT/.test(err.message));
  });
});
