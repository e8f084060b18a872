/** The gold layer's DuckDB warehouse: one connection (via `connectUtc`) to the warehouse file. */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { connectUtc } from '../sinks/_shared/duckdb-values.js';
import { quoteIdent, quoteLiteral } from '../sinks/_shared/sql.js';
import type { GoldWarehouse, RelationKind } from './gold-warehouse.js';

/** A {@link GoldWarehouse} over DuckDB connection `conn` (closing it disconnects `conn`). */
export class DuckdbGoldWarehouse implements GoldWarehouse {
  readonly dialect = 'duckdb' as const;
  readonly label: string;
  readonly parser: DuckDBConnection;

  constructor(conn: DuckDBConnection, label: string) {
    this.parser = conn;
    this.label = label;
  }

  /** Opens the warehouse file `path` (through the instance cache, like the sink). */
  static async open(path: string): Promise<DuckdbGoldWarehouse> {
    return new DuckdbGoldWarehouse(await connectUtc(await DuckDBInstance.fromCache(path)), path);
  }

  /** The DuckDB connection (for DuckDB-only steps such as the Parquet export). */
  get connection(): DuckDBConnection { return this.parser; }

  async exec(sql: string): Promise<void> { await this.parser.run(sql); }

  async rows(sql: string): Promise<readonly (readonly unknown[])[]> { return (await this.parser.runAndReadAll(sql)).getRows(); }

  async relationKind(name: string): Promise<RelationKind | undefined> {
    const r = await this.rows(`SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ${quoteLiteral(name)}`);
    const type = r[0]?.[0];
    return type === undefined ? undefined : type === 'VIEW' ? 'view' : 'table';
  }

  async columns(table: string): Promise<Set<string>> {
    const r = await this.rows(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ${quoteLiteral(table)}`);
    return new Set(r.map((x) => String(x[0])));
  }

  async drop(name: string, kind: RelationKind): Promise<void> { await this.exec(`DROP ${kind === 'view' ? 'VIEW' : 'TABLE'} ${quoteIdent(name)}`); }

  async replaceView(name: string, sql: string): Promise<void> { await this.exec(`CREATE OR REPLACE VIEW ${quoteIdent(name)} AS ${sql}`); }

  async replaceTable(name: string, sql: string): Promise<void> { await this.exec(`CREATE OR REPLACE TABLE ${quoteIdent(name)} AS ${sql}`); }

  async ensurePartitions(): Promise<void> { /* DuckDB tables are not partitioned */ }

  async analyze(): Promise<void> { /* DuckDB keeps its statistics itself */ }

  async close(): Promise<void> { this.parser.disconnectSync(); }
}
