/**
 * A workspace for erasure tests: generated access logs plus one person's requests (a 404 burst, a
 * second day and agent, the IPv4-mapped form, two quarantined lines) and a neighbour in the same
 * /24, run once through a pipeline; queries over its warehouse and lake; the CLI's erase report.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateAccessLog } from '../../src/generator/index.js';
import { canonicalIp } from '../../src/security/erase/ip-forms.js';
import type { ErasureReport } from '../../src/security/erase/erase-report.js';
import { connectUtc } from '../../src/sinks/_shared/duckdb-values.js';
import { filesUnder } from '../helpers/data-files.js';
import { LAKE_AND_WAREHOUSE, logPipeline } from '../helpers/log-pipeline.js';
import { cli, runJson, workspace } from './_cli.js';

/** The person's address. */
export const TARGET = '198.51.100.23';
/** Another client in the same /24. */
export const NEIGHBOUR = '198.51.100.99';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) TargetBrowser/1.0';

/** The person's lines (and a neighbour's), after the generated week: a 404 burst, another day and agent, IPv4-mapped, quarantined junk. */
function personLines(): string[] {
  const at = (day: number, s: number): string => `${String(day).padStart(2, '0')}/Nov/2026:10:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')} +0000`;
  const line = (ip: string, t: string, path: string, status: number, ua = UA): string => `${ip} - - [${t}] "GET ${path} HTTP/1.1" ${status} 153 "-" "${ua}"`;
  return [
    ...Array.from({ length: 30 }, (_, i) => line(TARGET, at(8, i), `/missing-${i}`, 404)),
    ...Array.from({ length: 10 }, (_, i) => line(TARGET, at(9, i * 30), `/products/${i}`, 200, 'curl/8.5.0')),
    ...Array.from({ length: 3 }, (_, i) => line(`::ffff:${TARGET}`, at(9, 600 + i), `/blog/${i}`, 200, 'curl/8.5.0')),
    ...Array.from({ length: 5 }, (_, i) => line(NEIGHBOUR, at(8, 5 + i), `/about-${i}`, 200)),
    `${TARGET} - - [${at(9, 700)}] "GET /x HTTP/1.1" 999 1 "-" "${UA}"`,
    `${TARGET} - - [${at(9, 701)}] "GET /y HTTP/1.1" 999 1 "-" "${UA}"`,
  ];
}

/** A pipeline file: parse, validate, dedupe, then `stages`; `sinks` (default lake and duckdb); data in ./data. */
export const pipeline = (name: string, stages: string, engine = '', sinks = LAKE_AND_WAREHOUSE): string =>
  logPipeline({ name, format: 'apache_combined', dataDir: './data', stages: ['validate', 'dedupe', stages], sinks, extra: engine });

/** A prepared workspace; `offsets` are the byte offsets of the person's lines (their rows' source_offset). */
export interface Site { readonly dir: string; readonly file: string; readonly data: string; readonly offsets: readonly number[]; cleanup(): void }

/** Other sinks than the default, and a step before the first run (such as storing a secret the sinks use). */
export interface SiteOptions {
  readonly sinks?: string;
  readonly prepare?: (dir: string) => Promise<void>;
}

/** A workspace with the generated log plus the person's lines, run once with `stages`. */
export async function site(name: string, stages: string, engine = '', opts: SiteOptions = {}): Promise<Site> {
  const ws = workspace(`trb-erase-${name}-`);
  mkdirSync(join(ws.dir, 'logs'));
  const log = join(ws.dir, 'logs', 'access.log');
  await generateAccessLog({ lines: 4000, seed: 5, format: 'apache_combined', malformedRatio: 0.004 }, log);
  appendFileSync(log, `${personLines().join('\n')}\n`);
  // Byte offsets of the person's lines: their rows' source_offset (quarantine: offset).
  const offsets: number[] = [];
  let pos = 0;
  for (const l of readFileSync(log).toString('latin1').split('\n')) {
    if (canonicalIp(l.split(' ')[0] ?? '') === TARGET) offsets.push(pos);
    pos += l.length + 1;
  }
  const file = join(ws.dir, 'p.yaml');
  writeFileSync(file, pipeline(name, stages, engine, opts.sinks));
  await opts.prepare?.(ws.dir);
  const run = await runJson(file);
  assert.equal(run.summary.status, 'succeeded', run.stderr);
  return { dir: ws.dir, file, data: join(ws.dir, 'data'), offsets, cleanup: ws.cleanup };
}

