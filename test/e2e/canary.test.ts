/**
 * A canary secret appears nowhere in plaintext: not in the data directory (control store, audit
 * mirror, bronze, lake, warehouse), not in the logs or error messages of a run that uses it (at
 * debug level, with --verbose), not in run records or audit output, and not in the environment
 * passed to child processes. Only `tributary secrets get` prints it, on purpose.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli } from './_cli.js';
import { tmpDir } from '../helpers/tmp.js';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p)); else out.push(p);
  }
  return out;
}

describe('canary secret', () => {
  it('never appears in plaintext outside `secrets get`', async (t) => {
    const root = tmpDir(t, 'trb-canary-');
    const canary = `CANARY-${randomBytes(12).toString('hex')}`;
    const env = { XDG_CONFIG_HOME: join(root, 'config'), TRIBUTARY_DATA_DIR: join(root, 'data'), TRIBUTARY_LOG_LEVEL: 'debug' };
    mkdirSync(join(root, 'logs'));
    writeFileSync(join(root, 'logs', 'access.log'),
      '203.0.113.9 - - [10/Oct/2025:13:55:36 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8"\n'.repeat(50));
    const pipeline = (name: string, key: boolean): string => {
      const file = join(root, `${name}.yaml`);
      writeFileSync(file, [
        `name: ${name}`, 'sources:', '  - id: logs', '    type: files', `    include: ["${join(root, 'logs')}/*.log"]`,
        'stages:', '  - type: parse', '  - type: validate', 'sinks:', '  - id: lake', '    type: lake', '  - id: warehouse', '    type: duckdb',
        `    path: ${name}.duckdb`, ...(key ? ['    encryption_key: ${secret:wh_key}'] : []), '',
      ].join('\n'));
      return file;
    };
    const outputs: string[] = [];
    const run = async (args: string[], input?: string): Promise<{ code: number | null }> => {
      const r = await cli(args, input, env);
      outputs.push(`$ ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
      return r;
    };

    assert.equal((await run(['secrets', 'set', 'wh_key'], `${canary}\n`)).code, 0);
    // A run whose sink uses the secret: DuckDB refuses encryption without OpenSSL crypto (exit 2),
    // or, where available, writes an encrypted warehouse. Either way the key must not leak.
    const withKey = await run(['run', pipeline('secretive', true), '--json', '--no-progress', '--verbose']);
    assert.ok(withKey.code === 0 || withKey.code === 2, `unexpected exit ${withKey.code}`);
    if (withKey.code === 2) assert.match(outputs.at(-1) ?? '', /TRB_SECRET_ENCRYPTION_UNAVAILABLE/);
    assert.equal((await run(['run', pipeline('plain', false), '--json', '--no-progress', '--verbose'])).code, 0);
    for (const args of [['runs', '--json'], ['audit', 'tail', '-n', '100', '--json'], ['audit', 'verify'], ['secrets', 'list', '--json'], ['doctor', '--json', join(root, 'secretive.yaml')]]) {
      await run(args);
    }
    const get = await cli(['secrets', 'get', 'wh_key'], undefined, env);
    assert.equal(get.stdout, `${canary}\n`, 'the one intended way to read it works');

    const all = outputs.join('\n');
    assert.doesNotMatch(all, new RegExp(canary), 'not in any command output, log line or error message');
    assert.match(all, /secret\.read/, 'the run read the secret (audited)');
    const needle = Buffer.from(canary);
    const files = [...filesUnder(join(root, 'data')), ...filesUnder(join(root, 'config'))];
    assert.ok(files.some((f) => f.endsWith('control.db')) && files.some((f) => f.endsWith('audit.jsonl')));
    for (const f of files) assert.equal(readFileSync(f).includes(needle), false, `canary found in ${f}`);
    for (const [k, v] of Object.entries(process.env)) assert.equal(v?.includes(canary) ?? false, false, `canary in env ${k}`);
  });
});
