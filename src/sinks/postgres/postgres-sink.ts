/**
 * The PostgreSQL warehouse sink. `write` COPYs the batch CSVs into TEMP staging tables, makes the
 * day partitions they need, then opens the commit's transaction: rows at/above each stream's
 * watermark are inserted from staging, rejections likewise into the quarantine, the watermarks
 * advance and the commit id goes into the load ledger. `commit` commits it, `abort` rolls it back,
 * so a crash or a retry never stores a batch twice nor loses one.
 */
import type pg from 'pg';
import type { CommittedFile, Logger, OutputDataset, Sink, SinkBatch, SinkContext, SinkLocation } from '../../core/component.js';
import { isTributaryError } from '../../core/errors.js';
import { failpoint } from '../../core/failpoint.js';
import type { WriteResult } from '../../core/outcome.js';
import type { RecordSchema } from '../../core/record.js';
import { SinkCommitFailed, SinkInvalidName, SinkOpenFailed, SinkState, SinkWriteFailed } from '../_shared/errors.js';
import { quoteIdent, storedColumns } from '../_shared/sql.js';
import { MAX_TABLE_NAME, type PostgresConfig } from './config.js';
import { connectPostgres, serverLabel } from './connect-postgres.js';
import { ensureDayPartitions, listDayPartitions } from './day-partitions.js';
import { ensurePgWarehouse, isPartitionable, LOAD_LEDGER_TABLE, WATERMARK_TABLE } from './ensure-pg-warehouse.js';
import { insertRejections } from './insert-rejections.js';
import { qualified, utcDay } from './pg-sql.js';
import { StagingTables } from './stage-csv.js';

/** One dataset of a batch: the main table or an additional dataset. */
interface Part {
  readonly table: string;
  readonly schema: RecordSchema;
  readonly csvPath: string | null;
  readonly rows: number;
}

/** A connected session and what lives in it. */
interface Session {
  readonly client: pg.Client;
  readonly staging: StagingTables;
  broken: boolean;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** True when `err` means the session is gone: SQLSTATE class 08 / 57P, a socket errno, or the driver's terminated-connection errors. */
function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') return /^(08|57P)/.test(e.code) || /^E[A-Z]+$/.test(e.code);
  return typeof e?.message === 'string' && /Connection terminated|connection error|not queryable|Client was closed/i.test(e.message);
}

/**
 * `Sink` loading into PostgreSQL over one connection (TEMP staging tables are per session). Only
 * one commit may be in flight at a time. A connection dropped while idle is re-opened by the next
 * `write`; one dropped during a write fails that write, and the engine's retry reconnects.
 */
export class PostgresSink implements Sink {
  readonly id: string;
  readonly type = 'postgres';
  readonly #config: PostgresConfig;
  readonly #schema: RecordSchema;
  readonly #outputs: readonly OutputDataset[];
  readonly #baseDir: string;
  readonly #log: Logger;
  readonly #days = new Map<string, Set<string>>();
  #session: Session | undefined;
  #opened = false;
  #closed = false;
  #txn: string | undefined;
  #lastCommitted: string | undefined;

  constructor(id: string, config: PostgresConfig, ctx: SinkContext) {
    this.id = id;
    this.#config = config;
    this.#schema = ctx.schema;
    this.#outputs = ctx.outputs;
    this.#baseDir = ctx.baseDir;
    this.#log = ctx.log;
  }

