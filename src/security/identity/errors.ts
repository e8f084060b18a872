/**
 * Errors of PostgreSQL-wire user administration (`TRB_USER_*`, `request` family). Wire
 * authentication failures themselves are answered by the gateway with PostgreSQL's own error
 * (28P01) and audited there; messages never contain a password or a verifier.
 */
import { defineError } from '../../core/errors.js';

/** A user name, role or password that cannot be used. */
export const WireUserInvalid = defineError<{ field: string; reason: string }>(
  'TRB_USER_INVALID', 'Invalid wire user: `{field}` {reason}', { family: 'request' });

/** Creating a user that exists. */
export const WireUserExists = defineError<{ user: string }>(
  'TRB_USER_EXISTS', 'Wire user `{user}` already exists; change its password with `tributary users passwd {user}`', { family: 'request', status: 409 });

/** No such user. */
export const WireUserNotFound = defineError<{ user: string }>(
  'TRB_USER_NOT_FOUND', 'Wire user `{user}` does not exist; `tributary users list` shows the users', { family: 'request', status: 404 });
