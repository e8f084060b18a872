/**
 * Session-level statements the gateway answers itself, without the engine: harmless `SET`s drivers
 * and BI tools send at startup (`SET datestyle`, `extra_float_digits`, `application_name`, ...),
 * `SHOW`, `RESET`, `DISCARD`, and transaction control (`BEGIN`/`COMMIT`/`ROLLBACK`, accepted as
 * no-ops: every statement is a read-only SELECT).
 */

/** What a session command asks for. */
export type SessionCommand =
  | { readonly kind: 'set'; readonly name: string; readonly value: string }
  | { readonly kind: 'reset'; readonly name: string }
  | { readonly kind: 'show'; readonly name: string }
  | { readonly kind: 'tx'; readonly tag: 'BEGIN' | 'COMMIT' | 'ROLLBACK' | 'SAVEPOINT' | 'RELEASE' }
  | { readonly kind: 'noop'; readonly tag: string }
  | { readonly kind: 'empty' };

/** Settings reported by SHOW and current_setting(); names lower-case. */
export const DEFAULT_SETTINGS: ReadonlyMap<string, string> = new Map([
  ['server_version', '15.0'], ['server_version_num', '150000'], ['server_encoding', 'UTF8'], ['client_encoding', 'UTF8'],
  ['datestyle', 'ISO, MDY'], ['timezone', 'UTC'], ['intervalstyle', 'postgres'], ['integer_datetimes', 'on'],
  ['standard_conforming_strings', 'on'], ['is_superuser', 'off'], ['application_name', ''], ['search_path', '"$user", public'],
  ['extra_float_digits', '1'], ['transaction_isolation', 'read committed'], ['transaction_read_only', 'on'],
  ['default_transaction_read_only', 'on'], ['max_identifier_length', '63'], ['lc_collate', 'C.UTF-8'], ['lc_ctype', 'C.UTF-8'],
  ['statement_timeout', '0'], ['bytea_output', 'hex'], ['client_min_messages', 'notice'], ['max_index_keys', '32'],
  ['block_size', '8192'], ['default_transaction_isolation', 'read committed'], ['lock_timeout', '0'],
  ['idle_in_transaction_session_timeout', '0'], ['jit', 'off'], ['search_path_default', 'public'],
]);

/**
 * Session parameters a client may SET (accepted, remembered for SHOW, never sent to the engine).
 * Anything else is refused with SQLSTATE 42704 / 0A000 rather than silently ignored.
 */
const SETTABLE = new Set([
  'datestyle', 'extra_float_digits', 'application_name', 'client_encoding', 'timezone', 'time zone', 'search_path',
  'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'client_min_messages', 'intervalstyle',
  'bytea_output', 'transaction_isolation', 'default_transaction_isolation', 'default_transaction_read_only',
  'transaction_read_only', 'jit', 'geqo', 'work_mem', 'names', 'session characteristics', 'standard_conforming_strings',
  'search_path_default', 'lc_messages', 'lc_monetary', 'lc_numeric', 'lc_time', 'escape_string_warning', 'enable_seqscan',
]);

/** Parameters whose values must keep the gateway's output format; a SET to another value is refused. */
const FIXED: Readonly<Record<string, RegExp>> = {
  client_encoding: /^'?(utf-?8|unicode)'?$/i,
  standard_conforming_strings: /^'?on'?$/i,
};

/** True when `name` may be SET to `value` in a session. */
export function isSettable(name: string, value: string): boolean {
  const fixed = FIXED[name];
  return SETTABLE.has(name) && (fixed === undefined || fixed.test(value));
}

const unquote = (v: string): string => v.trim().replace(/^'(.*)'$/s, '$1').replace(/''/g, "'");

/** Recognises a session command; undefined for anything else (queries go to the engine or the catalog). */
export function parseSessionCommand(sql: string): SessionCommand | undefined {
  const s = sql.trim().replace(/;\s*$/, '').trim();
  if (s === '') return { kind: 'empty' };
  // Several statements in one string are never a session command (the engine refuses them).
  if (s.replace(/'(?:[^']|'')*'/g, "''").includes(';')) return undefined;
  let m = /^SET\s+(?:SESSION\s+|LOCAL\s+)?(SESSION\s+CHARACTERISTICS|TIME\s+ZONE|NAMES|[a-z_][a-z0-9_.]*)\s*(?:=|\s|TO\s)\s*([\s\S]*)$/i.exec(s);
  if (m && m[1] !== undefined && m[2] !== undefined) {
    const name = m[1].toLowerCase().replace(/\s+/g, ' ');
    return { kind: 'set', name: name === 'time zone' ? 'timezone' : name, value: unquote(m[2].replace(/^TO\s+/i, '')) };
  }
  m = /^RESET\s+([a-z_][a-z0-9_.]*|ALL)$/i.exec(s);
  if (m?.[1] !== undefined) return { kind: 'reset', name: m[1].toLowerCase() };
  m = /^SHOW\s+([a-z_][a-z0-9_.]*|TIME\s+ZONE|TRANSACTION\s+ISOLATION\s+LEVEL)$/i.exec(s);
  if (m?.[1] !== undefined) {
    const name = m[1].toLowerCase().replace(/\s+/g, ' ');
    return { kind: 'show', name: name === 'time zone' ? 'timezone' : name === 'transaction isolation level' ? 'transaction_isolation' : name };
  }
  if (/^(BEGIN|START\s+TRANSACTION)\b/i.test(s)) return { kind: 'tx', tag: 'BEGIN' };
  if (/^(COMMIT|END)\b/i.test(s)) return { kind: 'tx', tag: 'COMMIT' };
  if (/^ROLLBACK\s+TO\b/i.test(s)) return { kind: 'tx', tag: 'ROLLBACK' };
  if (/^(ROLLBACK|ABORT)\b/i.test(s)) return { kind: 'tx', tag: 'ROLLBACK' };
  if (/^SAVEPOINT\b/i.test(s)) return { kind: 'tx', tag: 'SAVEPOINT' };
  if (/^RELEASE\b/i.test(s)) return { kind: 'tx', tag: 'RELEASE' };
  if (/^DISCARD\s+ALL$/i.test(s)) return { kind: 'noop', tag: 'DISCARD ALL' };
  if (/^DEALLOCATE\b/i.test(s)) return { kind: 'noop', tag: 'DEALLOCATE' };
  return undefined;
}
