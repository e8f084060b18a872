/**
 * Test double of the {@link QueryEngine} contract for the gateway's tests: an in-memory DuckDB
 * (through `connectUtc`) with a `requests` and a `visitors` table an analyst may see and a
 * `salaries` table nobody may see through the gateway. Grants are checked crudely (a hidden table
 * named in the SQL is refused with `TRB_QUERY_DENIED`); the real engine lives in src/query.
 * `SELECT 'slow'` waits until its signal aborts, to test cancellation.
 */
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { TributaryError } from '../../../core/errors.js';
import { connectUtc, resultColumns, resultRows } from '../../../sinks/_shared/duckdb-values.js';
import type { Identity } from '../../../security/identity/identity.js';
import type {
  Cell, QueryEngine, QueryOptions, QueryStream, StatementDescription, VisibleRelation,
} from '../../../query/query-engine.js';

const err = (code: string, message: string, family: 'auth' | 'request' = 'request'): TributaryError =>
  new TributaryError(code, message, { family });

const SETUP = [
  `CREATE TABLE requests(id BIGINT, ts TIMESTAMPTZ, local_ts TIMESTAMP, status INTEGER, small SMALLINT, path VARCHAR, ok BOOLEAN,
     latency DOUBLE, ratio FLOAT, price DECIMAL(10,2), big HUGEINT, day DATE, uid UUID, meta JSON, tags VARCHAR[])`,
  `INSERT INTO requests VALUES
     (1, '2024-03-01 10:00:00.123456+00', '2024-03-01 10:00:00.5', 200, 1, '/home', true, 12.5, 0.25, 19.99, 170141183460469231731687303715884105727,
      '2024-03-01', '123e4567-e89b-12d3-a456-426614174000', '{"a":1}', ['x','y']),
     (2, '2024-03-02 11:30:00+00', '2024-03-02 11:30:00', 404, 2, '/missing', false, 3.0, 0.5, 0.10, 2, '2024-03-02',
      '00000000-0000-0000-0000-000000000001', '{"b":[2]}', []),
     (3, NULL, NULL, 500, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `CREATE TABLE visitors(visitor_id VARCHAR, email VARCHAR, country VARCHAR)`,
  `INSERT INTO visitors VALUES ('v1', '***', 'FR'), ('v2', '***', 'DE')`,
  `CREATE TABLE salaries(name VARCHAR, amount INTEGER)`,
  `INSERT INTO salaries VALUES ('ceo', 1000000)`,
];

const HIDDEN = /\bsalaries\b/i;

/** See the file comment. */
export class MemoryQueryEngine implements QueryEngine {
  readonly queries: { subject: string; sql: string; via: string; params: readonly Cell[] }[] = [];
  readonly #instance: DuckDBInstance;
  readonly #conn: DuckDBConnection;

  private constructor(instance: DuckDBInstance, conn: DuckDBConnection) {
    this.#instance = instance;
    this.#conn = conn;
  }

  /** Creates the engine with its tables. */
  static async create(): Promise<MemoryQueryEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await connectUtc(instance);
    for (const s of SETUP) await conn.run(s);
    return new MemoryQueryEngine(instance, conn);
  }

  async #prepare(id: Identity, sql: string) {
    if (!id.permissions.has('sql:query')) throw err('TRB_AUTH_FORBIDDEN', 'Role lacks `sql:query`', 'auth');
    if (HIDDEN.test(sql)) throw err('TRB_QUERY_DENIED', 'Permission denied for relation `salaries`', 'auth');
    let extracted;
    try {
      extracted = await this.#conn.extractStatements(sql);
    } catch (e) {
      throw err('TRB_QUERY_SYNTAX', `Syntax error: ${(e as Error).message.split('\n')[0] ?? ''}`);
    }
    if (extracted.count !== 1) throw err('TRB_QUERY_STATEMENT_REFUSED', 'Only one SELECT statement is accepted');
    const prepared = await extracted.prepare(0).catch((e: Error) => { throw err('TRB_QUERY_INVALID', e.message.split('\n')[0] ?? ''); });
    if (prepared.statementType !== StatementType.SELECT) throw err('TRB_QUERY_STATEMENT_REFUSED', 'Only SELECT statements are accepted');
    return prepared;
  }

  async query(id: Identity, sql: string, opts: QueryOptions): Promise<QueryStream> {
    this.queries.push({ subject: id.subject, sql, via: opts.via, params: opts.params ?? [] });
    if (/^\s*select\s+'slow'/i.test(sql)) return slowStream(opts.signal);
    const prepared = await this.#prepare(id, sql);
    if (opts.params && opts.params.length > 0) prepared.bind(opts.params as DuckDBValue[]);
    const reader = await prepared.runAndReadAll().catch((e: Error) => { throw err('TRB_QUERY_INVALID', e.message.split('\n')[0] ?? ''); });
    const rows = resultRows(reader) as Cell[][];
    return {
      columns: resultColumns(reader),
      async *batches() { for (let i = 0; i < rows.length; i += 2) yield rows.slice(i, i + 2); },
      close: async () => undefined,
    };
  }

  async describe(id: Identity, sql: string): Promise<StatementDescription> {
    const p = await this.#prepare(id, sql);
    const params = Array.from({ length: p.parameterCount }, (_, i) => ({ name: `$${i + 1}`, type: p.parameterType(i + 1).toString() }));
    const columns = Array.from({ length: p.columnCount }, (_, i) => ({ name: p.columnName(i), type: p.columnType(i).toString() }));
    return { params, columns };
  }

  async relations(id: Identity): Promise<readonly VisibleRelation[]> {
    if (!id.permissions.has('sql:query')) return [];
    const out: VisibleRelation[] = [];
    for (const table of ['requests', 'visitors']) {
      const r = await this.#conn.runAndReadAll(`SELECT * FROM ${table} LIMIT 0`);
      out.push({
        name: table,
        columns: resultColumns(r).map((c) => ({ ...c, pii: c.name === 'email' ? 'personal' : 'none', masked: c.name === 'email' })),
      });
    }
    return out;
  }

  async close(): Promise<void> {
    this.#conn.closeSync();
    this.#instance.closeSync();
  }
}

function slowStream(signal: AbortSignal | undefined): QueryStream {
  return {
    columns: [{ name: 'slow', type: 'VARCHAR' }],
    async *batches() {
      await new Promise<void>((_ok, ko) => {
        const fail = (): void => ko(err('TRB_QUERY_CANCELLED', 'The query was cancelled'));
        if (signal?.aborted) fail();
        signal?.addEventListener('abort', fail, { once: true });
      });
    },
    close: async () => undefined,
  };
}
