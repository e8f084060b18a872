/** The `security_events` dataset: one row per signature hit or behaviour alert, for the security team. */
import type { ColumnSchema, RecordSchema } from '../../core/record.js';

const col = (name: string, type: ColumnSchema['type'], description: string, nullable = true): ColumnSchema => Object.freeze({ name, type, nullable, description });

/** Name of the dataset (warehouse table, lake dataset). */
export const SECURITY_EVENTS = 'security_events';

/** Its columns (sinks add the lineage columns of the request that raised the event). */
export const SECURITY_EVENTS_SCHEMA: RecordSchema = Object.freeze({
  name: SECURITY_EVENTS,
  columns: Object.freeze([
    col('ts', 'timestamp', 'Time of the request that raised the event (UTC).', false),
    col('client_id', 'varchar', 'Client pseudonym (`ps<epoch>_…`, keyed HMAC of the client IP); never the IP.'),
    col('kind', 'varchar', '`signature` (attack pattern or reputation list, from the threat stage) or `behavior` (a sliding-window rule).', false),
    col('rule', 'varchar', 'Behaviour rule (`behavior.http_404_burst`, `behavior.login_bruteforce`, `behavior.rate_spike`) or the matched signature ids, comma separated.', false),
    col('severity', 'varchar', 'low, medium, high or critical (for signatures: from the request\'s threat_score: ≥80 critical, ≥50 high, ≥25 medium).', false),
    col('score', 'integer', 'threat_score of the request (signatures) or the rule\'s severity weight (behaviour).'),
    col('tags', 'varchar', 'Threat categories (sqli, xss, scanner, ...) or the behaviour name.'),
    col('evidence', 'varchar', 'What was seen, with personal data in URLs redacted: the request line, or the count in the window and the last path.'),
    col('window_start', 'timestamp', 'Behaviour: time of the first request counted in the window.'),
    col('hits', 'integer', 'Behaviour: requests counted in the window when the rule fired.'),
  ]),
});
