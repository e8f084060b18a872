/**
 * Errors of API-key authentication and administration. Authentication failures are `auth`
 * (HTTP 401, exit 5), one code per cause so audit lines and metrics can tell them apart; the HTTP
 * layer answers every one of them with the same 401 body, so a caller learns nothing about which
 * check failed. Messages never contain a key or any part of its secret.
 */
import { defineError } from '../../core/errors.js';

/** No `Authorization` header. */
export const AuthMissing = defineError<Record<string, never>>(
  'TRB_AUTH_MISSING', 'Authentication required: send `Authorization: Bearer <API key>`', { family: 'auth' });

/** The header is not `Bearer <key>`, or the key is not in the `trb_<prefix>_<secret>` format (truncated, altered). */
export const AuthMalformed = defineError<{ reason: string }>(
  'TRB_AUTH_MALFORMED', 'Malformed credentials: {reason}', { family: 'auth' });

/** No key has this public prefix (never created, or deleted). */
export const AuthUnknownKey = defineError<{ keyId: string }>(
  'TRB_AUTH_UNKNOWN_KEY', 'Unknown API key `{keyId}`', { family: 'auth' });

/** The prefix exists but the secret does not match its hash. */
export const AuthWrongSecret = defineError<{ keyId: string }>(
  'TRB_AUTH_WRONG_SECRET', 'Wrong secret for API key `{keyId}`', { family: 'auth' });

/** The key is past its expiry. */
export const AuthExpired = defineError<{ keyId: string; expiredAt: string }>(
  'TRB_AUTH_EXPIRED', 'API key `{keyId}` expired at {expiredAt}; create a new one with `tributary apikeys create`', { family: 'auth' });

/** The key was revoked (or its rotation grace period ended). */
export const AuthRevoked = defineError<{ keyId: string; revokedAt: string }>(
  'TRB_AUTH_REVOKED', 'API key `{keyId}` was revoked at {revokedAt}', { family: 'auth' });

/** The key's role is not (or no longer) defined in the roles configuration. */
export const AuthRoleUnknown = defineError<{ keyId: string; role: string }>(
  'TRB_AUTH_ROLE_UNKNOWN', 'API key `{keyId}` has role `{role}`, which is not defined in the roles configuration', { family: 'auth' });

/** An admin request about API keys is invalid (unknown scope, scope outside the role, bad expiry, unknown role). */
export const ApiKeyRequestInvalid = defineError<{ reason: string; field: string }>(
  'TRB_APIKEY_INVALID', 'Invalid API key request: `{field}` {reason}', { family: 'request' });

/** No API key with this id. */
export const ApiKeyNotFound = defineError<{ keyId: string }>(
  'TRB_APIKEY_NOT_FOUND', 'API key `{keyId}` does not exist; `tributary apikeys list` shows the ids', { family: 'request', status: 404 });

/** Rotating a key that is already revoked (or already rotated). */
export const ApiKeyNotActive = defineError<{ keyId: string; status: string }>(
  'TRB_APIKEY_NOT_ACTIVE', 'API key `{keyId}` is {status} and cannot be rotated; create a new key instead', { family: 'request', status: 409 });
