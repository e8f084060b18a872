/**
 * One erasure over the stores of one pipeline, on a private in-memory DuckDB: DuckDB warehouses
 * are ATTACHed, lake files read with `read_parquet`; PostgreSQL warehouses are examined on their
 * own session, with the same match values mirrored into a temporary table there. `plan()` finds and counts the person's rows
 * everywhere (and scans bronze) without changing anything; `apply()` then deletes and rewrites.
 * Runs under the pipeline's run lock, so no run writes meanwhile.
 */
import { mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BronzeReader } from '../../core/component.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import { connectUtc, isoFromMicros, toJsonSafe } from '../../sinks/_shared/duckdb-values.js';
import { quoteLiteral } from '../../sinks/_shared/sql.js';
import { loadDuckdbCrypto, requireDuckdbEncryption } from '../crypto/duckdb-encryption.js';
import type { DataKeys } from '../vault/data-keys.js';
import type { EraseRelation } from './erase-relation.js';
import type { ErasureTargets } from './erasure-targets.js';
import { LakeEraser, rewriteLakeFiles, type LakeFileRelation } from './lake-eraser.js';
import { MatchValues, type MatchSql, type MatchValueSink } from './match-values.js';
import { PgMatchValues } from './pg-match-values.js';
import { PgWarehouseEraser, pgWarehouseLabel } from './pg-warehouse-eraser.js';
import { countRelation, relationPredicate, type RelationCounts, type RelationPredicate } from './relation-predicate.js';
import { scanBronze, type BronzeScan } from './scan-bronze.js';
import { duckdbReader, type RowReader } from './row-reader.js';
import { findVisitorIds, scanRelation } from './scan-relation.js';
import type { SubjectIdentifiers } from './subject-identifiers.js';
import { TokenOpener } from './token-opener.js';
import { VisitorMatcher } from './visitor-matcher.js';
import { WarehouseEraser } from './warehouse-eraser.js';

/** What a session works with. */
export interface SessionContext {
  readonly pipeline: string;
  readonly control: ControlStore;
  readonly bronze: BronzeReader;
  readonly targets: ErasureTargets;
  readonly ids: SubjectIdentifiers;
  /** Vault keys (field tokens are decrypted with them). */
  readonly keys: DataKeys;
  /** Dataset names field tokens may be bound to (from the pipeline's stages). */
  readonly tokenDatasets: readonly string[];
  /** Every row is a visitor-id candidate (clients come from X-Forwarded-For behind trusted proxies). */
  readonly visitorsBehindProxies: boolean;
  /** Spill directory of the private DuckDB (under the data directory; removed on close). */
  readonly tempDir: string;
}

/** One examined table or file, with its predicate and counts. */
export interface Examined {
  readonly rel: EraseRelation;
  readonly pred: RelationPredicate;
  readonly counts: RelationCounts;
}

/** Everything `plan()` found. Nothing has changed yet. */
export interface ErasurePlan {
  readonly warehouses: readonly { readonly eraser: WarehouseEraser | PgWarehouseEraser | null; readonly sink: string; readonly path: string; readonly tables: readonly (Examined & { readonly table: string })[] }[];
  readonly lakes: readonly { readonly eraser: LakeEraser; readonly files: readonly (Examined & { readonly rel: LakeFileRelation })[] }[];
  /** Distinct visitor ids recognised as the person's (ip subjects). */
  readonly visitorIds: number;
  /** True when some examined relation has the columns to recompute visitor ids from. */
  readonly visitorColumns: boolean;
  readonly decrypted: number;
  readonly undecryptable: number;
  /** Bronze scan (ip subjects), with the request time range of each hit when the warehouse knows it. */
  readonly bronze: (BronzeScan & { readonly timeRanges: ReadonlyMap<string, { from: string; to: string } | null> }) | undefined;
}

/** See the module doc. */
export class ErasureSession {
  readonly #ctx: SessionContext;
  readonly #db: DuckDBInstance;
  readonly #conn: DuckDBConnection;
  readonly #warehouses: { sink: string; path: string; eraser: WarehouseEraser | PgWarehouseEraser | null }[] = [];
  readonly #lakes: LakeEraser[] = [];

  private constructor(ctx: SessionContext, db: DuckDBInstance, conn: DuckDBConnection) {
    this.#ctx = ctx;
    this.#db = db;
    this.#conn = conn;
  }

