/**
 * Run-level errors of the `threat` stage: a reputation list given by `url` that cannot be
 * downloaded when no earlier copy is cached. (With a cached copy the run warns and uses it.)
 * Messages name the list, the stage and the server's host, never the URL's path or query string
 * nor header values.
 */
import { defineError } from '../../core/errors.js';

/** Details of both codes. */
export type ListDownloadDetails = {
  readonly stage: string;
  readonly list: string;
  /** `host[:port]` of the list's URL. */
  readonly host: string;
  readonly reason: string;
};

/**
 * The server could not be reached or answered with a transient failure (connection refused, DNS,
 * TLS, timeout, HTTP 408, 429 or 5xx): retrying later may help.
 */
export const ListDownloadFailed = defineError<ListDownloadDetails>(
  'TRB_CONNECT_LIST_DOWNLOAD_FAILED',
  'Cannot download reputation list `{list}` of stage `{stage}` from {host}: {reason}; no copy is cached yet, so the run stops (check the network and the URL, then run again)',
  { family: 'connect' });

/**
 * The server answered, but with something that is not a usable list (another HTTP status, too
 * many redirects or one to a refused URL, more than `max_bytes`, not a list of addresses):
 * retrying does not help until the config or the feed changes.
 */
export const ListDownloadRefused = defineError<ListDownloadDetails>(
  'TRB_SOURCE_LIST_DOWNLOAD_REFUSED',
  'Reputation list `{list}` of stage `{stage}` from {host} cannot be used: {reason}; no copy is cached yet, so the run stops (fix `url`, `headers` or `max_bytes`, or the feed)',
  { family: 'source' });
