import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BatchMeta, Lineage, RecordBatch } from '../../core/component.js';
import { isTributaryError } from '../../core/errors.js';
import { REJECT_CODES, type Rejection } from '../../core/outcome.js';
import type { AccessRecord } from '../../core/record.js';
import { ValidateConfig, validateStageSpec } from './index.js';
import { ValidateStage } from './validate-stage.js';

const NOW = '2024-06-01T00:00:00Z';
const NOW_MS = Date.parse(NOW);
const META: BatchMeta = { source: 'access_logs', uri: '/var/log/nginx/access.log', stream: 'fp-1' };
const COMMITTED = { committed: new Map<string, number>() };

type Rec = AccessRecord & Lineage;

function rec(patch: Partial<Record<keyof Rec, unknown>> = {}, line = 1): Rec {
  return {
    client_ip: '203.0.113.7', ident: null, user: null, ts: NOW_MS - 60_000, ts_offset_min: 0,
    method: 'GET', path: '/index.html', query: null, protocol: 'HTTP/1.1', status: 200, bytes_sent: 512,
    referer: null, user_agent: 'Mozilla/5.0', request_time_ms: 1.5, upstream_time_ms: null, vhost: null,
    port: null, x_forwarded_for: null, format: 'nginx_main', extras: null,
    source_line: line, source_offset: (line - 1) * 100, ...patch,
  } as Rec;
}

function batchOf(records: readonly Rec[]): RecordBatch<AccessRecord> {
  return { meta: META, records, raws: records.map((r) => `raw line ${r.source_line}`) };
}

function stage(config: Record<string, unknown> = {}): ValidateStage {
  return new ValidateStage('check', ValidateConfig.parse({ now: NOW, ...config }));
}

/** Runs one record through a stage built from `config`; returns its only rejection or null. */
function verdict(patch: Partial<Record<keyof Rec, unknown>>, config: Record<string, unknown> = {}): Rejection | null {
  const res = stage(config).process(batchOf([rec(patch)]), COMMITTED);
  assert.equal(res.passed.records.length + res.rejected.length, 1);
  assert.equal(res.filtered, 0);
  return res.rejected[0] ?? null;
}

function assertRejected(r: Rejection | null, code: string, field: string): Rejection {
  assert.ok(r, `expected a ${code} rejection on ${field}`);
  assert.equal(r.code, code, r.reason);
  assert.equal(r.field, field);
  return r;
}

