/**
 * Cost of encryption at rest on a ~100 MB access log: bronze archiving and replay reading with and
 * without age, and whole pipeline runs (lake + DuckDB) with plaintext bronze, age bronze, and age
 * bronze plus the `encrypt` stage on client_ip/user. Each case runs in its own process, so peak RSS
 * and CPU time (`cpu_s`, and `write_cpu_s`/`read_cpu_s` for the bronze cases: user + system of all
 * threads, steadier than wall time on a shared machine) are per case.
 *
 *   node --import tsx bench/encryption-bench.ts [--lines 500000] [--dir bench/out/encryption]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceChunk } from '../src/core/component.js';
import { BronzeWriter } from '../src/engine/bronze/bronze-writer.js';
import { openBronzeCipher } from '../src/engine/bronze/bronze-cipher.js';
import { createBronzeReader } from '../src/engine/bronze/bronze-reader.js';
import { runPipelineFile } from '../src/engine/runtime/run-pipeline.js';
import { createLocalFsObjectStore } from '../src/seams/object-store/local-fs/index.js';
import { createSqliteControlStore } from '../src/seams/control-store/sqlite/index.js';
import { silentLogger } from '../src/observe/logger.js';
import { MemoryDataKeys } from '../test/helpers/memory-data-keys-crypto.js';
import { ensureBenchInput } from './bench-input.js';
import { startRssSampler } from './rss-sampler.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
};
const lines = Number(arg('lines', '500000'));
const dir = resolve(arg('dir', 'bench/out/encryption'));
const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
/** CPU seconds (user + system, all threads of this process) between two `process.cpuUsage()` samples. */
const cpuSecs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => +((b.user - a.user + b.system - a.system) / 1e6).toFixed(2);

/** One case, in this process; prints one JSON line. */
async function runCase(name: string): Promise<void> {
  const input = await ensureBenchInput(dir, lines, 1);
  const work = join(dir, `case-${name}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const keys = new MemoryDataKeys();
  const rss = startRssSampler();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let extra: Record<string, unknown> = {};
  if (name.startsWith('bronze-')) {
    const mode = name.endsWith('age') ? 'age' : 'none';
    const store = createLocalFsObjectStore({ root: join(work, 'bronze') });
    const control = createSqliteControlStore({ path: join(work, 'control.db') });
    await control.migrate();
    const cipher = await openBronzeCipher({ encryption: mode, key: 'bronze' }, keys, silentLogger);
    // Like the engine: 4 MiB chunks, one segment (object) per ~100k lines (commit_lines default).
    let w = new BronzeWriter(store, 'c0', cipher);
    let offset = 0; let commit = 0; let inSeg = 0;
    const sealOne = async (): Promise<void> => {
      const bronze = await w.seal();
      await control.commit({ pipeline: 'bench', runId: 'r', commitId: `c${commit}`, checkpoints: [], bronze, files: [] });
      w = new BronzeWriter(store, `c${++commit}`, cipher);
      inSeg = 0;
    };
    for await (const data of createReadStream(input.path, { highWaterMark: 4 * 1024 * 1024 }) as AsyncIterable<Buffer>) {
      const n = data.toString('latin1').split('\n').length - 1;
      const chunk: SourceChunk = { meta: { source: 'f', uri: input.path, stream: 's' }, data, startOffset: offset, endOffset: offset + data.length, firstLine: 1, lineCount: n, checkpoint: { key: 's', value: {} } };
      await w.append(chunk);
      offset += data.length; inSeg += n;
      if (inSeg >= 100_000) await sealOne();
    }
    await sealOne();
    const writeSecs = (performance.now() - t0) / 1000;
    const cpu1 = process.cpuUsage();
    const t1 = performance.now();
    const reader = createBronzeReader(control, store, keys);
    let read = 0;
    for (const seg of await control.listBronze({ pipeline: 'bench' })) {
      for await (const p of (await reader.open(seg)) as AsyncIterable<Buffer>) read += p.length;
    }
    const readSecs = (performance.now() - t1) / 1000;
    extra = {
      write_mb_s: Math.round(input.bytes / 1048576 / writeSecs), read_mb_s: Math.round(read / 1048576 / readSecs), write_s: +writeSecs.toFixed(2), read_s: +readSecs.toFixed(2),
      write_cpu_s: cpuSecs(cpu0, cpu1), read_cpu_s: cpuSecs(cpu1, process.cpuUsage()),
    };
    await store.close(); await control.close();
  } else {
    const [bronze, stage] = name === 'pipeline-none' ? ['none', ''] : name === 'pipeline-age' ? ['age', ''] : ['age', '  - type: encrypt\n    fields: [client_ip, user]\n'];
    mkdirSync(join(work, 'logs'), { recursive: true });
    writeFileSync(join(work, 'pipeline.yaml'), `name: enc-bench\nsources:\n  - id: access\n    type: files\n    include: ["${input.path}"]\n`
      + `stages:\n  - type: parse\n  - type: validate\n  - type: dedupe\n${stage}sinks:\n  - id: lake\n    type: lake\n  - id: warehouse\n    type: duckdb\n`
      + `engine:\n  bronze:\n    encryption: ${bronze}\n`);
    const s = await runPipelineFile(join(work, 'pipeline.yaml'), { dataDir: join(work, 'data'), keys, trigger: 'bench' });
    if (s.status !== 'succeeded') throw new Error(`${name}: ${s.status} ${s.error?.message ?? ''}`);
    extra = {
      lines_s: s.linesPerSec, mb_s: s.mbPerSec, workers: s.workers, bronze_s: s.timings.bronze ?? null,
      encrypt_stage_s: s.stages.encrypt?.seconds ?? null, timings: s.timings,
    };
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ case: name, input_mb: mb(input.bytes), seconds: +seconds.toFixed(2), cpu_s: cpuSecs(cpu0, process.cpuUsage()), peak_rss_mb: mb(rss.stop()), ...extra }));
}

const CASES = ['bronze-none', 'bronze-age', 'pipeline-none', 'pipeline-age', 'pipeline-age-field'];
const only = arg('case', '');
if (only) {
  await runCase(only);
} else {
  // Rounds interleave the cases, so load from other processes on a shared machine hits them alike;
  // the summary gives the best (least disturbed) round of each case.
  const rounds = Number(arg('repeat', '1'));
  const input = await ensureBenchInput(dir, lines, 1);
  console.log(`input: ${input.path} (${mb(input.bytes)} MB, ${lines} lines), ${rounds} round(s)`);
  const self = fileURLToPath(import.meta.url);
  const results = new Map<string, Record<string, number>[]>();
  for (let round = 0; round < rounds; round++) {
    for (const c of CASES) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--case', c, '--lines', String(lines), '--dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      process.stdout.write(r.stdout);
      if (r.status !== 0) process.exit(r.status ?? 1);
      results.set(c, [...(results.get(c) ?? []), JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>]);
    }
  }
  console.log('best round per case:');
  for (const [c, rs] of results) {
    const best = rs.reduce((a, b) => ((b.seconds ?? Infinity) < (a.seconds ?? Infinity) ? b : a));
    const { timings: _t, ...shown } = best as Record<string, unknown>;
    console.log(JSON.stringify({ ...shown, max_peak_rss_mb: Math.max(...rs.map((x) => x.peak_rss_mb ?? 0)) }));
  }
}
