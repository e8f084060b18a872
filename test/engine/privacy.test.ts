/**
 * The `privacy` stage in real runs: with the default policies no raw client IP, e-mail or token of
 * the input reaches silver Parquet or the warehouse (their bytes are scanned), pseudonyms stay
 * stable across runs within an epoch, and on generated benign traffic the URL redaction rules
 * change fewer than 0.1 % of the values (false positives).
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateAccessLog } from '../../src/generator/index.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { askWarehouse as ask, filesUnder } from '../helpers/data-files.js';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { decryptFieldToken } from '../../src/security/crypto/field-cipher.js';
import { QUARANTINE_RAW_CONTEXT } from '../../src/engine/runtime/quarantine-protection.js';
import { tmpDir } from '../helpers/tmp.js';
import { ENRICHED_STAGES, logPipeline } from '../helpers/log-pipeline.js';

const PIPELINE = logPipeline({ name: 'private', stages: ['validate', 'dedupe', ...ENRICHED_STAGES] });



test('every enrichment + default privacy: no raw IP, e-mail or token at rest in silver, quarantine, security events or the warehouse; few false positives', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  const log = join(dir, 'logs', 'access.log');
  await generateAccessLog({ lines: 20_000, seed: 11, format: 'apache_combined', malformedRatio: 0.005 }, log);
  const benign = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  // Lines a real site sees that carry personal data in the URL and referer.
  const personal = [
    '198.51.100.23 - bob [10/Oct/2025:13:55:36 +0000] "GET /reset?email=bob.smith@example.com&token=9f8e7d6c5b4a HTTP/1.1" 200 12 "https://mail.example.com/?sid=abcdef123456" "Mozilla/5.0"',
    '2001:db8:1234:5678::42 - - [10/Oct/2025:13:55:37 +0000] "GET /pay?card=4111111111111111 HTTP/1.1" 302 0 "-" "Mozilla/5.0"',
    // Rejected by validate (status): lands in the quarantine, raw line and all.
    '203.0.113.99 - - [10/Oct/2025:13:55:38 +0000] "GET /x?email=eve@example.org HTTP/1.1" 999 0 "-" "Mozilla/5.0"',
  ];
  appendFileSync(log, `${personal.join('\n')}\n`);
  writeFileSync(join(dir, 'p.yaml'), PIPELINE);
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: join(dir, 'data'), workers: 1 });
  assert.equal(run.status, 'succeeded', run.error?.message);
  assert.equal(run.landed + run.quarantined + run.filtered, run.linesRead);
  const firstPersonal = run.linesRead - personal.length + 1;
  assert.ok(run.quarantined > 10 && run.quarantineByReason['value_out_of_range']! >= 1);
  assert.deepEqual([run.columns.client_ip, run.columns.user, run.columns.referer, run.columns.user_agent, run.columns.status],
    ['pseudonymous', 'pseudonymous', 'pseudonymous', 'personal', 'none'], 'the run records every column\'s pii tag after privacy');

  const ips = [...new Set([...benign, ...personal].map((l) => l.split(' ')[0]!))].filter((ip) => !ip.endsWith('.0'));
  const secrets = ['bob.smith@example.com', '9f8e7d6c5b4a', 'abcdef123456', '4111111111111111', '2001:db8:1234:5678::42', 'eve@example.org', '203.0.113.99'];
  const needles = [...ips, ...secrets].map((s) => Buffer.from(s));
  const atRest = filesUnder(join(dir, 'data')).filter((f) => f.endsWith('.parquet') || f.endsWith('.duckdb'));
  assert.ok(atRest.some((f) => f.endsWith('.parquet')) && atRest.some((f) => f.endsWith('.duckdb')));
  for (const f of atRest) {
    const bytes = readFileSync(f);
    const hit = needles.find((n) => bytes.includes(n));
    assert.equal(hit, undefined, `${hit?.toString()} found in ${f}`);
  }

  const wh = join(dir, 'data', 'warehouse.duckdb');
  // The quarantined line comes back only through the vault (what `tributary decrypt --dataset quarantine --field raw` does).
  const [[token, reason]] = await ask(wh, "select raw, reason from quarantine where code = 'value_out_of_range' and raw is not null limit 1") as [[string, string]];
  assert.match(token, /^enc:v1:field:1:/);
  const deployment = await openDeployment(join(dir, 'data'));
  try {
    const raws = await Promise.all((await ask(wh, "select raw from quarantine where code = 'value_out_of_range'")).map((r) => decryptFieldToken(String(r[0]), deployment.keys!, QUARANTINE_RAW_CONTEXT)));
    assert.ok(raws.includes(personal[2]!), 'the raw line is recoverable by a privileged user');
  } finally { await deployment.close(); }
  assert.doesNotMatch(reason, /203\.0\.113\.99|eve@example/);
  const [[events]] = await ask(wh, 'select count(*) from security_events') as [[bigint]];
  assert.ok(Number(events) > 0, 'security events were written (and scanned above)');
  const [[total, truncated, notPseudonymous]] = await ask(wh, "select count(*), count(*) filter (where client_ip like '%.0' or client_ip like '%::%'), count(*) filter (where \"user\" is not null and \"user\" not similar to 'ps[0-9]+_[0-9a-f]{24}') from requests") as [[bigint, bigint, bigint]];
  assert.equal(Number(truncated), Number(total), 'every client IP is truncated');
  assert.equal(Number(notPseudonymous), 0, 'every user name is a pseudonym');
  const [[redacted]] = await ask(wh, "select count(*) from requests where regexp_matches(coalesce(path, '') || coalesce(query, '') || coalesce(referer, ''), '\\[(redacted|email|card|phone)\\]') and source_line < " + firstPersonal) as [[bigint]];
  assert.ok(Number(redacted) / benign.length < 0.001, `false positives on benign traffic: ${redacted} of ${benign.length}`);
  const [[pq]] = await ask(wh, `select query from requests where source_line = ${firstPersonal}`) as [[string]];
  assert.equal(pq, 'email=[redacted]&token=[redacted]');
});