describe('validate stage: built-in checks', () => {
  const cases: readonly { name: string; patch: Partial<Record<keyof Rec, unknown>>; code: string; field: string; config?: Record<string, unknown> }[] = [
    { name: 'client_ip garbage', patch: { client_ip: 'not-an-ip' }, code: 'type_conversion_failed', field: 'client_ip' },
    { name: 'client_ip with port', patch: { client_ip: '1.2.3.4:80' }, code: 'type_conversion_failed', field: 'client_ip' },
    { name: 'client_ip number', patch: { client_ip: 1234 }, code: 'type_conversion_failed', field: 'client_ip' },
    { name: 'client_ip octet > 255', patch: { client_ip: '300.1.2.3' }, code: 'value_out_of_range', field: 'client_ip' },
    { name: 'client_ip mapped octet > 255', patch: { client_ip: '::ffff:1.2.3.999' }, code: 'value_out_of_range', field: 'client_ip' },
    { name: 'ts missing', patch: { ts: null }, code: 'required_missing', field: 'ts' },
    { name: 'ts not a number', patch: { ts: '2024-01-01' }, code: 'type_conversion_failed', field: 'ts' },
    { name: 'ts before ts_min', patch: { ts: Date.parse('1999-12-31T23:59:59Z') }, code: 'value_out_of_range', field: 'ts' },
    { name: 'ts too far in the future', patch: { ts: NOW_MS + 86_400_000 + 1 }, code: 'value_out_of_range', field: 'ts' },
    { name: 'ts custom ts_min', patch: { ts: Date.parse('2019-12-31T00:00:00Z') }, code: 'value_out_of_range', field: 'ts', config: { ts_min: '2020-01-01T00:00:00+00:00' } },
    { name: 'method not a token', patch: { method: 'GE T' }, code: 'schema_violation', field: 'method' },
    { name: 'method with a slash', patch: { method: 'GET/' }, code: 'schema_violation', field: 'method' },
    { name: 'method junk disallowed', patch: { method: null }, code: 'required_missing', field: 'method', config: { allow_junk_requests: false } },
    { name: 'method not allowed', patch: { method: 'PROPFIND' }, code: 'value_out_of_range', field: 'method', config: { allowed_methods: ['GET', 'POST'] } },
    { name: 'method is case-sensitive', patch: { method: 'get' }, code: 'value_out_of_range', field: 'method', config: { allowed_methods: ['GET'] } },
    { name: 'status 99', patch: { status: 99 }, code: 'value_out_of_range', field: 'status' },
    { name: 'status 600', patch: { status: 600 }, code: 'value_out_of_range', field: 'status' },
    { name: 'status fractional', patch: { status: 200.5 }, code: 'value_out_of_range', field: 'status' },
    { name: 'status string', patch: { status: '200' }, code: 'type_conversion_failed', field: 'status' },
    { name: 'bytes_sent negative', patch: { bytes_sent: -1 }, code: 'value_out_of_range', field: 'bytes_sent' },
    { name: 'bytes_sent NaN', patch: { bytes_sent: NaN }, code: 'type_conversion_failed', field: 'bytes_sent' },
    { name: 'request_time_ms negative', patch: { request_time_ms: -0.5 }, code: 'value_out_of_range', field: 'request_time_ms' },
    { name: 'request_time_ms infinite', patch: { request_time_ms: Infinity }, code: 'value_out_of_range', field: 'request_time_ms' },
    { name: 'path too long', patch: { path: `/${'a'.repeat(8192)}` }, code: 'value_out_of_range', field: 'path' },
    { name: 'user_agent too long', patch: { user_agent: 'u'.repeat(2049) }, code: 'value_out_of_range', field: 'user_agent' },
    { name: 'referer too long', patch: { referer: 'r'.repeat(4097) }, code: 'value_out_of_range', field: 'referer' },
    { name: 'custom max length', patch: { vhost: 'example.org' }, code: 'value_out_of_range', field: 'vhost', config: { max_lengths: { vhost: 5 } } },
  ];
  for (const c of cases) {
    it(`rejects: ${c.name}`, () => { assertRejected(verdict(c.patch, c.config), c.code, c.field); });
  }

  const passing: readonly { name: string; patch: Partial<Record<keyof Rec, unknown>>; config?: Record<string, unknown> }[] = [
    { name: 'IPv6', patch: { client_ip: '2001:db8::1' } },
    { name: 'IPv4-mapped IPv6', patch: { client_ip: '::ffff:192.0.2.1' } },
    { name: 'absent client_ip', patch: { client_ip: null } },
    { name: 'ts exactly ts_min', patch: { ts: Date.parse('2000-01-01T00:00:00Z') } },
    { name: 'ts exactly at the future limit', patch: { ts: NOW_MS + 86_400_000 } },
    { name: 'junk request (null method) by default', patch: { method: null, path: null, protocol: null } },
    { name: 'extension method token', patch: { method: 'M-SEARCH' } },
    { name: 'status 100 and 599 bounds', patch: { status: 599 } },
    { name: 'absent status and sizes', patch: { status: null, bytes_sent: null, request_time_ms: null } },
    { name: 'zero sizes', patch: { bytes_sent: 0, request_time_ms: 0 } },
    { name: 'path exactly at max length', patch: { path: `/${'a'.repeat(8191)}` } },
    { name: 'length limit switched off with null', patch: { path: `/${'a'.repeat(9000)}` }, config: { max_lengths: { path: null } } },
  ];
  for (const c of passing) {
    it(`passes: ${c.name}`, () => assert.equal(verdict(c.patch, c.config), null));
  }

  it('every built-in check can be switched off', () => {
    const bad = { client_ip: 'x', ts: null, method: 'G T', status: 999, bytes_sent: -1, request_time_ms: -1, user_agent: 'u'.repeat(5000) };
    const off = { client_ip: false, ts: false, method: false, status: false, non_negative: false, lengths: false };
    assert.equal(verdict(bad, { checks: off }), null);
    for (const name of Object.keys(off)) {
      assert.ok(verdict(bad, { checks: { ...off, [name]: true } }), `check ${name} should reject when on`);
    }
  });

  it('enforces every max_lengths key', () => {
    for (const field of Object.keys(ValidateConfig.parse({}).max_lengths)) {
      assertRejected(verdict({ [field]: 'xx' }, { max_lengths: { [field]: 1 } }), 'value_out_of_range', field);
      assert.equal(verdict({ [field]: 'x' }, { max_lengths: { [field]: 1 } }), null, field);
    }
  });

  it('uses the wall clock when no `now` is configured', () => {
    const s = new ValidateStage('check', ValidateConfig.parse({}));
    const res = s.process(batchOf([rec({ ts: Date.now() }, 1), rec({ ts: Date.now() + 2 * 86_400_000 }, 2)]), COMMITTED);
    assert.deepEqual(res.passed.records.map((r) => r.source_line), [1]);
    assertRejected(res.rejected[0] ?? null, 'value_out_of_range', 'ts');
  });

  it('reports ts far out of range without throwing', () => {
    assertRejected(verdict({ ts: 1e300 }), 'value_out_of_range', 'ts');
    assertRejected(verdict({ ts: -Infinity }), 'value_out_of_range', 'ts');
  });
});

