/**
 * Encryption at rest in real pipeline runs: the `encrypt` stage + age bronze leave no plaintext
 * client IP in any file of the data directory (warehouse, Parquet, bronze, control store), and an
 * age-encrypted bronze layer replays into the same warehouse (across a key rotation), while a
 * missing vault or an altered object fails the replay with a typed error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAccessLog } from '../../src/generator/index.js';
import { loadPipelineFile } from '../../src/config/load-config.js';
import { registry } from '../../src/engine/registry.js';
import { runPipeline, runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { asReplay } from '../../src/cli/commands/replay.js';
import { openWarehouse } from '../../src/sinks/duckdb/warehouse.js';
import { readLakeRows } from '../../src/sinks/lake/read-lake.js';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { decryptFieldToken } from '../../src/security/crypto/field-cipher.js';
import { MemoryDataKeys } from '../helpers/memory-data-keys-crypto.js';
import { tmpDir } from '../helpers/tmp.js';

const pipeline = (name: string, stages: string, bronze: string): string => `name: ${name}
sources:
  - id: access
    type: files
    include: ["logs/*.log"]
    chunk_bytes: 65536
stages:
  - type: parse
  - type: validate
  - type: dedupe
${stages}sinks:
  - id: lake
    type: lake
    compression: snappy
  - id: warehouse
    type: duckdb
engine:
  commit_lines: 2000
  bronze:
    encryption: ${bronze}
`;

const ENCRYPT = '  - type: encrypt\n    fields: [client_ip, user]\n';

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) filesUnder(p, out); else out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain any of `needles`, with one needle found in each. */
function grep(dir: string, needles: readonly string[]): Map<string, string> {
  const hits = new Map<string, string>();
  const bufs = needles.map((n) => Buffer.from(n));
  for (const f of filesUnder(dir)) {
    const bytes = readFileSync(f);
    const found = bufs.find((b) => bytes.includes(b));
    if (found) hits.set(f.slice(dir.length + 1), found.toString());
  }
  return hits;
}

async function ask(path: string, sql: string): Promise<readonly (readonly unknown[])[]> {
  const wh = await openWarehouse(path, { readOnly: true });
  try { return (await wh.query(sql)).rows; } finally { await wh.close(); }
}

test('encrypt stage + age bronze: no file of the data directory holds a plaintext client IP; tokens decrypt back', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  const log = join(dir, 'logs', 'access.log');
  await generateAccessLog({ lines: 3000, seed: 5, format: 'apache_combined', malformedRatio: 0 }, log);
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const ips = [...new Set(lines.map((l) => l.split(' ')[0]!))];
  assert.ok(ips.length > 50, 'many distinct client IPs');

  // Control: without encryption the same grep finds the IPs, so a clean result below means something.
  writeFileSync(join(dir, 'plain.yaml'), pipeline('plain', '', 'none'));
  const plain = await runPipelineFile(join(dir, 'plain.yaml'), { dataDir: join(dir, 'plain-data'), workers: 1 });
  assert.equal(plain.status, 'succeeded');
  const plainHits = [...grep(join(dir, 'plain-data'), ips).keys()];
  assert.ok(plainHits.some((f) => f.startsWith('bronze/')), `plaintext bronze holds IPs: ${plainHits.join(', ')}`);
  assert.ok(plainHits.some((f) => f.endsWith('.parquet')), `plaintext Parquet holds IPs: ${plainHits.join(', ')}`);
  assert.ok(plainHits.includes('warehouse.duckdb'), `the plaintext warehouse holds IPs: ${plainHits.join(', ')}`);

  const keys = new MemoryDataKeys();
  writeFileSync(join(dir, 'enc.yaml'), pipeline('enc', ENCRYPT, 'auto'));
  const run = await runPipelineFile(join(dir, 'enc.yaml'), { dataDir: join(dir, 'enc-data'), workers: 1, keys });
  assert.equal(run.status, 'succeeded', run.error?.message);
  assert.deepEqual([run.linesRead, run.landed, run.quarantined], [lines.length, lines.length, 0]);
  assert.deepEqual(Object.fromEntries(grep(join(dir, 'enc-data'), ips)), {}, 'no plaintext client IP in any file at rest');

  const rows = await ask(join(dir, 'enc-data', 'warehouse.duckdb'),
    "select count(*), count(*) filter (where client_ip like 'enc:v1:field:1:%'), count(distinct client_ip) from requests");
  assert.deepEqual(rows[0], [lines.length, lines.length, lines.length], 'every IP is a token, and equal IPs give different tokens');
  const sample = await ask(join(dir, 'enc-data', 'warehouse.duckdb'), 'select client_ip, source_line from requests order by source_line limit 25');
  for (const [token, line] of sample) {
    const ip = await decryptFieldToken(String(token), keys, { dataset: 'requests', field: 'client_ip' });
    assert.equal(ip, lines[Number(line) - 1]!.split(' ')[0]);
  }
  const lake = await readLakeRows(join(dir, 'enc-data', 'lake'), 'requests');
  assert.equal(lake.length, lines.length);
  assert.ok(lake.every((r) => String(r.client_ip).startsWith('enc:v1:field:1:')));
  const d = await openDeployment(join(dir, 'enc-data'));
  const bronze = await d.control.listBronze({ pipeline: 'enc' });
  await d.close();
  assert.ok(bronze.length > 0 && bronze.every((b) => b.encryption?.keyName === 'bronze' && b.objectKey.endsWith('.bronze-v1.age')));
});

