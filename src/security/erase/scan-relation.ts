/**
 * Finds the values in one table or file that are a person's but cannot be computed up front:
 * addresses as written (any text form of the address), encrypted tokens whose plaintext is the
 * address (or a raw line containing it), and visitor ids recomputed from the rows' agent and day.
 * What it finds is filed in {@link MatchValues} under the relation's key.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isFieldToken } from '../crypto/field-cipher.js';
import { quoteIdent } from '../../sinks/_shared/sql.js';
import type { EraseRelation } from './erase-relation.js';
import type { MatchSql, MatchValueSink } from './match-values.js';
import { asReader, type RowReader } from './row-reader.js';
import type { SubjectIdentifiers } from './subject-identifiers.js';
import type { TokenOpener } from './token-opener.js';
import type { VisitorMatcher } from './visitor-matcher.js';

const PSEUDONYM_RE = 'ps[1-9][0-9]*_[0-9a-f]{24}';

/** Streams the first column of `sql` as strings (nulls skipped), without materialising the result. */
async function* column(reader: RowReader, sql: string): AsyncIterable<string> {
  for await (const rows of reader.rows(sql)) for (const row of rows) if (typeof row[0] === 'string') yield row[0];
}

/**
 * Files under `<rel.key>:<column>` the values of `client_ip` and `x_forwarded_for` that are the
 * subject's address (as written, or as the plaintext of a token), and the `raw` tokens whose
 * plaintext contains it. Plain `raw` text needs no scan (it is matched by pattern in SQL). Does
 * nothing for a `--visitor` subject. Returns how many values matched.
 */
export async function scanRelation(
  conn: DuckDBConnection | RowReader, rel: EraseRelation, ids: SubjectIdentifiers, values: MatchValueSink, opener: TokenOpener,
): Promise<number> {
  if (ids.subject.kind !== 'ip') return 0;
  const reader = asReader(conn);
  const sql = reader.dialect;
  let matched = 0;
  const fields: readonly [string, (v: string) => boolean][] = [['client_ip', ids.matchesAddress], ['x_forwarded_for', ids.matchesAddressList]];
  for (const [field, test] of fields) {
    if (!rel.columns.has(field)) continue;
    const c = quoteIdent(field);
    const found: string[] = [];
    // Pseudonyms never equal an address; skip them in the scan (they are matched exactly).
    for await (const v of column(reader, `SELECT DISTINCT ${c} FROM ${rel.from} WHERE ${c} IS NOT NULL AND NOT ${sql.fullMatch(c, PSEUDONYM_RE)}`)) {
      const plain = isFieldToken(v) ? await opener.open(v, field, rel.datasets) : v;
      if (plain !== undefined && test(plain)) found.push(v);
    }
    matched += await values.add(`${rel.key}:${field}`, found);
  }
  if (rel.columns.has('raw') && ids.linePattern !== undefined) {
    const pattern = new RegExp(ids.linePattern, 'i');
    const found: string[] = [];
    for await (const v of column(reader, `SELECT "raw" FROM ${rel.from} WHERE ${sql.startsWith('"raw"', 'enc:v1:')}`)) {
      const plain = await opener.open(v, 'raw', rel.datasets);
      if (plain !== undefined && pattern.test(plain)) found.push(v);
    }
    matched += await values.add(`${rel.key}:raw`, found);
  }
  return matched;
}

/**
 * The visitor ids in `rel` that belong to the subject's address: among rows whose `client_ip`
 * could be the address (its pseudonym, the address as written, its truncated prefix, or null) or
 * whose `client_id` is its pseudonym, the id recomputed from the row's `user_agent` and UTC day of
 * `ts` must equal the row's `visitor_id` exactly. With `everyRow` (the pipeline takes clients from
 * X-Forwarded-For, so `client_ip` shows the proxy) every row is a candidate. Undefined when `rel`
 * lacks `visitor_id`, `user_agent` or `ts`, or there is nothing to compute with (no visitor key).
 */
export async function findVisitorIds(
  conn: DuckDBConnection | RowReader, rel: EraseRelation, values: MatchSql, matcher: VisitorMatcher, everyRow = false,
): Promise<Set<string> | undefined> {
  const reader = asReader(conn);
  if (!['visitor_id', 'user_agent', 'ts'].every((c) => rel.columns.has(c)) || !matcher.usable) return undefined;
  const could: string[] = [];
  if (rel.columns.has('client_ip')) {
    const p = values.inPredicate('client_ip', ['*:client_ip', `${rel.key}:client_ip`, '*:truncated']);
    could.push(p === null ? '"client_ip" IS NULL' : `(${p} OR "client_ip" IS NULL)`);
  }
  if (rel.columns.has('client_id')) could.push(values.inPredicate('client_id', ['*:client_id']) ?? 'false');
  const where = everyRow || could.length === 0 ? 'true' : could.join(' OR ');
  const rows = reader.rows(`SELECT DISTINCT "visitor_id", "user_agent", ${reader.dialect.utcDay('"ts"')} FROM ${rel.from} ` +
    `WHERE "visitor_id" IS NOT NULL AND "ts" IS NOT NULL AND (${where})`);
  const found = new Set<string>();
  for await (const chunk of rows) {
    for (const [id, agent, day] of chunk) {
      if (typeof id === 'string' && typeof day === 'string' && matcher.matches(id, typeof agent === 'string' ? agent : null, day)) found.add(id);
    }
  }
  return found;
}
