/**
 * Encodes a {@link QueryStream} as JSON, NDJSON or CSV text chunks, one chunk per batch as it
 * arrives (never the whole result in memory). Between batches the API key is re-checked, at most
 * every `recheckMs`; a key revoked or expired mid-stream stops the stream: the query is aborted and
 * closed, and JSON/NDJSON end with an `error` member (`TRB_SERVER_KEY_REVOKED_MID_STREAM`) while CSV,
 * which has no place for one, ends with a broken (aborted) response so that a truncated file is
 * never mistaken for a complete one.
 *
 * Shapes:
 * - json: `{"columns":[{"name","type"}...],"rows":[[...],...],"row_count":N}` (+ `"error":{...}` on failure)
 * - ndjson: first line `{"columns":[...]}`, one JSON array per row, last line `{"row_count":N}` or `{"error":{...}}`
 * - csv: a header line of column names, then one line per row (RFC 4180 quoting, CRLF line ends)
 */
import { toTributaryError, TributaryError } from '../../core/errors.js';
import type { Cell, QueryStream } from '../../query/query-engine.js';
import type { Identity } from '../../security/identity/identity.js';
import { KeyRevokedMidStream } from '../errors.js';

/** Output formats of `POST /v1/sql`. */
export const SQL_FORMATS = ['json', 'ndjson', 'csv'] as const;
/** One of {@link SQL_FORMATS}. */
export type SqlFormat = (typeof SQL_FORMATS)[number];

/** Content type per format. */
export const SQL_CONTENT_TYPES: Readonly<Record<SqlFormat, string>> = Object.freeze({
  json: 'application/json; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8',
});

/** How a streamed result ended. */
export interface StreamOutcome {
  readonly outcome: 'ok' | 'revoked' | 'error' | 'client_gone';
  readonly rows: number;
  readonly error?: TributaryError;
}

/** Options of {@link encodeResult}. */
export interface EncodeOptions {
  readonly format: SqlFormat;
  readonly identity: Identity;
  readonly stream: QueryStream;
  /** `checkKeyStillValid`; only called for API-key identities. */
  readonly keyStillValid: (keyId: string) => Promise<boolean>;
  /** Minimum milliseconds between two key checks (0 = before every batch after the first). */
  readonly recheckMs: number;
  /** Aborts the running query (passed to the engine as its signal). */
  readonly abort: AbortController;
  readonly now?: () => number;
  /** Called once when the stream ends, however it ends. */
  readonly onEnd: (o: StreamOutcome) => void | Promise<void>;
}

/** The text chunks of the result; see the module doc. */
export async function* encodeResult(o: EncodeOptions): AsyncGenerator<string> {
  const now = o.now ?? Date.now;
  const cols = o.stream.columns.map((c) => ({ name: c.name, type: c.type }));
  let rows = 0;
  let outcome: StreamOutcome = { outcome: 'client_gone', rows: 0 };
  let lastCheck = now();
  try {
    yield header(o.format, cols);
    let first = true;
    for await (const batch of o.stream.batches()) {
      if (!first && o.identity.keyId !== undefined && now() - lastCheck >= o.recheckMs) {
        lastCheck = now();
        if (!(await o.keyStillValid(o.identity.keyId))) throw KeyRevokedMidStream({ key_id: o.identity.keyId });
      }
      first = false;
      if (batch.length === 0) continue;
      yield encodeBatch(o.format, batch, rows);
      rows += batch.length;
    }
    outcome = { outcome: 'ok', rows };
    yield footer(o.format, rows);
  } catch (err) {
    const e = toTributaryError(err);
    outcome = { outcome: KeyRevokedMidStream.is(e) ? 'revoked' : 'error', rows, error: e };
    o.abort.abort(e);
    const safe = e.family === 'internal' ? { code: 'TRB_INTERNAL', message: 'Internal error: the query failed while streaming', details: {} } : e.toJSON();
    if (o.format === 'csv') throw e;
    yield o.format === 'json' ? `],"row_count":${rows},"error":${JSON.stringify(safe)}}\n` : `${JSON.stringify({ error: safe })}\n`;
  } finally {
    await o.stream.close().catch(() => undefined);
    await o.onEnd(outcome);
  }
}

function header(format: SqlFormat, cols: readonly { name: string; type: string }[]): string {
  if (format === 'json') return `{"columns":${JSON.stringify(cols)},"rows":[`;
  if (format === 'ndjson') return `${JSON.stringify({ columns: cols })}\n`;
  return `${cols.map((c) => csvCell(c.name)).join(',')}\r\n`;
}

function footer(format: SqlFormat, rows: number): string {
  if (format === 'json') return `],"row_count":${rows}}\n`;
  if (format === 'ndjson') return `${JSON.stringify({ row_count: rows })}\n`;
  return '';
}

function encodeBatch(format: SqlFormat, batch: readonly (readonly Cell[])[], before: number): string {
  if (format === 'json') return (before > 0 ? ',' : '') + batch.map((r) => JSON.stringify(r)).join(',');
  if (format === 'ndjson') return batch.map((r) => `${JSON.stringify(r)}\n`).join('');
  return batch.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}

/** One CSV field (RFC 4180): null is empty, text with a comma, quote, CR or LF is quoted with quotes doubled. */
export function csvCell(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
