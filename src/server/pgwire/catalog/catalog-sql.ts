/**
 * Which statements the catalog database answers, and the rewrite from PostgreSQL catalog SQL to
 * the DuckDB dialect over the synthetic `pgcat` schema. Routing a statement here can never expose
 * data: the catalog database holds only the names and types of relations the identity may see.
 */

/** Removes string literals, quoted identifiers and comments, for keyword detection only. */
function codeOnly(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""');
}

const CATALOG_MARKERS = new RegExp(
  String.raw`\b(?:(?:pg_catalog|information_schema|pg_[a-z_]+|current_setting|current_schemas?|current_database|`
  + String.raw`current_user|session_user|has_[a-z_]+_privilege|format_type|set_config|obj_description|col_description|quote_ident)\b`
  + String.raw`|version\s*\()`,
  'i');

/** True when `sql` reads the PostgreSQL catalog or catalog functions (psql, JDBC, BI probes). */
export function isCatalogQuery(sql: string): boolean {
  return CATALOG_MARKERS.test(codeOnly(sql));
}

/**
 * Rewrites PostgreSQL catalog SQL for the catalog database: drops the `pg_catalog.` qualifier (the
 * synthetic catalog is first on the search path), maps `information_schema.` to `infoschema.`,
 * `OPERATOR(pg_catalog.~)` to `~`, `current_user`/`session_user` to the session's user, drops `COLLATE pg_catalog.default`, and turns the literal
 * pattern of `~`/`!~` into a full-match pattern (PostgreSQL's `~` searches, DuckDB's matches whole).
 */
export function rewriteCatalogSql(sql: string): string {
  return sql
    .replace(/OPERATOR\s*\(\s*(?:pg_catalog\s*\.\s*)?([~!=<>*]+)\s*\)/gi, '$1')
    .replace(/\s+COLLATE\s+(?:pg_catalog\s*\.\s*)?"?default"?/gi, '')
    .replace(/(!?~)\s*'((?:[^']|'')*)'/g, (_m, op: string, pat: string) => `${op} '(?s).*(?:${pat}).*'`)
    .replace(/\b(?:current_user|session_user)\b(?!\s*\()/gi, 'tributary_user()')
    .replace(/\bpg_catalog\s*\.\s*/gi, '')
    .replace(/\binformation_schema\s*\.\s*/gi, 'infoschema.');
}
