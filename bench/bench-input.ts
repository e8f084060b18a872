/**
 * The benchmark's input: one Apache combined log of N lines, generated once per (lines, seed)
 * and cached in the work directory (a JSON sidecar records what was written).
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAccessLog, type GenerateAccessLogResult } from '../src/generator/index.js';

/** The cached input file and how it was obtained. */
export interface BenchInput {
  readonly path: string;
  readonly lines: number;
  readonly bytes: number;
  readonly generator: GenerateAccessLogResult;
  /** True when the file was reused from an earlier run. */
  readonly cached: boolean;
  /** Seconds spent generating (0 when cached). */
  readonly seconds: number;
}

/**
 * Returns `<dir>/input/access-<lines>-s<seed>.log`, generating it first unless a complete copy
 * (sidecar present and size matching) exists. Generation writes to a temporary name and renames,
 * so an interrupted run never leaves a file that looks complete.
 */
export async function ensureBenchInput(dir: string, lines: number, seed: number): Promise<BenchInput> {
  const path = join(dir, 'input', `access-${lines}-s${seed}.log`);
  const sidecar = `${path}.json`;
  if (existsSync(path) && existsSync(sidecar)) {
    const generator = JSON.parse(readFileSync(sidecar, 'utf8')) as GenerateAccessLogResult;
    if (statSync(path).size === generator.bytes) return { path, lines, bytes: generator.bytes, generator, cached: true, seconds: 0 };
  }
  const tmp = `${path}.partial`;
  const t0 = performance.now();
  const generator = await generateAccessLog({ lines, seed, format: 'apache_combined' }, tmp);
  const seconds = (performance.now() - t0) / 1000;
  renameSync(tmp, path);
  writeFileSync(sidecar, JSON.stringify(generator));
  return { path, lines, bytes: generator.bytes, generator, cached: false, seconds };
}
