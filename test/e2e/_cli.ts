/** Shared helpers of the e2e suite: spawn the CLI, parse its JSON, write pipeline files. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/tmp.js';

export { REPO_ROOT };

let testConfigHome: string | undefined;

/**
 * The process environment without Tributary overrides (data dir, control store URL, master key, …).
 * `XDG_CONFIG_HOME` points at a private temporary directory, so a vault master key file created by
 * a test never lands in the real user's ~/.config.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  testConfigHome ??= mkdtempSync(join(tmpdir(), 'trb-e2e-config-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: testConfigHome };
  for (const k of Object.keys(env)) if (k.startsWith('TRIBUTARY_') || k === 'WEB_LOGS_DIR') delete env[k];
  return { ...env, ...extra };
}

/** Starts `node --import tsx src/main.ts ...args` in the repository root (`env` adds variables). */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Outcome of one CLI invocation. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion, optionally feeding `input` on stdin. */
export function cli(args: readonly string[], input?: string | Buffer, env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  return collect(child, input);
}

/** Collects a child's output until it exits. */
export function collect(child: ChildProcess, input?: string | Buffer): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin!.end(input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The run summary printed by `run --json` (the fields the tests read). */
export interface Summary {
  readonly status: string;
  readonly linesRead: number;
  readonly bytesRead: number;
  readonly parsed: number;
  readonly quarantined: number;
  readonly quarantineByReason: Record<string, number>;
  readonly filtered: number;
  readonly duplicates: number;
  readonly landed: number;
  readonly commits: number;
  readonly stages: Record<string, { in: number; passed: number; rejected: number; filtered: number }>;
  readonly gate: { maxInvalidRatio: number; ratio: number; passed: boolean };
  readonly error?: { code: string; message: string };
}

/** `run <pipeline> --json --no-progress`: exit code and parsed summary (fails loudly on non-JSON output). */
export async function runJson(pipeline: string, ...extra: string[]): Promise<{ code: number | null; summary: Summary; stderr: string }> {
  const r = await cli(['run', pipeline, '--json', '--no-progress', ...extra]);
  let summary: Summary;
  try { summary = JSON.parse(r.stdout) as Summary; } catch {
    throw new Error(`run printed no JSON summary (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { code: r.code, summary, stderr: r.stderr };
}

/** `query --json --db <db> <sql>`: rows as objects. */
export async function queryJson(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const r = await cli(['query', '--json', '--db', db, sql]);
  if (r.code !== 0) throw new Error(`query failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A pipeline file: one files source, parse(auto) → validate → dedupe, lake + duckdb sinks, data in ./data. */
export function pipelineYaml(o: {
  name: string; include: readonly string[]; maxInvalidRatio?: number; chunkBytes?: number;
  commitLines?: number; watch?: boolean; workers?: number;
}): string {
  const src = [
    `    include: [${o.include.map((p) => JSON.stringify(p)).join(', ')}]`,
    ...(o.chunkBytes ? [`    chunk_bytes: ${o.chunkBytes}`] : []),
    ...(o.watch ? ['    poll_interval_ms: 20', '    glob_interval_ms: 50'] : []),
  ];
  const engine = [
    ...(o.workers ? [`  workers: ${o.workers}`] : []),
    ...(o.commitLines ? [`  commit_lines: ${o.commitLines}`] : []),
    ...(o.watch ? ['  commit_interval_ms: 50'] : []),
  ];
  return [
    `name: ${o.name}`,
    'data_dir: ./data',
    'sources:',
    '  - id: access',
    '    type: files',
    ...src,
    'stages:',
    '  - type: parse',
    '    format: auto',
    '  - type: validate',
    '  - type: dedupe',
    'sinks:',
    '  - id: lake',
    '    type: lake',
    '  - id: warehouse',
    '    type: duckdb',
    'quality:',
    `  max_invalid_ratio: ${o.maxInvalidRatio ?? 0.2}`,
    ...(engine.length ? ['engine:', ...engine] : []),
    '',
  ].join('\n');
}

/** A fresh temp dir (real path, so it compares equal to what the engine records); call the returned cleanup when done. */
export function workspace(prefix: string): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