describe('validate stage: rules', () => {
  const rules = (...r: Record<string, unknown>[]) => ({ rules: r });

  it('required: missing → required_missing, present → pass', () => {
    const r = assertRejected(verdict({ user: null }, rules({ field: 'user', required: true })), 'required_missing', 'user');
    assert.match(r.reason, /rules\[0\]\.required/);
    assert.equal(verdict({ user: 'alice' }, rules({ field: 'user', required: true })), null);
  });

  it('an absent value skips every other check of the rule', () => {
    assert.equal(verdict({ user: null }, rules({ field: 'user', allowed: ['bob'], regex: '^b', min_length: 3, min: 1 })), null);
  });

  it('allowed compares as strings', () => {
    const cfg = rules({ field: 'status', allowed: [200, '304'] });
    assert.equal(verdict({ status: 200 }, cfg), null);
    assert.equal(verdict({ status: 304 }, cfg), null);
    const r = assertRejected(verdict({ status: 404 }, cfg), 'value_out_of_range', 'status');
    assert.match(r.reason, /^status 404 is not one of \[200, "304"\] \(rules\[0\]\.allowed\)$/);
  });

  it('regex (unanchored unless anchored) → schema_violation', () => {
    const cfg = rules({ field: 'user_agent', regex: '^Mozilla/' });
    assert.equal(verdict({ user_agent: 'Mozilla/5.0 (X11)' }, cfg), null);
    const r = assertRejected(verdict({ user_agent: 'curl/8.5' }, cfg), 'schema_violation', 'user_agent');
    assert.match(r.reason, /"curl\/8\.5" does not match \/\^Mozilla\\\/\/ \(rules\[0\]\.regex\)/);
    assert.equal(verdict({ path: '/a/admin/b' }, rules({ field: 'path', regex: 'admin' })), null);
  });

  it('min_length and max_length', () => {
    const cfg = rules({ field: 'user', min_length: 2, max_length: 4 });
    assert.equal(verdict({ user: 'ab' }, cfg), null);
    assert.equal(verdict({ user: 'abcd' }, cfg), null);
    assert.match(assertRejected(verdict({ user: 'a' }, cfg), 'value_out_of_range', 'user').reason, /min_length/);
    assert.match(assertRejected(verdict({ user: 'abcde' }, cfg), 'value_out_of_range', 'user').reason, /max_length/);
  });

  it('min and max (inclusive); numeric strings convert, others are type_conversion_failed', () => {
    const cfg = rules({ field: 'port', min: 1, max: 65535 });
    assert.equal(verdict({ port: 1 }, cfg), null);
    assert.equal(verdict({ port: 65535 }, cfg), null);
    assert.match(assertRejected(verdict({ port: 0 }, cfg), 'value_out_of_range', 'port').reason, /rules\[0\]\.min\)$/);
    assert.match(assertRejected(verdict({ port: 70000 }, cfg), 'value_out_of_range', 'port').reason, /rules\[0\]\.max\)$/);
    assert.equal(verdict({ extras: { retries: '3' } }, rules({ field: 'extras.retries', max: 5 })), null);
    assertRejected(verdict({ extras: { retries: '9' } }, rules({ field: 'extras.retries', max: 5 })), 'value_out_of_range', 'extras.retries');
    assertRejected(verdict({ extras: { retries: 'many' } }, rules({ field: 'extras.retries', max: 5 })), 'type_conversion_failed', 'extras.retries');
  });

  it('extras.<key> fields: missing key is absent', () => {
    assertRejected(verdict({ extras: { other: 'x' } }, rules({ field: 'extras.tenant', required: true })), 'required_missing', 'extras.tenant');
    assertRejected(verdict({ extras: null }, rules({ field: 'extras.tenant', required: true })), 'required_missing', 'extras.tenant');
    assert.equal(verdict({ extras: { tenant: 'acme' } }, rules({ field: 'extras.tenant', required: true, allowed: ['acme'] })), null);
  });

  it('reasons name the field, the value cut to 80 characters, and the rule', () => {
    const long = 'x'.repeat(200);
    const r = assertRejected(verdict({ user_agent: long }, rules({ field: 'path', required: true }, { field: 'user_agent', regex: '^y' })), 'schema_violation', 'user_agent');
    assert.equal(r.reason, `user_agent "${'x'.repeat(80)}…" does not match /^y/ (rules[1].regex)`);
  });

  it('built-in checks run before rules, and the first failing rule wins', () => {
    const r = verdict({ status: 999, user: null }, rules({ field: 'user', required: true }));
    assertRejected(r, 'value_out_of_range', 'status');
    const r2 = verdict({ user: 'zz' }, rules({ field: 'user', max_length: 1 }, { field: 'user', allowed: ['a'] }));
    assert.match(assertRejected(r2, 'value_out_of_range', 'user').reason, /rules\[0\]/);
  });
});

