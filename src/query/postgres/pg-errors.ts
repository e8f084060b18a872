/** PostgreSQL errors as safe, typed query errors (no values, no internals). */
import { TributaryError } from '../../core/errors.js';
import { QueryFailed, QueryInvalid, QueryRelationDenied, QueryTimeout } from '../errors.js';

const CLASSES: Readonly<Record<string, string>> = Object.freeze({
  '22': 'data exception', '23': 'integrity constraint', '25': 'transaction state', '40': 'transaction rollback',
  '53': 'insufficient resources', '54': 'program limit', '57': 'operator intervention', 'XX': 'internal',
});

/**
 * The safe error of a PostgreSQL failure: `42501` (insufficient privilege) is `TRB_QUERY_RELATION_DENIED`;
 * other class-42 errors (syntax, unknown column) are `TRB_QUERY_INVALID` with the message's first line
 * (about the statement only); `57014` (statement timeout, cancel) is `TRB_QUERY_TIMEOUT`; anything
 * else is `TRB_QUERY_FAILED` naming only the SQLSTATE class, since the text may quote a value.
 */
export function pgQueryError(err: unknown, timeoutMs: number): TributaryError {
  if (err instanceof TributaryError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  if (code === '57014') return QueryTimeout({ timeoutMs });
  if (code === '42501') return QueryRelationDenied({ relation: '(not granted)' });
  if (code.startsWith('42')) return QueryInvalid({ reason: String((err as Error).message).split('\n')[0]!.slice(0, 300) }, err);
  return QueryFailed({ kind: CLASSES[code.slice(0, 2)] ?? `SQLSTATE ${code || 'unknown'}` });
}
