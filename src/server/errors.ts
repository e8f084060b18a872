/**
 * Error codes of the HTTP server (`tributary serve`). Statuses come from the family (auth → 401)
 * unless a code needs a more precise one (403 forbidden, 429 rate limited). Messages say what to do
 * next and never contain a key, a certificate or a client-supplied value that could be a secret.
 */
import { defineError } from '../core/errors.js';

/** No credentials: neither an `Authorization` header nor a mapped client certificate. */
export const AuthRequired = defineError<Record<string, never>>(
  'TRB_SERVER_AUTH_REQUIRED',
  'Authentication required: send the API key as `Authorization: Bearer <key>` (or present a client certificate on an mTLS listener)',
  { family: 'auth' });

/** An API key (or a parameter named like one) was sent in the query string; refused even when valid. */
export const KeyInQuery = defineError<{ parameter: string }>(
  'TRB_SERVER_KEY_IN_QUERY',
  'API keys are accepted only in the Authorization header, never in the query string (parameter `{parameter}`); treat that key as exposed and rotate it',
  { family: 'auth', status: 400 });

/** The identity lacks the permission the route requires. */
export const Forbidden = defineError<{ permission: string; role: string }>(
  'TRB_SERVER_FORBIDDEN',
  'Permission `{permission}` is required and role `{role}` does not grant it (or the API key\'s scopes exclude it)',
  { family: 'auth', status: 403 });

/** The client address is outside the listener's or the role's allowed CIDRs. */
export const AddressDenied = defineError<{ scope: 'listener' | 'role' }>(
  'TRB_SERVER_ADDRESS_DENIED',
  'Requests from this address are not allowed by the {scope} allowlist',
  { family: 'auth', status: 403 });

/** Too many requests for this key or address in the window. */
export const RateLimited = defineError<{ scope: 'key' | 'address'; retry_after_secs: number }>(
  'TRB_SERVER_RATE_LIMITED',
  'Rate limit exceeded for this {scope}; retry in {retry_after_secs} s',
  { family: 'request', status: 429, retry: 'backoff' });

/** The API key was revoked (or expired) while its result was streaming; the stream stopped. */
export const KeyRevokedMidStream = defineError<{ key_id: string }>(
  'TRB_SERVER_KEY_REVOKED_MID_STREAM',
  'API key `{key_id}` is no longer valid: the result stream was stopped',
  { family: 'auth' });

/** A component the route needs is not configured in this server (e.g. no API key admin). */
export const NotConfigured = defineError<{ feature: string }>(
  'TRB_SERVER_NOT_CONFIGURED',
  '{feature} is not available on this server: it is not configured',
  { family: 'request', status: 501 });

/** A readiness dependency is unreachable. */
export const NotReady = defineError<{ failing: readonly string[] }>(
  'TRB_SERVER_NOT_READY',
  'Not ready: {failing} unreachable',
  { family: 'connect' });

/** The request body is larger than the configured limit. */
export const BodyTooLarge = defineError<{ max_bytes: number }>(
  'TRB_SERVER_BODY_TOO_LARGE',
  'Request body exceeds {max_bytes} bytes',
  { family: 'request', status: 413 });

/** A listener's TLS settings cannot be used (missing file, unreadable key, bad CA). */
export const TlsConfigInvalid = defineError<{ listener: string; reason: string }>(
  'TRB_SERVER_TLS_INVALID',
  'Listener `{listener}`: TLS cannot be set up: {reason}',
  { family: 'config' });

/** Plain HTTP was asked for without `--insecure-http`, or on a non-loopback address. */
export const InsecureListener = defineError<{ listener: string; reason: string }>(
  'TRB_SERVER_INSECURE_LISTENER',
  'Listener `{listener}` has no TLS: {reason}',
  { family: 'config' });

/** The development certificate could not be generated with the system `openssl`. */
export const DevCertFailed = defineError<{ reason: string }>(
  'TRB_SERVER_DEV_CERT_FAILED',
  'Cannot generate the development certificate with `openssl`: {reason}; install openssl or give cert and key files',
  { family: 'config' });

/** No route matches the method and path. */
export const RouteNotFound = defineError<Record<string, never>>(
  'TRB_SERVER_NO_ROUTE',
  'No route matches this method and path; see /openapi.json for the routes',
  { family: 'request', status: 404 });

/** A verified client certificate whose subject is not mapped to a role. */
export const CertUnmapped = defineError<{ subject: string }>(
  'TRB_SERVER_CERT_UNMAPPED',
  'Client certificate `{subject}` is valid but not mapped to a role in this listener\'s `mtls.subjects`',
  { family: 'auth' });

/**
 * Any API key refusal (unknown, wrong secret, malformed, truncated, expired, revoked): one identical
 * 401 body for all, so a client cannot tell which check failed. The authenticator audits the precise code.
 */
export const AuthFailed = defineError<Record<string, never>>(
  'TRB_SERVER_AUTH_FAILED',
  'Authentication failed: the API key is not valid',
  { family: 'auth' });

/** The server configuration file is invalid (structure or values); names file, line and path. */
export const ServerConfigInvalid = defineError<{ file: string; line?: number; path: string; reason: string }>(
  'TRB_SERVER_CONFIG_INVALID',
  'Invalid server config in {file}:{line} at `{path}`: {reason}',
  { family: 'config' });