describe('validate stage: path decoding', () => {
  const decode = (path: string, config: Record<string, unknown> = {}): Rec => {
    const res = stage(config).process(batchOf([rec({ path, extras: { upstream: 'a' } })]), COMMITTED);
    assert.equal(res.rejected.length, 0);
    return res.passed.records[0]!;
  };

  it('decodes %2F and multi-byte UTF-8, keeps +', () => {
    assert.equal(decode('/a%2Fb').path, '/a/b');
    assert.equal(decode('/price/%E2%82%AC').path, '/price/€');
    assert.equal(decode('/a+b%20c').path, '/a+b c');
    assert.equal(decode('/a%2Fb').extras?.path_raw_invalid, undefined);
  });

  for (const bad of ['/x%zz', '/trailing%', '/short%4', '/overlong%C0%AF..', '/surrogate%ED%A0%80', '/ff%FF', '/%E2%82']) {
    it(`keeps the raw path and flags it: ${bad}`, () => {
      const out = decode(bad);
      assert.equal(out.path, bad);
      assert.deepEqual(out.extras, { upstream: 'a', path_raw_invalid: '1' });
    });
  }

  it('flags with extras null, and does not mutate the input', () => {
    const input = rec({ path: '/x%zz', extras: null });
    const frozen = Object.freeze({ ...input });
    const res = stage().process(batchOf([frozen]), COMMITTED);
    assert.deepEqual(res.passed.records[0]!.extras, { path_raw_invalid: '1' });
    assert.equal(frozen.extras, null);
    assert.equal(frozen.path, '/x%zz');
  });

  it('decode_path: false leaves the path as is', () => {
    assert.equal(decode('/a%2Fb', { decode_path: false }).path, '/a%2Fb');
    assert.equal(decode('/x%zz', { decode_path: false }).extras?.path_raw_invalid, undefined);
  });

  it('rules see the decoded path', () => {
    assertRejected(verdict({ path: '/%2E%2E/etc/passwd' }, { rules: [{ field: 'path', regex: '^(?!.*\\.\\./)' }] }), 'schema_violation', 'path');
  });
});