test('an age-encrypted bronze layer replays into the same warehouse, also after a key rotation; a missing key, a sealed vault or an altered object fails typed', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  await generateAccessLog({ lines: 5000, seed: 3, format: 'apache_combined' }, join(dir, 'logs', 'access.log'));
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, pipeline('replay-enc', '', 'age'));
  const keys = new MemoryDataKeys();
  const first = await runPipelineFile(file, { dataDir: join(dir, 'data'), workers: 1, keys });
  assert.equal(first.status, 'succeeded', first.error?.message);
  assert.ok(first.commits >= 2);

  await keys.rotate('bronze');
  const loaded = await loadPipelineFile(file, registry);
  const replay = await runPipeline(asReplay(loaded), { dataDir: join(dir, 'rebuilt'), bronzeFrom: join(dir, 'data'), workers: 1, keys });
  assert.equal(replay.status, 'succeeded', replay.error?.message);
  assert.deepEqual([replay.linesRead, replay.landed, replay.quarantined], [first.linesRead, first.landed, first.quarantined]);
  const digest = 'select count(*), sum(hash(client_ip, ts, path, status, user_agent, source_line, source_offset)) from requests';
  assert.deepEqual(await ask(join(dir, 'rebuilt', 'warehouse.duckdb'), digest), await ask(join(dir, 'data', 'warehouse.duckdb'), digest));
  const d = await openDeployment(join(dir, 'rebuilt'));
  const rebuilt = await d.control.listBronze({ pipeline: 'replay-enc' });
  await d.close();
  assert.ok(rebuilt.every((b) => b.encryption?.keyVersion === 2), 'the replay archived under the new key version');

  // The reader side: the replay itself archives in clear (`none`), but the encrypted source needs
  // the key, and the source deployment's (sealed) vault does not have it.
  const sealed = { TRIBUTARY_MASTER_KEY_PROVIDER: 'env' };
  const clearTarget = { ...loaded, config: { ...loaded.config, engine: { ...loaded.config.engine, bronze: { encryption: 'none' as const, key: 'bronze' } } } };
  const noVault = await runPipeline(asReplay(clearTarget), { dataDir: join(dir, 'novault'), bronzeFrom: join(dir, 'data'), workers: 1, env: sealed });
  assert.equal(noVault.status, 'failed');
  assert.equal(noVault.error?.code, 'TRB_SECRET_KEYS_UNAVAILABLE');
  assert.match(noVault.error?.message ?? '', /Bronze object `objects\/.*\.bronze-v1\.age`/);
  // The writer side: `encryption: age` with a sealed vault refuses before reading anything.
  const noVaultAge = await runPipeline(asReplay(loaded), { dataDir: join(dir, 'novault2'), bronzeFrom: join(dir, 'data'), workers: 1, env: sealed });
  assert.equal(noVaultAge.error?.code, 'TRB_SECRET_VAULT_SEALED');

  const objects = filesUnder(join(dir, 'data', 'bronze')).filter((f) => f.endsWith('.age')).sort();
  const victim = objects[objects.length - 1]!;
  const bytes = readFileSync(victim);
  bytes[bytes.length - 30]! ^= 0x80;
  writeFileSync(victim, bytes);
  const broken = await runPipeline(asReplay(loaded), { dataDir: join(dir, 'broken'), bronzeFrom: join(dir, 'data'), workers: 1, keys });
  assert.equal(broken.status, 'failed');
  assert.equal(broken.error?.code, 'TRB_SECRET_DECRYPT_FAILED');
  assert.ok(broken.error?.message.includes(victim.slice(join(dir, 'data', 'bronze').length + 1)), broken.error?.message);
});
