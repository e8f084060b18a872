/**
 * Turns whatever a query raised into a safe ErrorResponse: the SQLSTATE is derived from the
 * engine's error code (never from message text of unknown errors), and only TributaryError
 * messages, written for users, reach the client; anything else becomes a generic internal error.
 */
import { isTributaryError } from '../../core/errors.js';
import type { WireError } from './protocol/backend-messages.js';

/** SQLSTATEs the gateway uses. */
export const SQLSTATE = {
  insufficientPrivilege: '42501',
  syntaxError: '42601',
  undefinedTable: '42P01',
  undefinedObject: '42704',
  featureNotSupported: '0A000',
  queryCanceled: '57014',
  programLimitExceeded: '54000',
  protocolViolation: '08P01',
  invalidPassword: '28P01',
  tooManyConnections: '53300',
  idleSessionTimeout: '57P05',
  adminShutdown: '57P01',
  readOnly: '25006',
  invalidParameterValue: '22023',
  invalidSqlStatementName: '26000',
  invalidCursorName: '34000',
  internal: 'XX000',
} as const;

/** Code fragments of engine error codes → SQLSTATE, first match wins. */
const BY_CODE: readonly (readonly [RegExp, string])[] = [
  [/CANCEL|ABORT|TIMEOUT/, SQLSTATE.queryCanceled],
  [/DENIED|FORBIDDEN|NOT_GRANTED|PERMISSION/, SQLSTATE.insufficientPrivilege],
  [/SYNTAX|PARSE/, SQLSTATE.syntaxError],
  [/LIMIT|TOO_LARGE|TOO_MANY|SIZE/, SQLSTATE.programLimitExceeded],
  [/REFUSED|NOT_ALLOWED|STATEMENT|READ_ONLY/, SQLSTATE.insufficientPrivilege],
  [/UNKNOWN_RELATION|NOT_FOUND|UNKNOWN_TABLE|NO_SUCH/, SQLSTATE.undefinedTable],
  [/UNSUPPORTED/, SQLSTATE.featureNotSupported],
  [/VALIDATION|INVALID|PARAM/, SQLSTATE.invalidParameterValue],
];

/** SQLSTATE for a Tributary error code (`TRB_QUERY_DENIED` → 42501, ...); XX000 when nothing matches. */
export function sqlstateForCode(code: string): string {
  for (const [re, state] of BY_CODE) if (re.test(code)) return state;
  return SQLSTATE.internal;
}

/** The ErrorResponse for `err`: typed errors keep their (safe) message and code as detail; others are masked. */
export function toWireError(err: unknown): WireError {
  if (isTributaryError(err)) {
    return { severity: 'ERROR', code: sqlstateForCode(err.code), message: err.message, detail: err.code };
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return { severity: 'ERROR', code: SQLSTATE.queryCanceled, message: 'canceling statement due to user request' };
  }
  return { severity: 'ERROR', code: SQLSTATE.internal, message: 'internal error; the server log has the details' };
}