describe('validate stage: batches and rejections', () => {
  it('rejections carry origin, raw line, code, field and stage id; passed raws stay aligned', () => {
    const records = [rec({}, 1), rec({ status: 700 }, 2), rec({ path: '/a%20b' }, 3), rec({}, 4)];
    const b = batchOf(records);
    const res = stage().process(b, COMMITTED);
    assert.deepEqual(res.rejected, [{
      origin: { source: 'access_logs', uri: '/var/log/nginx/access.log', stream: 'fp-1', line: 2, offset: 100 },
      raw: 'raw line 2', code: 'value_out_of_range', reason: 'status 700 is outside 100..599', field: 'status', stage: 'check',
    }]);
    assert.deepEqual(res.passed.records.map((r) => r.source_line), [1, 3, 4]);
    assert.deepEqual(res.passed.raws, ['raw line 1', 'raw line 3', 'raw line 4']);
    assert.equal(res.passed.records[1]!.path, '/a b');
    assert.equal(res.passed.records[0], records[0]);
    assert.equal(records[2]!.path, '/a%20b');
  });

  it('returns the input batch itself when every record passes unchanged', () => {
    const b = batchOf([rec({}, 1), rec({}, 2)]);
    assert.equal(stage().process(b, COMMITTED).passed, b);
  });

  it('handles an empty batch', () => {
    const res = stage().process(batchOf([]), COMMITTED);
    assert.deepEqual([res.passed.records.length, res.rejected.length, res.filtered], [0, 0, 0]);
  });
});

describe('validate stage: config', () => {
  it('has documented defaults and re-parses its own output unchanged (workers parse again)', () => {
    const c = ValidateConfig.parse({});
    assert.equal(c.ts_min, '2000-01-01');
    assert.equal(c.ts_max_future_secs, 86_400);
    assert.equal(c.allow_junk_requests, true);
    assert.equal(c.decode_path, true);
    assert.equal(c.max_lengths.path, 8192);
    assert.equal(c.max_lengths.user_agent, 2048);
    assert.equal(c.max_lengths.referer, 4096);
    assert.deepEqual(c.rules, []);
    assert.deepEqual(ValidateConfig.parse(c), c);
    const partial = ValidateConfig.parse({ max_lengths: { path: 10 }, checks: { ts: false } });
    assert.equal(partial.max_lengths.referer, 4096);
    assert.equal(partial.checks.client_ip, true);
  });

  for (const [name, bad, path] of [
    ['unknown key', { strict: true }, ''],
    ['unknown rule field', { rules: [{ field: 'nope', required: true }] }, 'rules.0.field'],
    ['rule without checks', { rules: [{ field: 'path' }] }, 'rules.0'],
    ['invalid regex', { rules: [{ field: 'path', regex: '([a-z' }] }, 'rules.0.regex'],
    ['local date-time ts_min', { ts_min: '2000-01-01T00:00:00' }, 'ts_min'],
    ['non-token allowed method', { allowed_methods: ['GE T'] }, 'allowed_methods.0'],
    ['unknown max_lengths key', { max_lengths: { body: 1 } }, 'max_lengths'],
  ] as const) {
    it(`rejects ${name} at parse time`, () => {
      const r = ValidateConfig.safeParse(bad);
      assert.equal(r.success, false);
      assert.ok(r.error?.issues.some((i) => i.path.join('.') === path), JSON.stringify(r.error?.issues));
    });
  }

  it('create() throws TRB_CONFIG_INVALID with the path when a regex does not compile', () => {
    const cfg = { ...ValidateConfig.parse({}), rules: [{ field: 'path', required: true }, { field: 'path', regex: '(' }] };
    assert.throws(() => validateStageSpec.create('v1', cfg), (err: unknown) => {
      assert.ok(isTributaryError(err));
      assert.equal(err.code, 'TRB_CONFIG_INVALID');
      assert.equal(err.details.path, 'v1.rules[1].regex');
      assert.ok(err.cause instanceof SyntaxError);
      return true;
    });
  });

  it('the spec builds a working validate stage', () => {
    const s = validateStageSpec.create('v', validateStageSpec.config.parse({ now: NOW }));
    assert.equal(s.type, 'validate');
    assert.equal(s.id, 'v');
  });
});