  /**
   * Connects, creates the schema, tables, indexes and views when missing, and the day partitions
   * from today to `partition_days_ahead` (UTC). Throws `TRB_SINK_INVALID_NAME` for a dataset name
   * unusable as a table, `TRB_CONNECT_POSTGRES_*` when the server cannot be reached or refuses the
   * login, `TRB_SINK_OPEN_FAILED` when the DDL fails.
   */
  async open(): Promise<void> {
    if (this.#closed) throw SinkState({ sink: this.id, reason: 'open() after close()' });
    if (this.#opened) return;
    for (const o of this.#outputs) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.dataset) || o.dataset.length > MAX_TABLE_NAME) {
        throw SinkInvalidName({ what: 'dataset table', value: o.dataset, rule: `a plain SQL identifier of at most ${MAX_TABLE_NAME} characters` });
      }
    }
    const s = await this.#connect();
    try {
      await ensurePgWarehouse(s.client, {
        pgSchema: this.#config.schema, table: this.#config.table, quarantine: this.#config.quarantine_table,
        schema: this.#schema, outputs: this.#outputs,
      });
      for (const p of this.#partitioned(this.#schema, this.#outputs)) {
        this.#days.set(p, await listDayPartitions(s.client, this.#config.schema, p));
        await this.#ensureDays(s.client, p, []);
      }
    } catch (err) {
      await this.#disconnect();
      throw SinkOpenFailed({ sink: this.id, location: this.#where(), reason: messageOf(err) }, err);
    }
    this.#opened = true;
  }

  /**
   * Stages the batch (COPY), creates the partitions of the days it touches, then begins the
   * commit's transaction and inserts rows, rejections, watermarks and the ledger entry. A commit id
   * already in the ledger inserts nothing and reports the rows it loaded then. On failure nothing
   * stays open and `TRB_SINK_WRITE_FAILED` (or a `TRB_CONNECT_POSTGRES_*` error) is thrown.
   */
  async write(batch: SinkBatch): Promise<WriteResult> {
    if (!this.#opened || this.#closed) throw SinkState({ sink: this.id, reason: 'write() before open() or after close()' });
    if (this.#txn !== undefined) throw SinkState({ sink: this.id, reason: `write(${batch.commitId}) while ${this.#txn} is not committed` });
    if (this.#session?.broken) await this.#disconnect();
    const s = this.#session ?? await this.#connect();
    const parts: Part[] = [{ table: this.#config.table, schema: batch.schema, csvPath: batch.csvPath, rows: batch.rows },
      ...batch.outputs.map((o) => ({ table: o.dataset, schema: o.schema, csvPath: o.csvPath, rows: o.rows }))];
    try {
      const loaded = parts.filter((p) => p.csvPath !== null && p.rows > 0);
      for (const p of loaded) await s.staging.load(p.table, p.schema, p.csvPath!);
      for (const p of loaded) if (this.#days.has(p.table)) await this.#ensureDays(s.client, p.table, await this.#stagedDays(s.client, p.table));
      await s.client.query('BEGIN');
      this.#txn = batch.commitId;
      return { written: await this.#load(s.client, batch, parts, loaded), failed: [] };
    } catch (err) {
      if (isConnectionLoss(err)) s.broken = true;
      await this.#rollback();
      if (s.broken) await this.#disconnect();
      if (isTributaryError(err)) throw err;
      throw SinkWriteFailed({ sink: this.id, commit: batch.commitId, reason: messageOf(err) }, err);
    }
  }

  /**
   * Commits the transaction `write` opened. When COMMIT fails the load ledger is read on a fresh
   * connection: a recorded commit id means it did commit; otherwise `TRB_SINK_COMMIT_FAILED`.
   * Committing a commit id already committed (this run or recorded in the ledger) is a no-op.
   */
  async commit(commitId: string): Promise<readonly CommittedFile[]> {
    if (!this.#opened || this.#closed) throw SinkState({ sink: this.id, reason: 'commit() before open() or after close()' });
    if (this.#txn !== commitId) {
      if (this.#lastCommitted === commitId || await this.#inLedger(commitId)) return [];
      throw SinkState({ sink: this.id, reason: `commit(${commitId}) without a successful write()` });
    }
    try {
      await this.#session!.client.query('COMMIT');
    } catch (err) {
      this.#txn = undefined;
      await this.#disconnect();
      if (!await this.#inLedger(commitId).catch(() => false)) {
        throw SinkCommitFailed({ sink: this.id, commit: commitId, reason: messageOf(err) }, err);
      }
    }
    this.#txn = undefined;
    this.#lastCommitted = commitId;
    failpoint('postgres.sink.after_commit');
    return [];
  }

  /** Rolls back the transaction of `commitId`; a no-op when it is not the open one. */
  async abort(commitId: string): Promise<void> {
    if (this.#txn === commitId) await this.#rollback();
  }

  /** `postgresql://host:port/database#schema.table` (never credentials). */
  location(): SinkLocation {
    const { schema, table, quarantine_table: q } = this.#config;
    return {
      sink: this.id, type: this.type, location: this.#where(),
      description: `PostgreSQL table "${schema}"."${table}" (rejections in "${schema}"."${q}") on ${serverLabel(this.#config)}`,
    };
  }

  /** Rolls back anything uncommitted and closes the connection. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#txn !== undefined) await this.#rollback();
    await this.#disconnect();
  }

  /** Inside the open transaction: the ledger check, inserts, watermarks and ledger entry. Returns rows inserted into the main table. */
  async #load(client: pg.Client, batch: SinkBatch, parts: readonly Part[], loaded: readonly Part[]): Promise<number> {
    const { schema: ns, table } = this.#config;
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('tributary.load:' || $1, 0))", [`${ns}.${table}`]);
    const prior = await client.query<{ rows: string }>(
      `SELECT rows FROM ${qualified(ns, LOAD_LEDGER_TABLE)} WHERE dataset = $1 AND commit_id = $2`, [table, batch.commitId]);
    if (prior.rows[0] !== undefined) return Number(prior.rows[0].rows);
    let written = 0;
    for (const p of loaded) {
      const n = await this.#insertStaged(client, p);
      if (p.table === table) written = n;
    }
    failpoint('postgres.sink.after_insert');
    const wm = qualified(ns, WATERMARK_TABLE);
    const rejected = await insertRejections(client, qualified(ns, this.#config.quarantine_table), wm, table, batch.rejections, batch.commitId);
    if (batch.streams.size > 0) {
      const streams = [...batch.streams.keys()];
      const ends = [...batch.streams.values()].map((r) => Math.trunc(r.to));
      for (const p of parts) {
        await client.query(`INSERT INTO ${wm} AS w (dataset, stream, next_offset) SELECT $1, s, n FROM unnest($2::text[], $3::bigint[]) AS x(s, n) `
          + 'ON CONFLICT (dataset, stream) DO UPDATE SET next_offset = greatest(w.next_offset, excluded.next_offset), updated_at = now()',
        [p.table, streams, ends]);
      }
    }
    await client.query(`INSERT INTO ${qualified(ns, LOAD_LEDGER_TABLE)} (dataset, commit_id, rows, rejections) VALUES ($1, $2, $3, $4)`,
      [table, batch.commitId, written, rejected]);
    return written;
  }

  /** Inserts the staged rows of `p` at/above its stream watermarks; returns the rows inserted. */
  async #insertStaged(client: pg.Client, p: Part): Promise<number> {
    const cols = storedColumns(p.schema).map((c) => quoteIdent(c.name));
    const r = await client.query(`INSERT INTO ${qualified(this.#config.schema, p.table)} (${cols.join(', ')}) `
      + `SELECT ${cols.map((c) => `s.${c}`).join(', ')} FROM pg_temp.${quoteIdent(StagingTables.nameOf(p.table))} AS s `
      + `LEFT JOIN ${qualified(this.#config.schema, WATERMARK_TABLE)} AS w ON w.dataset = $1 AND w.stream = s.source_stream `
      + 'WHERE s.source_offset >= coalesce(w.next_offset, 0)', [p.table]);
    return r.rowCount ?? 0;
  }

  /** The UTC days of the staged rows of `table` that fall in the partition window. */
  async #stagedDays(client: pg.Client, table: string): Promise<string[]> {
    const now = Date.now();
    const r = await client.query<{ day: string }>(
      `SELECT DISTINCT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM pg_temp.${quoteIdent(StagingTables.nameOf(table))} `
      + 'WHERE ts >= $1::date AND ts < $2::date',
      [utcDay(now, -this.#config.partition_days_back), utcDay(now, this.#config.partition_days_ahead + 1)]);
    return r.rows.map((row) => row.day);
  }

  /** Ensures partitions for `days` plus today .. today + partition_days_ahead. */
  async #ensureDays(client: pg.Client, table: string, days: readonly string[]): Promise<void> {
    const now = Date.now();
    const ahead = Array.from({ length: this.#config.partition_days_ahead + 1 }, (_, i) => utcDay(now, i));
    const created = await ensureDayPartitions(client, this.#config.schema, table, [...days, ...ahead], this.#days.get(table)!);
    if (created.length > 0) this.#log.info({ sink: this.id, table, days: created }, 'Created PostgreSQL day partitions.');
  }

  #partitioned(schema: RecordSchema, outputs: readonly OutputDataset[]): string[] {
    return [...(isPartitionable(schema) ? [this.#config.table] : []), ...outputs.filter((o) => isPartitionable(o.schema)).map((o) => o.dataset)];
  }

  async #inLedger(commitId: string): Promise<boolean> {
    const s = this.#session ?? await this.#connect();
    const r = await s.client.query(`SELECT 1 FROM ${qualified(this.#config.schema, LOAD_LEDGER_TABLE)} WHERE dataset = $1 AND commit_id = $2`,
      [this.#config.table, commitId]);
    return (r.rowCount ?? 0) > 0;
  }

  async #connect(): Promise<Session> {
    let session: Session | undefined;
    const client = await connectPostgres(this.id, this.#config, this.#baseDir, (err) => {
      if (session !== undefined) session.broken = true;
      this.#log.warn({ sink: this.id, err: err.message }, 'PostgreSQL connection lost; the next write reconnects.');
    });
    session = { client, staging: new StagingTables(client), broken: false };
    this.#session = session;
    return session;
  }

  async #disconnect(): Promise<void> {
    const s = this.#session;
    this.#session = undefined;
    if (s !== undefined) await s.client.end().catch(() => undefined);
  }

  async #rollback(): Promise<void> {
    const open = this.#txn !== undefined;
    this.#txn = undefined;
    if (!open || this.#session === undefined) return;
    try { await this.#session.client.query('ROLLBACK'); } catch (err) {
      this.#session.broken = true;
      this.#log.warn({ sink: this.id, err: messageOf(err) }, 'PostgreSQL rollback failed.');
    }
  }

  #where(): string {
    return `postgresql://${serverLabel(this.#config)}#${this.#config.schema}.${this.#config.table}`;
  }
}
