/**
 * Bulk loading of a batch CSV into a session-local TEMP staging table with COPY (pg-copy-streams),
 * outside the load transaction: the typed parse happens here, so a malformed file fails before
 * anything is locked, and the load transaction is only INSERT ... SELECT.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RecordSchema } from '../../core/record.js';
import { quoteIdent, storedColumns } from '../_shared/sql.js';
import { pgType } from './pg-sql.js';

/** The first line of `path` split into names (the engine's header: plain identifiers, `,`-separated). */
export async function readCsvHeader(path: string): Promise<string[]> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(65_536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    return (end < 0 ? text : text.slice(0, end)).replace(/\r$/, '').split(',').map((n) => n.replace(/^"(.*)"$/, '$1'));
  } finally { await fh.close(); }
}

const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

/** A stream replacing NUL bytes (which PostgreSQL text cannot hold) with U+FFFD; a pass-through when there are none. */
export function replaceNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (chunk.indexOf(0) < 0) { done(null, chunk); return; }
      const parts: Buffer[] = [];
      let from = 0;
      for (let i = chunk.indexOf(0); i >= 0; i = chunk.indexOf(0, from)) {
        parts.push(chunk.subarray(from, i), REPLACEMENT);
        from = i + 1;
      }
      parts.push(chunk.subarray(from));
      done(null, Buffer.concat(parts));
    },
  });
}

/**
 * TEMP staging tables of one session, one per dataset, (re)created when the dataset's columns
 * change. They live until the connection closes (a reconnect starts with a fresh instance).
 */
export class StagingTables {
  readonly #client: pg.Client;
  readonly #made = new Map<string, string>();

  constructor(client: pg.Client) {
    this.#client = client;
  }

  /** The staging table name of `dataset`. */
  static nameOf(dataset: string): string {
    return `_trb_stage_${dataset}`;
  }

  /**
   * Empties the staging table of `dataset` (creating it for `schema`'s stored columns) and COPYs
   * `csvPath` into it. Returns the rows copied. Throws the driver's error for a malformed file
   * (wrong header, bad value); the staging table is then left in an unspecified state.
   */
  async load(dataset: string, schema: RecordSchema, csvPath: string): Promise<number> {
    const cols = storedColumns(schema);
    const name = quoteIdent(StagingTables.nameOf(dataset));
    const signature = cols.map((c) => `${c.name}:${c.type}`).join(',');
    if (this.#made.get(dataset) !== signature) {
      await this.#client.query(`DROP TABLE IF EXISTS pg_temp.${name}`);
      await this.#client.query(`CREATE TEMP TABLE ${name} (${cols.map((c) => `${quoteIdent(c.name)} ${pgType(c.type)}`).join(', ')})`);
      this.#made.set(dataset, signature);
    } else {
      await this.#client.query(`TRUNCATE pg_temp.${name}`);
    }
    const header = await readCsvHeader(csvPath);
    const known = new Set(cols.map((c) => c.name));
    const unknown = header.filter((h) => !known.has(h));
    if (unknown.length > 0 || header.length !== known.size) {
      throw new TypeError(`CSV header of ${csvPath} does not match the ${dataset} columns (unexpected: ${unknown.join(', ') || 'none'}; `
        + `${header.length} columns, expected ${known.size})`);
    }
    // CSV format: unquoted empty = NULL, quoted empty = empty string, `"` quotes and escapes.
    const copy = this.#client.query(copyFrom(`COPY pg_temp.${name} (${header.map(quoteIdent).join(', ')}) FROM STDIN `
      + "WITH (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', ENCODING 'UTF8')"));
    await pipeline(createReadStream(csvPath), replaceNulBytes(), copy);
    return copy.rowCount;
  }
}