describe('validate stage: property', () => {
  const value = fc.oneof(
    fc.constant(null), fc.string({ maxLength: 12 }), fc.integer({ min: -1000, max: 100_000 }),
    fc.double({ noDefaultInfinity: false }), fc.constantFrom('GET', '1.2.3.4', '::1', '/a%zz', '/%E2%82%AC', '%C0%AF'),
  );
  const fields = ['client_ip', 'ts', 'method', 'path', 'status', 'bytes_sent', 'request_time_ms', 'user', 'user_agent', 'port', 'extras.k'] as const;
  const recordArb = fc.record({
    client_ip: value, ts: fc.oneof(value, fc.integer({ min: NOW_MS - 1e12, max: NOW_MS + 1e9 })), method: value, path: value,
    status: fc.oneof(value, fc.integer({ min: 0, max: 700 })), bytes_sent: value, request_time_ms: value, user: value, user_agent: value,
    port: value, extras: fc.oneof(fc.constant(null), fc.dictionary(fc.constantFrom('k', 'j'), fc.string({ maxLength: 6 }))),
  });
  const ruleArb = fc.record({
    field: fc.constantFrom(...fields),
    required: fc.option(fc.boolean(), { nil: undefined }),
    allowed: fc.option(fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 600 })), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    regex: fc.option(fc.constantFrom('^[a-z]+$', '\\d', '^/', '.'), { nil: undefined }),
    min_length: fc.option(fc.nat(5), { nil: undefined }),
    max_length: fc.option(fc.nat(12), { nil: undefined }),
    min: fc.option(fc.integer({ min: -10, max: 300 }), { nil: undefined }),
    max: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  }, { requiredKeys: ['field'] }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
  const configArb = fc.record({
    rules: fc.array(ruleArb, { maxLength: 4 }), allow_junk_requests: fc.boolean(), decode_path: fc.boolean(),
    checks: fc.record({ client_ip: fc.boolean(), ts: fc.boolean(), method: fc.boolean(), status: fc.boolean(), non_negative: fc.boolean(), lengths: fc.boolean() }),
    max_lengths: fc.record({ path: fc.option(fc.integer({ min: 1, max: 10 })), user: fc.option(fc.integer({ min: 1, max: 10 })) }),
  });

  it('in = passed + rejected + filtered; rejections have a valid origin and code; raws stay aligned', () => {
    fc.assert(fc.property(fc.array(recordArb, { maxLength: 30 }), configArb, (patches, rawConfig) => {
      const parsed = ValidateConfig.safeParse({ ...rawConfig, now: NOW });
      fc.pre(parsed.success);
      const records = patches.map((p, i) => rec(p as Partial<Record<keyof Rec, unknown>>, i + 1));
      const b = batchOf(records);
      const res = new ValidateStage('p', parsed.data).process(b, COMMITTED);
      assert.equal(records.length, res.passed.records.length + res.rejected.length + res.filtered);
      assert.equal(res.filtered, 0);
      assert.equal(res.passed.raws.length, res.passed.records.length);
      res.passed.records.forEach((r, i) => assert.equal(res.passed.raws[i], `raw line ${r.source_line}`));
      const lines = new Set<number>();
      for (const r of [...res.passed.records.map((x) => x.source_line), ...res.rejected.map((x) => x.origin.line)]) lines.add(r);
      assert.equal(lines.size, records.length, 'every record is accounted for exactly once');
      for (const rej of res.rejected) {
        assert.ok((REJECT_CODES as readonly string[]).includes(rej.code));
        assert.equal(rej.origin.stream, META.stream);
        assert.equal(rej.origin.source, META.source);
        assert.equal(rej.origin.uri, META.uri);
        assert.equal(rej.origin.offset, (rej.origin.line - 1) * 100);
        assert.equal(rej.raw, `raw line ${rej.origin.line}`);
        assert.equal(rej.stage, 'p');
        assert.ok(rej.field && rej.reason.startsWith(rej.field), rej.reason);
      }
    }), { seed: 20240601, numRuns: 300 });
  });
});