  /**
   * Starts the private DuckDB, ATTACHes every existing warehouse and opens every lake's manifest.
   * With encrypted targets it first requires DuckDB's OpenSSL crypto (`TRB_SECRET_ENCRYPTION_UNAVAILABLE`).
   */
  static async open(ctx: SessionContext): Promise<ErasureSession> {
    const { warehouses, lakes } = ctx.targets;
    const encrypted = [...warehouses, ...lakes].find((t) => t.encryptionKey !== undefined);
    if (encrypted) await requireDuckdbEncryption(`erase (sink \`${encrypted.sink}\`)`, 'its encrypted files');
    await mkdir(ctx.tempDir, { recursive: true, mode: 0o700 });
    const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
    const conn = await connectUtc(db);
    const s = new ErasureSession(ctx, db, conn);
    try {
      if (encrypted) await loadDuckdbCrypto(conn);
      await conn.run(`SET memory_limit = ${quoteLiteral(warehouses[0]?.memoryLimit ?? '256MB')}`);
      await conn.run(`SET temp_directory = ${quoteLiteral(ctx.tempDir)}`);
      for (const [i, w] of warehouses.entries()) {
        s.#warehouses.push({ sink: w.sink, path: w.path, eraser: existsSync(w.path) ? await WarehouseEraser.attach(conn, w, `trb_wh_${i}`) : null });
      }
      for (const [i, w] of ctx.targets.pgWarehouses.entries()) {
        s.#warehouses.push({ sink: w.sink, path: pgWarehouseLabel(w), eraser: await PgWarehouseEraser.open(w, `trb_pg_${i}`) });
      }
      for (const [i, l] of lakes.entries()) {
        const parquetKey = l.encryptionKey === undefined ? undefined : `trb_erase_lake_${i}`;
        if (parquetKey !== undefined) await conn.run(`PRAGMA add_parquet_key(${quoteLiteral(parquetKey)}, ${quoteLiteral(l.encryptionKey!)})`);
        const { encryptionKey: _k, ...target } = l;
        s.#lakes.push(await LakeEraser.open(conn, ctx.control, ctx.pipeline, { ...target, ...(parquetKey === undefined ? {} : { parquetKey }) }, `lake${i}`));
      }
      return s;
    } catch (err) {
      await s.close();
      throw err;
    }
  }