/** Rows of `sql` over the warehouse of data directory `s.data` (attached as `w`, read-only) and the lake (`{lake}` = the lake root). */
export async function ask(s: { readonly data: string }, sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  try {
    const conn = await connectUtc(db);
    try {
      await conn.run(`ATTACH '${join(s.data, 'warehouse.duckdb')}' AS w (READ_ONLY)`);
      const r = await conn.runAndReadAll(sql.replaceAll('{lake}', join(s.data, 'lake')));
      return r.getRows().map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    } finally { conn.disconnectSync(); }
  } finally { db.closeSync(); }
}

/** Content hash of request rows. */
export const HASH = 'sum(hash(source_stream, source_offset, ts, status, path, client_ip))::VARCHAR';
/** A lake dataset (area `silver` or `quarantine`) as a read_parquet call (use inside {@link ask}). */
export const LAKE = (dataset: string, area = 'silver'): string => `read_parquet('{lake}/${area}/${dataset}/*/*.parquet', hive_partitioning = false, union_by_name = true)`;

/** Row counts and a content hash of the rows that are not the person's, per table and lake dataset. */
export async function facts(s: Site): Promise<Record<string, unknown>> {
  const mine = `(${s.offsets.join(', ')})`;
  const [row] = await ask(s, `SELECT
    (SELECT count(*) FROM w.requests), (SELECT count(*) FROM w.requests WHERE source_offset IN ${mine}),
    (SELECT ${HASH} FROM w.requests WHERE source_offset NOT IN ${mine}),
    (SELECT count(*) FROM w.quarantine WHERE "offset" IN ${mine}), (SELECT count(*) FROM w.quarantine WHERE "offset" NOT IN ${mine}),
    (SELECT count(*) FROM ${LAKE('requests')}), (SELECT count(*) FROM ${LAKE('requests')} WHERE source_offset IN ${mine}),
    (SELECT ${HASH} FROM ${LAKE('requests')} WHERE source_offset NOT IN ${mine}),
    (SELECT count(*) FROM ${LAKE('requests', 'quarantine')} WHERE "offset" IN ${mine})`);
  const k = ['requests', 'requestsMine', 'requestsOthersHash', 'quarantineMine', 'quarantineOthers', 'lake', 'lakeMine', 'lakeOthersHash', 'lakeQuarantineMine'];
  return Object.fromEntries(k.map((name, i) => [name, row![i]]));
}

/** sha256 of every file under the lake and of the warehouse: what a dry run must leave alone. */
export function snapshot(s: Site): Record<string, string> {
  const files = [...filesUnder(join(s.data, 'lake')), join(s.data, 'warehouse.duckdb')];
  return Object.fromEntries(files.map((f) => [f.slice(s.data.length), createHash('sha256').update(readFileSync(f)).digest('hex')]));
}

/** `erase <pipeline> --json ...args`: the parsed report (asserts exit 0 and that the address is never printed). */
export async function erase(s: Site, ...args: string[]): Promise<ErasureReport> {
  const r = await cli(['erase', s.file, '--json', ...args]);
  assert.equal(r.code, 0, `erase ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  assert.ok(!r.stdout.includes(TARGET) && !r.stderr.includes(TARGET), 'the address is never printed');
  return JSON.parse(r.stdout) as ErasureReport;
}
