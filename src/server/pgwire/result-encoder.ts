/**
 * Encodes query results for the wire: RowDescription fields from result columns (with the format
 * each column is actually sent in) and DataRows, a batch at a time in one buffer.
 */
import type { Cell, QueryColumn } from '../../query/query-engine.js';
import { dataRow, rowDescription, type WireField } from './protocol/backend-messages.js';
import { encodeBinary, encodeText, pgTypeOf, type PgType } from './pg-types.js';

/** Columns prepared for encoding: their PostgreSQL types and the format each is sent in. */
export interface EncodedColumns {
  readonly types: readonly PgType[];
  readonly formats: readonly (0 | 1)[];
}

/**
 * Resolves the client's requested result formats (none: all text; one: for every column; else per
 * column) against what the gateway can send: binary only for types that support it, text otherwise,
 * and the RowDescription tells the client which one it got.
 */
export function encodeColumns(columns: readonly QueryColumn[], requested: readonly number[] = []): EncodedColumns {
  const types = columns.map((c) => pgTypeOf(c.type));
  const formats = types.map((t, i): 0 | 1 => {
    const want = requested.length === 0 ? 0 : requested.length === 1 ? requested[0] : requested[i];
    return want === 1 && t.binary ? 1 : 0;
  });
  return { types, formats };
}

/** RowDescription for `columns` sent in `enc`'s formats. */
export function describeRows(columns: readonly QueryColumn[], enc: EncodedColumns): Uint8Array {
  const fields: WireField[] = columns.map((c, i) => {
    const t = enc.types[i] as PgType;
    return { name: c.name, typeOid: t.oid, typeSize: t.size, typeModifier: t.modifier, format: enc.formats[i] ?? 0 };
  });
  return rowDescription(fields);
}

/** DataRows of `rows`, concatenated into one buffer. */
export function encodeRows(rows: readonly (readonly Cell[])[], enc: EncodedColumns): Uint8Array {
  const parts = rows.map((row) => dataRow(row.map((cell, i) => {
    const t = enc.types[i] as PgType;
    return enc.formats[i] === 1 ? encodeBinary(cell, t) : encodeText(cell, t);
  })));
  return Buffer.concat(parts);
}