  /** Finds and counts the person's rows in every table and file, and scans bronze (changes nothing). */
  async plan(): Promise<ErasurePlan> {
    const { ids } = this.#ctx;
    const rels: EraseRelation[] = [...this.#warehouses.flatMap((w) => w.eraser?.relations ?? []), ...this.#lakes.flatMap((l) => l.relations)];
    const values = await MatchValues.create(this.#conn);
    // Each relation is read and matched on its own engine: DuckDB, or its PostgreSQL warehouse's session.
    const on = new Map<string, { reader: RowReader; values: MatchValueSink & MatchSql }>();
    const stores: (MatchValues | PgMatchValues)[] = [values];
    for (const rel of rels) on.set(rel.key, { reader: duckdbReader(this.#conn), values });
    for (const w of this.#warehouses) {
      if (!(w.eraser instanceof PgWarehouseEraser)) continue;
      const pgValues = await PgMatchValues.create(w.eraser.client);
      stores.push(pgValues);
      for (const rel of w.eraser.relations) on.set(rel.key, { reader: w.eraser.reader, values: pgValues });
    }
    const everywhere = async (key: string, v: Iterable<string>): Promise<void> => { const list = [...v]; for (const st of stores) await st.add(key, list); };
    for (const [column, v] of Object.entries(ids.exact)) await everywhere(`*:${column}`, v);
    await everywhere('*:truncated', ids.truncated);
    if (ids.linePattern !== undefined) for (const st of stores) await st.setPattern(ids.linePattern);
    const opener = new TokenOpener(this.#ctx.keys, this.#ctx.tokenDatasets);
    for (const rel of rels) await scanRelation(on.get(rel.key)!.reader, rel, ids, on.get(rel.key)!.values, opener);
    let visitorIds = ids.exact.visitor_id.length;
    let visitorColumns = false;
    if (ids.subject.kind === 'ip') {
      const matcher = new VisitorMatcher(ids.visitorKeys.map((k) => k.material), ids.ipForms);
      const found = new Set<string>();
      for (const rel of rels) {
        visitorColumns ||= ['visitor_id', 'user_agent', 'ts'].every((c) => rel.columns.has(c));
        for (const id of await findVisitorIds(on.get(rel.key)!.reader, rel, on.get(rel.key)!.values, matcher, this.#ctx.visitorsBehindProxies) ?? []) found.add(id);
      }
      await everywhere('*:visitor_id', found);
      visitorIds = found.size;
    }
    const examine = async <R extends EraseRelation>(rel: R): Promise<Examined & { rel: R }> => {
      const { reader, values: store } = on.get(rel.key)!;
      const pred = relationPredicate(rel, ids, store);
      return { rel, pred, counts: await countRelation(reader, rel, pred) };
    };
    const warehouses = [];
    for (const w of this.#warehouses) {
      const tables = [];
      for (const rel of w.eraser?.relations ?? []) tables.push({ ...await examine(rel), table: rel.table });
      warehouses.push({ eraser: w.eraser, sink: w.sink, path: w.path, tables });
    }
    const lakes = [];
    for (const eraser of this.#lakes) {
      const files = [];
      for (const rel of eraser.relations) files.push(await examine(rel));
      lakes.push({ eraser, files });
    }
    return { warehouses, lakes, visitorIds, visitorColumns, decrypted: opener.opened, undecryptable: opener.failed, bronze: await this.#scanBronze(ids) };
  }

  /**
   * Deletes the planned rows from every warehouse (one transaction each, then compaction, or
   * `VACUUM FULL` of the touched partitions on PostgreSQL, unless `compact` is false) and rewrites the planned lake files (one manifest swap). `changeId` names
   * the rewrite in file names and the manifest. Returns rows deleted per warehouse table
   * (`<sink>.<table>`), whether each warehouse was compacted, and old → new lake paths.
   */
  async apply(plan: ErasurePlan, changeId: string, compact: boolean): Promise<{
    deleted: Map<string, number>; compacted: Map<string, boolean>; rewritten: Map<string, string | null>;
  }> {
    const deleted = new Map<string, number>();
    const compacted = new Map<string, boolean>();
    for (const w of plan.warehouses) {
      if (!w.eraser) continue;
      const r = await w.eraser.apply(new Map(w.tables.map((t) => [t.rel.key, t.counts.matched > 0 ? t.pred.match : 'false'])), compact);
      for (const [table, n] of r.deleted) deleted.set(`${w.sink}.${table}`, n);
      compacted.set(w.sink, r.compacted);
    }
    for (const l of plan.lakes) await l.eraser.recover();
    const rewrites = plan.lakes.flatMap((l) => l.files.filter((f) => f.counts.matched > 0)
      .map((f) => ({ file: f.rel, match: f.pred.match, keep: f.counts.rows - f.counts.matched })));
    const rewritten = rewrites.length === 0 ? new Map<string, string | null>()
      : await rewriteLakeFiles(this.#conn, this.#ctx.control, this.#ctx.pipeline, changeId, rewrites);
    return { deleted, compacted, rewritten };
  }

  /** Detaches everything and stops the private DuckDB; removes its spill directory. Safe to call twice. */
  async close(): Promise<void> {
    for (const w of this.#warehouses) await (w.eraser instanceof PgWarehouseEraser ? w.eraser.close() : w.eraser?.detach());
    this.#warehouses.length = 0;
    try { this.#conn.disconnectSync(); } catch { /* already closed */ }
    try { this.#db.closeSync(); } catch { /* already closed */ }
    await rm(this.#ctx.tempDir, { recursive: true, force: true });
  }

  async #scanBronze(ids: SubjectIdentifiers): Promise<ErasurePlan['bronze']> {
    if (ids.linePattern === undefined) return undefined;
    const segments = await this.#ctx.control.listBronze({ pipeline: this.#ctx.pipeline });
    const scan = await scanBronze(this.#ctx.bronze, segments, ids.linePattern);
    const timeRanges = new Map<string, { from: string; to: string } | null>();
    const main = this.#warehouses.flatMap((w) => {
      const e = w.eraser;
      const table = e instanceof PgWarehouseEraser ? e.target.config.table : e?.target.table;
      return (e?.relations ?? []).filter((r) => r.table === table).map((rel) => ({ rel, pg: e instanceof PgWarehouseEraser ? e.client : undefined }));
    }).find(({ rel }) => ['ts', 'source_stream', 'source_offset'].every((c) => rel.columns.has(c)));
    for (const h of scan.hits) {
      if (!main) { timeRanges.set(h.objectKey, null); continue; }
      const sql = `SELECT min("ts"), max("ts") FROM ${main.rel.from} WHERE "source_stream" = $1 AND "source_offset" >= $2 AND "source_offset" < $3`;
      const params = [h.stream, h.fromOffset, h.toOffset];
      const row = main.pg
        ? (await main.pg.query<unknown[]>({ text: sql, values: params, rowMode: 'array' })).rows[0]?.map((v) => (v instanceof Date ? isoFromMicros(BigInt(v.getTime()) * 1000n) : null))
        : (await this.#conn.runAndReadAll(sql, params)).getRows()[0]?.map((v) => toJsonSafe(v ?? null));
      const [from, to] = row ?? [];
      timeRanges.set(h.objectKey, typeof from === 'string' && typeof to === 'string' ? { from, to } : null);
    }
    return { ...scan, timeRanges };
  }
}
